// Lines of a text file as strings, for readers that want text rather than bytes (word2vec corpora): the
// file goes through BoundedFile (regular files only, gzip decompressed, size-bounded) and BoundedLineReader
// (a line longer than the bound is skipped without being held, and reported to the caller). Invalid UTF-8
// becomes U+FFFD here, as StreamReader does; readers that must report it use SourceText instead.
using System.Text;

namespace Pipeline.Preprocessing.Files;

/// <summary>Streams the lines of a text file with a bound on each line.</summary>
public static class TextLines
{
    /// <summary>
    /// The lines of <paramref name="path"/> (without '\n' or a trailing '\r'; a leading BOM skipped). A line longer than
    /// <paramref name="maxLineBytes"/> is not returned: <paramref name="onTooLong"/> receives it (number and length) instead.
    /// </summary>
    public static IEnumerable<string> Read(string path, int maxLineBytes = BoundedLineReader.DefaultMaxLineBytes, Action<RawLine>? onTooLong = null)
    {
        BoundedFile.RequireRegularFile(path);
        return ReadChecked(path, maxLineBytes, onTooLong);
    }

    private static IEnumerable<string> ReadChecked(string path, int maxLineBytes, Action<RawLine>? onTooLong)
    {
        using var stream = BoundedFile.OpenRead(path, BoundedFile.DefaultMaxTextBytes, "input", decompressGzip: true);
        foreach (var line in BoundedLineReader.ReadLines(stream, maxLineBytes))
        {
            if (line.TooLong) { onTooLong?.Invoke(line); continue; }
            var bytes = line.Bytes.Span;
            if (line.Number == 1 && bytes.StartsWith(Encoding.UTF8.Preamble)) bytes = bytes[3..];
            if (bytes.Length > 0 && bytes[^1] == '\r') bytes = bytes[..^1];
            yield return Encoding.UTF8.GetString(bytes);
        }
    }
}
