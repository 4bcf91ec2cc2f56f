// Where `caption` and `classify` write their results (docs/cli.md, "Outputs"): standard output by default
// and for "--out -"; a regular file (or a path that does not exist yet) is a resumable result file; any
// other --out — /dev/stdout, /dev/stderr, /dev/fd/N, a FIFO, a terminal — is a stream that is written
// once, front to back, and never scanned for earlier results (it has none, and reading it would block or
// fail). /dev/stdout and friends count as streams even when the shell points them at a regular file.
// The format is --out-format, else the file's extension (.csv, .tsv; anything else JSON lines).
using System.CommandLine;
using System.Text;
using Pipeline.Batch;
using Pipeline.Preprocessing.Files;

namespace Pipeline.Cli;

/// <summary>The destination of a batch command's results.</summary>
/// <param name="Path">The file or device path; null for this process's standard output.</param>
/// <param name="Format">How records are written.</param>
/// <param name="IsResumableFile">True for a regular (or new) file: results are appended and a rerun skips what is in it.</param>
internal sealed record ResultTarget(string? Path, OutputFormat Format, bool IsResumableFile)
{
    private static readonly string[] StreamPrefixes = ["/dev/", "/proc/self/fd/"];

    /// <summary>True when results go to this process's standard output.</summary>
    public bool IsStandardOutput => Path is null || Path is "/dev/stdout" or "/proc/self/fd/1" or "/dev/fd/1";

    /// <summary>The target named by <c>--out</c> (null or "-": stdout) and <c>--out-format</c>.</summary>
    public static ResultTarget From(string? output, OutputFormat? format)
    {
        if (output is null || StandardStreams.IsDash(output)) return new ResultTarget(null, format ?? OutputFormat.JsonLines, false);
        var full = System.IO.Path.GetFullPath(output);
        var kind = FileSystemEntry.Stat(full).Kind;
        bool stream = StreamPrefixes.Any(p => full.StartsWith(p, StringComparison.Ordinal)) || kind is not (FileKind.Regular or FileKind.Missing or FileKind.Directory);
        return new ResultTarget(full, format ?? OutputFormats.FromPath(full), !stream);
    }

    /// <summary>The <c>--out-format</c> option (jsonl, csv, tsv; default: from --out's extension, JSON lines on stdout).</summary>
    public static Option<OutputFormat?> CreateFormatOption()
    {
        var names = new Dictionary<string, OutputFormat>(StringComparer.OrdinalIgnoreCase) { ["jsonl"] = OutputFormat.JsonLines, ["csv"] = OutputFormat.Csv, ["tsv"] = OutputFormat.Tsv };
        var option = new Option<OutputFormat?>("--out-format")
        {
            Description = "Result format (default: from --out's extension; JSON lines on stdout).",
            HelpName = "jsonl|csv|tsv",
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                if (names.TryGetValue(text, out var format)) return format;
                result.AddError($"--out-format: '{text}' is not one of: jsonl, csv, tsv");
                return null;
            },
        };
        option.CompletionSources.Clear();
        option.CompletionSources.Add(names.Keys.ToArray());
        return option;
    }

    /// <summary>
    /// Opens the target for writing from the start: stdout as it is, a device or FIFO as found, a regular file created anew
    /// (a stream source such as stdin cannot resume into it).
    /// </summary>
    public OpenTarget Open()
    {
        if (IsStandardOutput) return new OpenTarget(Console.Out, owned: false);
        if (Path is "/dev/stderr" or "/proc/self/fd/2" or "/dev/fd/2") return new OpenTarget(Console.Error, owned: false);
        var stream = new FileStream(Path!, IsResumableFile ? FileMode.Create : FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        return new OpenTarget(new StreamWriter(stream, new UTF8Encoding(false)), owned: true);
    }

    /// <summary>An open target; disposing flushes it and closes it when it was opened here.</summary>
    public sealed class OpenTarget(TextWriter writer, bool owned) : IDisposable
    {
        public TextWriter Writer { get; } = writer;

        public void Dispose()
        {
            Writer.Flush();
            if (owned) Writer.Dispose();
        }
    }
}
