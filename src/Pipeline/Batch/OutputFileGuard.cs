// The one way a batch job opens a file it appends to (results, errors). Three guarantees, in this order:
//   1. Exclusive: an flock on a hidden sibling lock file (".out.jsonl.lock", taken with FileShare.None,
//      which .NET maps to flock(LOCK_EX | LOCK_NB)) is held for the writer's lifetime, so two runs on one
//      --out fail fast instead of interleaving lines. The kernel drops the lock when the process ends,
//      however it ends (kill -9 included), so a stale lock file never blocks anyone; it is left in place
//      because deleting it would let a third run lock a fresh inode while a second still holds the old one.
//      The results file itself is not locked: readers may look at it while a job runs.
//   2. Ours before touched: the owner scans the existing content (every line, bounded by BoundedLineReader)
//      and must recognise it as its own format — a results file of this job — before a single byte is
//      changed. An unrelated file (notes, an image, a dataset) is refused and left exactly as it was.
//   3. Repaired at a record boundary: only then is a torn tail (a record cut short by a crash) truncated,
//      at the end of the last complete record the owner found; a complete last record that merely lacks
//      its '\n' gets one instead of being cut.
// The path must be a regular file or not exist: a folder, FIFO or device as --out is refused up front.
using System.Text;
using Pipeline.Preprocessing.Files;

namespace Pipeline.Batch;

/// <summary>What the owner of an output file found in its existing content.</summary>
/// <param name="ValidLength">Bytes from the start that form complete records (and header); anything after is a torn tail.</param>
/// <param name="MissingFinalNewline">True when the last complete record ends at <paramref name="ValidLength"/> without a '\n'.</param>
public sealed record ExistingContent(long ValidLength, bool MissingFinalNewline = false);

/// <summary>Raised when another run holds the output file.</summary>
public sealed class OutputLockedException(string path, string lockPath, Exception inner)
    : IOException($"'{path}' is being written by another run (it holds the lock {lockPath}); wait for that run to finish or choose another output file.", inner)
{
    /// <summary>The output file.</summary>
    public string OutputPath { get; } = path;
}

/// <summary>An exclusively locked, validated-before-repaired append-only output file.</summary>
public sealed class OutputFileGuard : IDisposable
{
    /// <summary>Longest line an output file may hold (records of this project are far shorter).</summary>
    public const int MaxLineBytes = BoundedLineReader.DefaultMaxLineBytes;

    private readonly FileStream lockStream;
    private FileStream stream;

    private OutputFileGuard(string path, FileStream lockStream, FileStream stream)
    {
        Path = path;
        this.lockStream = lockStream;
        this.stream = stream;
    }

    /// <summary>The output file (full path).</summary>
    public string Path { get; }

    /// <summary>The open file, positioned at its end after <see cref="Open"/>.</summary>
    public FileStream Stream => stream;

    /// <summary>The lock file guarding <paramref name="path"/>: ".NAME.lock" in the same folder.</summary>
    public static string LockPathFor(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        return System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!, "." + System.IO.Path.GetFileName(full) + ".lock");
    }

    /// <summary>
    /// Locks and opens <paramref name="path"/> (created when missing). <paramref name="scan"/> reads the existing lines and
    /// returns where the complete records end, or throws <see cref="InvalidDataException"/> when the content is not its own;
    /// the file is modified only after it returned.
    /// </summary>
    /// <param name="path">Output file.</param>
    /// <param name="role">What the file is, for messages ("output", "errors file").</param>
    /// <param name="scan">Validates existing content line by line (lines longer than <see cref="MaxLineBytes"/> come with <see cref="RawLine.TooLong"/>).</param>
    /// <exception cref="OutputLockedException">Another run holds the file.</exception>
    /// <exception cref="IOException">The path is a folder, FIFO or device.</exception>
    /// <exception cref="InvalidDataException">The existing content is not a file this job wrote (left untouched).</exception>
    public static OutputFileGuard Open(string path, string role, Func<IEnumerable<RawLine>, ExistingContent> scan)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(scan);
        string full = System.IO.Path.GetFullPath(path);
        var status = FileSystemEntry.Stat(full);
        if (status.Kind == FileKind.Directory)
            throw new IOException($"{role} '{path}' is a folder; name a file inside it, e.g. '{System.IO.Path.Combine(path, "results.jsonl")}'.");
        if (status.Kind is not (FileKind.Regular or FileKind.Missing))
            throw new IOException($"{role} '{path}' is {FileSystemEntry.Describe(status.Kind)}; results are written to regular files only.");
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);

        string lockPath = LockPathFor(full);
        FileStream lockStream;
        try { lockStream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1); }
        catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException) && File.Exists(lockPath))
        {
            throw new OutputLockedException(path, lockPath, e);
        }

        FileStream? file = null;
        try
        {
            file = new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
            var guard = new OutputFileGuard(full, lockStream, file);
            guard.Validate(role, scan);
            return guard;
        }
        catch
        {
            file?.Dispose();
            lockStream.Dispose();
            throw;
        }
    }

    private void Validate(string role, Func<IEnumerable<RawLine>, ExistingContent> scan)
    {
        long length = stream.Length;
        if (length == 0) return;
        stream.Position = 0;
        ExistingContent content;
        // The scan reads through a non-owning wrapper so the lines enumerator cannot close the file.
        using (var view = new NonClosingStream(stream))
            content = scan(BoundedLineReader.ReadLines(view, MaxLineBytes));
        if (content.ValidLength < 0 || content.ValidLength > length)
            throw new InvalidOperationException($"scan of {Path} reported {content.ValidLength} valid bytes of {length}.");
        if (content.ValidLength == 0)
            throw new InvalidDataException(
                $"{role} '{Path}' exists ({length:N0} bytes) but holds no complete record this job could have written; it was left untouched. " +
                "Choose another output file, or move this one away.");
        // Only now, with the whole file recognised as ours, is anything written.
        if (content.ValidLength < length) stream.SetLength(content.ValidLength);
        stream.Seek(0, SeekOrigin.End);
        if (content.MissingFinalNewline) { stream.WriteByte((byte)'\n'); stream.Flush(); }
    }

    /// <summary>
    /// Replaces the file's content with what <paramref name="write"/> produces (through a temporary sibling and an atomic
    /// rename, still under the lock) and reopens it for appending.
    /// </summary>
    public void Replace(Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string temporary = Path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var copy = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(copy);
                copy.Flush(flushToDisk: true);
            }
            stream.Dispose();
            File.Move(temporary, Path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
        stream = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        stream.Seek(0, SeekOrigin.End);
    }

    /// <summary>Decodes a line as strict UTF-8; null when it is not valid UTF-8.</summary>
    public static string? DecodeStrict(ReadOnlySpan<byte> bytes)
    {
        try { return StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException) { return null; }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <inheritdoc />
    public void Dispose()
    {
        stream.Dispose();
        lockStream.Dispose();
    }

    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
