// Memory-mapped store of fixed-shape float32 rows, one per prepared image: the output of a frozen
// encoder front computed once (e.g. the 7×7×512 region features of a pretrained ResNet), so training
// epochs read features instead of re-running the network. Rows are handed out as spans over the mapping
// (no copies); the file is written to a temporary name and renamed into place, so a reader never sees a
// half-written store, and the key in its header says exactly what it was computed from.
//   [0..64)  header: magic "PLFEAT\r\n", int32 version, int32 count, int32 rank, int32 dims[4],
//            int32 key length, int64 file length (little-endian)
//   [64..)   UTF-8 key, then the rows at the next 64-byte boundary: count × Π dims float32
using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text;

namespace Pipeline.Preprocessing.Caching;

/// <summary>A read-only, memory-mapped feature store. Spans are valid until <see cref="Dispose"/>; safe for concurrent readers.</summary>
public sealed unsafe class FeatureShard : IDisposable
{
    internal const int HeaderSize = 64, Version = 1, MaxRank = 4;
    internal static ReadOnlySpan<byte> Magic => "PLFEAT\r\n"u8;

    private readonly MemoryMappedFile file;
    private readonly MemoryMappedViewAccessor view;
    private readonly byte* basePointer;
    private readonly long dataOffset;
    private int disposed;

    private FeatureShard(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, byte* basePointer, int count, int[] shape, string key, long dataOffset)
    {
        Path = path;
        this.file = file;
        this.view = view;
        this.basePointer = basePointer;
        Count = count;
        Shape = shape;
        Key = key;
        RowLength = shape.Aggregate(1, (a, d) => a * d);
        this.dataOffset = dataOffset;
    }

    /// <summary>The mapped file.</summary>
    public string Path { get; }
    /// <summary>Number of rows.</summary>
    public int Count { get; }
    /// <summary>Shape of one row.</summary>
    public int[] Shape { get; }
    /// <summary>Floats per row.</summary>
    public int RowLength { get; }
    /// <summary>What the rows were computed from (see the caller's key).</summary>
    public string Key { get; }

    /// <summary>Row <paramref name="index"/>, straight from the mapping.</summary>
    public ReadOnlySpan<float> Row(int index)
    {
        ObjectDisposedException.ThrowIf(disposed != 0, this);
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"feature store '{Path}' has {Count} rows.");
        return new ReadOnlySpan<float>(basePointer + dataOffset + 4L * RowLength * index, RowLength);
    }

    /// <summary>Copies rows <paramref name="indices"/> in order into <paramref name="destination"/> (indices.Count · RowLength floats).</summary>
    public void Gather(IReadOnlyList<int> indices, Span<float> destination)
    {
        if (destination.Length != indices.Count * RowLength)
            throw new ArgumentException($"destination holds {destination.Length} floats, {indices.Count} rows need {indices.Count * RowLength}.", nameof(destination));
        for (int i = 0; i < indices.Count; i++) Row(indices[i]).CopyTo(destination.Slice(i * RowLength, RowLength));
    }

    /// <summary>Maps <paramref name="path"/> and validates its header; <see cref="InvalidDataException"/> when it is not a complete store.</summary>
    public static FeatureShard Open(string path)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Feature stores are read zero-copy and need a little-endian machine.");
        long length = new FileInfo(path).Length;
        if (length < HeaderSize) throw new InvalidDataException($"'{path}' is not a feature store ({length} bytes is shorter than the header).");
        var mapped = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? accessor = null;
        try
        {
            accessor = mapped.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* p = null;
            accessor.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            p += accessor.PointerOffset;
            var h = new ReadOnlySpan<byte>(p, HeaderSize);
            if (!h[..8].SequenceEqual(Magic)) throw new InvalidDataException($"'{path}' is not a feature store (bad magic).");
            int version = BinaryPrimitives.ReadInt32LittleEndian(h[8..]);
            if (version != Version) throw new InvalidDataException($"'{path}' has feature-store version {version}; this build reads version {Version}.");
            int count = BinaryPrimitives.ReadInt32LittleEndian(h[12..]), rank = BinaryPrimitives.ReadInt32LittleEndian(h[16..]);
            if (count < 0 || rank < 1 || rank > MaxRank) throw new InvalidDataException($"'{path}' has an invalid feature-store header (count {count}, rank {rank}).");
            var shape = new int[rank];
            for (int i = 0; i < rank; i++) shape[i] = BinaryPrimitives.ReadInt32LittleEndian(h[(20 + 4 * i)..]);
            int keyLength = BinaryPrimitives.ReadInt32LittleEndian(h[36..]);
            long fileLength = BinaryPrimitives.ReadInt64LittleEndian(h[40..]);
            long rowLength = shape.Aggregate(1L, (a, d) => a * Math.Max(d, 0));
            long data = DataOffset(keyLength);
            if (shape.Any(d => d < 1) || keyLength < 0 || fileLength != length || data + 4 * rowLength * count != length)
                throw new InvalidDataException($"'{path}' is {length} bytes but its header describes {count} rows of [{string.Join(", ", shape)}] ({fileLength} bytes): truncated or not finished.");
            string key = Encoding.UTF8.GetString(new ReadOnlySpan<byte>(p + HeaderSize, keyLength));
            return new FeatureShard(path, mapped, accessor, p, count, shape, key, data);
        }
        catch
        {
            if (accessor is not null)
            {
                accessor.SafeMemoryMappedViewHandle.ReleasePointer();
                accessor.Dispose();
            }
            mapped.Dispose();
            throw;
        }
    }

    internal static long DataOffset(int keyLength) => (HeaderSize + keyLength + 63L) & ~63L;

    /// <summary>Unmaps the file; spans obtained earlier must no longer be used.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        view.SafeMemoryMappedViewHandle.ReleasePointer();
        view.Dispose();
        file.Dispose();
    }
}
