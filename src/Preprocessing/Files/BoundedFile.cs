// The one way untrusted input files are opened: the path must lead (through any symlinks) to a regular
// file — a FIFO would block the run, /dev/zero or /dev/urandom would be read forever — and no more than a
// stated number of bytes is ever read from it, checked against the size up front and again while
// reading (a file can grow, and a gzip stream's output is not known in advance). Gzip files (magic
// 1F 8B, whatever their name) are decompressed when the caller reads text, with the limit applied to
// the decompressed bytes, so a small .gz cannot expand into gigabytes.
using System.IO.Compression;
using System.Text;

namespace Pipeline.Preprocessing.Files;

/// <summary>Opens and reads input files with a type check and a size bound.</summary>
public static class BoundedFile
{
    /// <summary>Default bound on a text input (a corpus, a caption file, a vocabulary): 2 GiB.</summary>
    public const long DefaultMaxTextBytes = 2L << 30;

    /// <summary>
    /// Throws unless <paramref name="path"/> is (or links to) a regular file; returns its status.
    /// <paramref name="what"/> names the file's role in messages ("input", "model file", …).
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing is at the path (or a symlink dangles).</exception>
    /// <exception cref="IOException">The path is a folder, FIFO, device or socket.</exception>
    public static FileStatus RequireRegularFile(string path, string what = "input")
    {
        var status = FileSystemEntry.Stat(path);
        if (status.Kind == FileKind.Missing) throw new FileNotFoundException($"{what} '{path}' does not exist.", path);
        if (status.Kind != FileKind.Regular)
            throw new IOException($"{what} '{path}' is {FileSystemEntry.Describe(status.Kind)}, not a regular file; only regular files are read " +
                                  "(a pipe or device can block or never end).");
        return status;
    }

    /// <summary>True when the content of <paramref name="path"/> starts with the gzip magic number.</summary>
    public static bool IsGzip(string path)
    {
        RequireRegularFile(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        Span<byte> magic = stackalloc byte[2];
        return stream.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && IsGzipMagic(magic);
    }

    /// <summary>
    /// Opens <paramref name="path"/> for sequential reading. At most <paramref name="maxBytes"/> bytes can be read (more
    /// throws <see cref="InvalidDataException"/> naming the file and the limit). With <paramref name="decompressGzip"/>,
    /// gzip content is decompressed and the bound applies to the decompressed bytes.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">Most bytes that may be read.</param>
    /// <param name="what">What the file is, for messages.</param>
    /// <param name="decompressGzip">Decompress gzip content.</param>
    /// <param name="startOffset">Byte position to start at in uncompressed content (a range of lines found by an earlier pass); ignored, with reading from the start, for gzip content, which cannot seek.</param>
    public static Stream OpenRead(string path, long maxBytes, string what = "input", bool decompressGzip = false, long startOffset = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var status = RequireRegularFile(path, what);
        if (status.Length > maxBytes) throw TooLarge(path, what, maxBytes, $"is {status.Length:N0} bytes");
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
        try
        {
            Span<byte> magic = stackalloc byte[2];
            int read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            bool gzip = decompressGzip && read == 2 && IsGzipMagic(magic);
            if (!gzip) file.Position = Math.Min(startOffset, file.Length);
            Stream content = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
            return new LimitedReadStream(content, maxBytes, path, what);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads the whole file (no decompression) after the type and size checks.</summary>
    public static byte[] ReadAllBytes(string path, long maxBytes, string what = "input")
    {
        long expected = RequireRegularFile(path, what).Length;
        using var stream = OpenRead(path, maxBytes, what);
        // One exact allocation for the common case; a file that grows meanwhile is still read (within the bound).
        var bytes = new byte[expected];
        int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read < bytes.Length) return bytes[..read];
        var rest = new MemoryStream();
        stream.CopyTo(rest);
        if (rest.Length == 0) return bytes;
        var all = new byte[bytes.Length + rest.Length];
        bytes.CopyTo(all, 0);
        rest.ToArray().CopyTo(all, bytes.Length);
        return all;
    }

    /// <summary>Reads the whole file as UTF-8 text (a BOM is skipped) after the type and size checks; gzip is decompressed.</summary>
    public static string ReadAllText(string path, long maxBytes, string what = "input")
    {
        using var stream = OpenRead(path, maxBytes, what, decompressGzip: true);
        using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    internal static bool IsGzipMagic(ReadOnlySpan<byte> first) => first.Length >= 2 && first[0] == 0x1F && first[1] == 0x8B;

    internal static InvalidDataException TooLarge(string path, string what, long maxBytes, string actual) =>
        new($"{what} '{path}' {actual}; the limit is {maxBytes:N0} bytes.");

    /// <summary>A read-only wrapper that throws once more than a given number of bytes has been read.</summary>
    private sealed class LimitedReadStream(Stream inner, long maxBytes, string path, string what) : Stream
    {
        private long total;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => total; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            total += n;
            if (total > maxBytes) throw TooLarge(path, what, maxBytes, inner is GZipStream ? "decompresses to more bytes than allowed" : "grew past its size check while being read");
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
