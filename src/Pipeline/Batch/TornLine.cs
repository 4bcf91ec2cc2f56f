// Append-only line files (results, errors) are written one flushed line at a time, so a crash or SIGKILL
// can leave at most a partial last line. Cutting it before appending keeps every line whole: without the
// cut, the next run's first line would be glued onto the fragment.
namespace Pipeline.Batch;

/// <summary>Repairs the end of an append-only line file.</summary>
internal static class TornLine
{
    /// <summary>Truncates <paramref name="stream"/> after its last '\n' when it does not end with one; returns the bytes cut.</summary>
    public static long Cut(FileStream stream)
    {
        long end = stream.Length;
        if (end == 0) return 0;
        stream.Seek(-1, SeekOrigin.End);
        if (stream.ReadByte() == '\n') return 0;
        // Scan back in blocks for the previous newline; a torn line is at most one record long.
        var block = new byte[4096];
        long pos = end;
        while (pos > 0)
        {
            int size = (int)Math.Min(block.Length, pos);
            stream.Seek(pos - size, SeekOrigin.Begin);
            stream.ReadExactly(block, 0, size);
            int newline = Array.LastIndexOf(block, (byte)'\n', size - 1, size);
            if (newline >= 0) { pos = pos - size + newline + 1; break; }
            pos -= size;
        }
        stream.SetLength(pos);
        return end - pos;
    }
}
