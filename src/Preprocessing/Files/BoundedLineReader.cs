// Splits a byte stream into '\n'-terminated lines with a hard bound on the length of one line, so a file
// that is one 40 MB line (or an image passed where text was expected) costs at most the bound, not the
// line: a line longer than the bound is reported as too long and skipped to its end without being
// buffered. Each line carries its 1-based number and byte offset, which lets append-only files be
// repaired at an exact record boundary and lets readers name "file:line" in every error.
namespace Pipeline.Preprocessing.Files;

/// <summary>One physical line of a byte stream.</summary>
/// <param name="Number">1-based line number.</param>
/// <param name="Offset">Byte offset of the line's first byte in the stream.</param>
/// <param name="Bytes">The line without its '\n' (empty when <paramref name="TooLong"/>); valid until the next line is read.</param>
/// <param name="Length">The line's full length in bytes, without the '\n' (also when it was too long to keep).</param>
/// <param name="Terminated">True when the line ended with '\n' (false only for a last line without one).</param>
/// <param name="TooLong">True when the line exceeded the bound; its bytes were not kept.</param>
public readonly record struct RawLine(int Number, long Offset, ReadOnlyMemory<byte> Bytes, long Length, bool Terminated, bool TooLong)
{
    /// <summary>Offset just past the line (and its '\n').</summary>
    public long End => Offset + Length + (Terminated ? 1 : 0);
}

/// <summary>Reads lines of bounded length from a stream.</summary>
public static class BoundedLineReader
{
    /// <summary>Default longest line kept: 1 MiB.</summary>
    public const int DefaultMaxLineBytes = 1 << 20;

    /// <summary>
    /// The lines of <paramref name="stream"/>, read sequentially in 64 KiB blocks. Memory: the block plus at most
    /// <paramref name="maxLineBytes"/> for a line that spans blocks.
    /// </summary>
    public static IEnumerable<RawLine> ReadLines(Stream stream, int maxLineBytes = DefaultMaxLineBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineBytes, 1);
        var buffer = new byte[1 << 16];
        var pending = new MemoryStream();
        long offset = 0;         // stream offset of buffer[0]
        long lineStart = 0;      // stream offset of the current line's first byte
        long lineLength = 0;     // bytes of the current line seen so far
        bool tooLong = false;
        int number = 0, read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            int start = 0;
            while (start < read)
            {
                int newline = Array.IndexOf(buffer, (byte)'\n', start, read - start);
                int end = newline < 0 ? read : newline;
                int piece = end - start;
                lineLength += piece;
                if (!tooLong && lineLength > maxLineBytes) { tooLong = true; pending.SetLength(0); }
                if (newline < 0)
                {
                    if (!tooLong) pending.Write(buffer, start, piece);
                    break;
                }
                ReadOnlyMemory<byte> bytes;
                if (tooLong) bytes = ReadOnlyMemory<byte>.Empty;
                else if (pending.Length == 0) bytes = buffer.AsMemory(start, piece);
                else
                {
                    pending.Write(buffer, start, piece);
                    bytes = pending.ToArray();
                }
                yield return new RawLine(++number, lineStart, bytes, lineLength, Terminated: true, tooLong);
                pending.SetLength(0);
                tooLong = false;
                lineStart = offset + newline + 1;
                lineLength = 0;
                start = newline + 1;
            }
            offset += read;
        }
        if (lineLength > 0)
            yield return new RawLine(++number, lineStart, tooLong ? ReadOnlyMemory<byte>.Empty : pending.ToArray(), lineLength, Terminated: false, tooLong);
    }

    /// <summary>"line 12 is 41,943,040 bytes; lines longer than 1,048,576 bytes are refused" — for error messages.</summary>
    public static string DescribeTooLong(RawLine line, int maxLineBytes) =>
        $"line {line.Number} is {line.Length:N0} bytes long; lines longer than {maxLineBytes:N0} bytes are refused";
}
