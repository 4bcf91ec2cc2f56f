// The formats batch results are written in, chosen by the output file's extension.
namespace Pipeline.Batch;

/// <summary>How batch results are written: one JSON object per line (default), CSV or TSV.</summary>
public enum OutputFormat
{
    /// <summary>One JSON object per line.</summary>
    JsonLines,
    /// <summary>Comma-separated values with a header row (RFC 4180 quoting).</summary>
    Csv,
    /// <summary>Tab-separated values with a header row; tabs and newlines inside values become spaces.</summary>
    Tsv,
}

/// <summary>Maps file names to <see cref="OutputFormat"/>.</summary>
public static class OutputFormats
{
    /// <summary>The format implied by <paramref name="path"/>'s extension (.csv, .tsv/.tab, anything else → JSON lines).</summary>
    public static OutputFormat FromPath(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => OutputFormat.Csv,
        ".tsv" or ".tab" => OutputFormat.Tsv,
        _ => OutputFormat.JsonLines,
    };
}
