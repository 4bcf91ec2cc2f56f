// Crash-safe file replacement: write everything to a temporary file in the same directory, flush it
// to disk, then rename over the target. A rename within one directory is atomic on the platforms we
// run on, so readers see either the old complete file or the new complete file, never a torn one.
namespace Pipeline.Models.Checkpoints;

/// <summary>Writes files through a temporary sibling and an atomic rename.</summary>
public static class AtomicFile
{
    /// <summary>Creates or replaces <paramref name="path"/> with the bytes written by <paramref name="write"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var temp = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { /* best effort: the original error matters more */ }
            throw;
        }
    }

    /// <summary>Creates or replaces a UTF-8 text file atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, s => { var bytes = System.Text.Encoding.UTF8.GetBytes(text); s.Write(bytes); });
}
