// Reading text files line by line with strict UTF-8: an invalid byte sequence is reported with its file
// and line instead of silently turning into U+FFFD (which would poison a vocabulary without anyone noticing).
// Files are read through BoundedFile/BoundedLineReader: regular files only, size- and line-length-bounded,
// gzip decompressed (a .gz corpus is read, not reported as invalid UTF-8).
using System.Text;
using System.Text.Unicode;
using Pipeline.Preprocessing.Files;

namespace Pipeline.Preprocessing.Datasets;

/// <summary>One physical line: its 1-based number and text, or the reason it could not be decoded.</summary>
internal readonly record struct SourceLine(int Number, string? Text, string? Error);

/// <summary>Strict UTF-8 helpers shared by the readers.</summary>
internal static class SourceText
{
    /// <summary>Throws on invalid bytes instead of substituting U+FFFD.</summary>
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Fails with a clear message when the input file is missing (no policy can skip a whole input).</summary>
    public static void RequireFile(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"Dataset file not found: {path}", path);
        BoundedFile.RequireRegularFile(path, "dataset file");
    }

    /// <summary>Largest dataset text file read (after gzip decompression).</summary>
    public const long MaxFileBytes = BoundedFile.DefaultMaxTextBytes;

    /// <summary>
    /// Reads <paramref name="path"/> as lines split on '\n' (a trailing '\r' is dropped, a leading BOM skipped), streaming
    /// through <see cref="BoundedLineReader"/>: only regular files are read, gzip content is decompressed, the file may
    /// hold at most <see cref="MaxFileBytes"/> bytes, and a line longer than <paramref name="maxLineBytes"/> becomes an
    /// error line (its text is never held).
    /// </summary>
    public static IEnumerable<SourceLine> ReadLines(string path, int maxLineBytes = BoundedLineReader.DefaultMaxLineBytes)
    {
        RequireFile(path);
        using var stream = BoundedFile.OpenRead(path, MaxFileBytes, "dataset file", decompressGzip: true);
        foreach (var line in BoundedLineReader.ReadLines(stream, maxLineBytes))
        {
            if (line.TooLong)
            {
                yield return new SourceLine(line.Number, null, BoundedLineReader.DescribeTooLong(line, maxLineBytes));
                continue;
            }
            var bytes = line.Bytes.Span;
            if (line.Number == 1 && bytes.StartsWith(Encoding.UTF8.Preamble)) bytes = bytes[3..];
            if (bytes.Length > 0 && bytes[^1] == '\r') bytes = bytes[..^1];
            yield return Decode(bytes, line.Number);
        }
    }

    /// <summary>
    /// The lines of <paramref name="path"/> that hold text, for line-per-record readers: a line that cannot be read
    /// (invalid UTF-8, too long) is reported to <paramref name="errors"/> with its number, a blank line is skipped.
    /// </summary>
    public static IEnumerable<(int Number, string Text)> ReadTextLines(string path, ErrorCollector errors)
    {
        foreach (var line in ReadLines(path))
        {
            if (line.Text is null)
                errors.Report(path, line.Number, line.Error!);
            else if (line.Text.AsSpan().Trim().Length > 0)
                yield return (line.Number, line.Text);
        }
    }

    /// <summary>
    /// The whole content of <paramref name="path"/> (gzip decompressed) for readers that parse a file as one document,
    /// bounded by <see cref="MaxFileBytes"/>; only regular files are read.
    /// </summary>
    public static byte[] ReadAllBytes(string path)
    {
        RequireFile(path);
        using var stream = BoundedFile.OpenRead(path, MaxFileBytes, "dataset file", decompressGzip: true);
        var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static SourceLine Decode(ReadOnlySpan<byte> bytes, int number)
    {
        try
        {
            return new SourceLine(number, StrictUtf8.GetString(bytes), null);
        }
        catch (DecoderFallbackException ex)
        {
            return new SourceLine(number, null, $"invalid UTF-8 (byte offset {ex.Index} in the line); expected UTF-8 text");
        }
    }

    /// <summary>
    /// Returns null when <paramref name="bytes"/> is valid UTF-8, else the 1-based line of the first invalid byte.
    /// </summary>
    public static int? FindInvalidUtf8Line(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
            return null;
        // Decode chunk by chunk to find where the first invalid sequence starts.
        Span<char> scratch = stackalloc char[4096];
        var offset = 0;
        while (offset < bytes.Length)
        {
            var status = Utf8.ToUtf16(bytes[offset..], scratch, out var read, out _, replaceInvalidSequences: false, isFinalBlock: true);
            offset += read;
            if (status is System.Buffers.OperationStatus.InvalidData or System.Buffers.OperationStatus.NeedMoreData)
                break;
            if (status == System.Buffers.OperationStatus.Done)
                return null;
        }
        return bytes[..offset].Count((byte)'\n') + 1;
    }

    /// <summary>1-based line number of byte <paramref name="offset"/>.</summary>
    public static int LineOfOffset(ReadOnlySpan<byte> bytes, long offset)
        => bytes[..(int)Math.Min(offset, bytes.Length)].Count((byte)'\n') + 1;
}
