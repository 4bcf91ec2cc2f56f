// Reading text files line by line with strict UTF-8: an invalid byte sequence is reported with its file
// and line instead of silently turning into U+FFFD (which would poison a vocabulary without anyone noticing).
using System.Text;
using System.Text.Unicode;

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
        if (!File.Exists(path))
            throw new FileNotFoundException($"Dataset file not found: {path}", path);
    }

    /// <summary>
    /// Reads <paramref name="path"/> as lines split on '\n' (a trailing '\r' is dropped, a leading BOM skipped).
    /// The file is read whole: dataset text files are at most tens of megabytes, and it keeps line numbering simple.
    /// </summary>
    public static IEnumerable<SourceLine> ReadLines(string path)
    {
        RequireFile(path);
        var bytes = File.ReadAllBytes(path);
        var start = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? 3 : 0;
        var number = 0;
        while (start < bytes.Length)
        {
            number++;
            var newline = Array.IndexOf(bytes, (byte)'\n', start);
            var end = newline < 0 ? bytes.Length : newline;
            var length = end - start;
            if (length > 0 && bytes[end - 1] == '\r')
                length--;
            yield return Decode(bytes, start, length, number);
            start = end + 1;
        }
    }

    private static SourceLine Decode(byte[] bytes, int start, int length, int number)
    {
        try
        {
            return new SourceLine(number, StrictUtf8.GetString(bytes, start, length), null);
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
