// Memory-mapped reader for prepared shards. Pixels and token ids are handed out as spans over the
// mapping itself (no copies, no per-item allocation), so an epoch over a cached dataset costs only
// page faults and the final float conversion.
using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text;

namespace Pipeline.Preprocessing.Caching;

/// <summary>
/// A read-only, memory-mapped prepared shard. Spans returned by its methods point into the mapping and
/// are valid only until <see cref="Dispose"/>. Safe for concurrent readers.
/// </summary>
public sealed unsafe class PreparedShard : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly PreparedFormat.Header _h;
    private int _disposed;

    private PreparedShard(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, byte* basePtr, PreparedFormat.Header h)
    {
        Path = path;
        _file = file;
        _view = view;
        _base = basePtr;
        _h = h;
        Key = Encoding.UTF8.GetString(new ReadOnlySpan<byte>(_base + h.Key, h.KeyLength));
    }

    /// <summary>Maps <paramref name="path"/> and validates its header.</summary>
    /// <exception cref="InvalidDataException">Not a shard, wrong version, truncated or inconsistent.</exception>
    public static PreparedShard Open(string path)
    {
        // Token ids are exposed as int spans over the raw little-endian bytes.
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Prepared shards are read zero-copy and need a little-endian machine.");
        long length = new FileInfo(path).Length;
        if (length < PreparedFormat.HeaderSize)
            throw new InvalidDataException($"'{path}' is not a prepared shard ({length} bytes is shorter than the header).");
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* p = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            p += view.PointerOffset;
            var h = PreparedFormat.Read(new ReadOnlySpan<byte>(p, PreparedFormat.HeaderSize), length, path);
            return new PreparedShard(path, file, view, p, h);
        }
        catch
        {
            if (view is not null)
            {
                view.SafeMemoryMappedViewHandle.ReleasePointer();
                view.Dispose();
            }
            file.Dispose();
            throw;
        }
    }

    /// <summary>File this shard maps.</summary>
    public string Path { get; }

    /// <summary>The cache key stored when the shard was written.</summary>
    public string Key { get; }

    /// <summary>Number of items.</summary>
    public int Count => _h.Count;

    /// <summary>Side of every stored square image.</summary>
    public int Side => _h.Side;

    /// <summary>Input items that were left out when the shard was built (undecodable images).</summary>
    public int SkippedCount => _h.Skipped;

    /// <summary>Bytes per item's pixels: Side·Side·3.</summary>
    public int PixelBytes => _h.Side * _h.Side * PreparedFormat.Channels;

    /// <summary>Item <paramref name="index"/>'s uint8 RGB pixels (HWC), straight from the mapping.</summary>
    public ReadOnlySpan<byte> Pixels(int index)
    {
        Check(index);
        return new ReadOnlySpan<byte>(_base + _h.Pixels + (long)index * PixelBytes, PixelBytes);
    }

    /// <summary>Number of captions of item <paramref name="index"/>.</summary>
    public int CaptionCount(int index) => ItemEntry(index).Count;

    /// <summary>Token ids of caption <paramref name="caption"/> of item <paramref name="index"/>.</summary>
    public ReadOnlySpan<int> Caption(int index, int caption)
    {
        var (first, count) = ItemEntry(index);
        if ((uint)caption >= (uint)count)
            throw new ArgumentOutOfRangeException(nameof(caption), $"Item {index} has {count} captions.");
        long start = ReadInt64(_h.CapOffsets + 8L * (first + caption));
        long end = ReadInt64(_h.CapOffsets + 8L * (first + caption + 1));
        return new ReadOnlySpan<int>(_base + _h.Tokens + 4 * start, checked((int)(end - start)));
    }

    /// <summary>All captions of item <paramref name="index"/> copied into arrays (convenience; allocates).</summary>
    public int[][] Captions(int index)
    {
        int n = CaptionCount(index);
        var result = new int[n][];
        for (int k = 0; k < n; k++)
            result[k] = Caption(index, k).ToArray();
        return result;
    }

    /// <summary>The source image path item <paramref name="index"/> was prepared from.</summary>
    public string SourcePath(int index)
    {
        Check(index);
        long start = ReadInt64(_h.PathOffsets + 8L * index);
        long end = ReadInt64(_h.PathOffsets + 8L * (index + 1));
        return Encoding.UTF8.GetString(new ReadOnlySpan<byte>(_base + _h.Paths + start, checked((int)(end - start))));
    }

    /// <summary>Unmaps the file; spans obtained earlier must no longer be used.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    private (int First, int Count) ItemEntry(int index)
    {
        Check(index);
        var e = new ReadOnlySpan<byte>(_base + _h.Items + 8L * index, 8);
        return (BinaryPrimitives.ReadInt32LittleEndian(e), BinaryPrimitives.ReadInt32LittleEndian(e[4..]));
    }

    private long ReadInt64(long offset) => BinaryPrimitives.ReadInt64LittleEndian(new ReadOnlySpan<byte>(_base + offset, 8));

    private void Check(int index)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if ((uint)index >= (uint)_h.Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"Shard '{Path}' has {_h.Count} items.");
    }
}
