// Streams a prepared shard to disk: pixels are appended as items arrive (so memory stays small
// however many images there are), while the small caption/path tables are kept in memory and
// written at the end, followed by the header that points at them.
using System.Runtime.InteropServices;
using System.Text;

namespace Pipeline.Preprocessing.Caching;

/// <summary>Writes a prepared shard item by item. Call <see cref="Complete"/> to finish; disposing without it leaves an invalid file.</summary>
public sealed class PreparedShardWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _path;
    private readonly string _key;
    private readonly List<(int First, int Count)> _items = [];
    private readonly List<long> _captionStarts = [0];
    private readonly List<int> _tokens = [];
    private readonly List<string> _paths = [];
    private int _skipped;
    private bool _completed;

    /// <summary>Creates (overwrites) <paramref name="path"/> for <paramref name="side"/>² RGB items under cache <paramref name="key"/>.</summary>
    public PreparedShardWriter(string path, int side, string key)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(side, 1);
        ArgumentNullException.ThrowIfNull(key);
        _path = path;
        Side = side;
        _key = key;
        _stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        _stream.Write(new byte[PreparedFormat.HeaderSize]);
    }

    /// <summary>Side of every stored square image.</summary>
    public int Side { get; }

    /// <summary>Items written so far.</summary>
    public int Count => _items.Count;

    /// <summary>Appends one item: <paramref name="rgb"/> is side·side·3 bytes (HWC), captions are token-id arrays.</summary>
    public void Add(ReadOnlySpan<byte> rgb, IReadOnlyList<int[]> captions, string sourcePath)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (rgb.Length != Side * Side * PreparedFormat.Channels)
            throw new ArgumentException($"Expected {Side}x{Side}x3 = {Side * Side * 3} bytes for '{sourcePath}', got {rgb.Length}.", nameof(rgb));
        ArgumentNullException.ThrowIfNull(captions);
        _stream.Write(rgb);
        _items.Add((_captionStarts.Count - 1, captions.Count));
        foreach (var c in captions)
        {
            _tokens.AddRange(c);
            _captionStarts.Add(_tokens.Count);
        }
        _paths.Add(sourcePath);
    }

    /// <summary>Records that an input item was left out (e.g. undecodable); stored in the header for later inspection.</summary>
    public void MarkSkipped() => _skipped++;

    /// <summary>Writes the tables and header and flushes to disk.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        long items = PreparedFormat.Align8(_stream.Position);
        Pad(items);
        foreach (var (first, count) in _items)
        {
            WriteInt32(first);
            WriteInt32(count);
        }
        long capOffsets = _stream.Position; // items are 8 bytes each, still aligned
        foreach (long s in _captionStarts)
            WriteInt64(s);
        long tokens = _stream.Position;
        _stream.Write(MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(_tokens)));
        long pathOffsets = PreparedFormat.Align8(_stream.Position);
        Pad(pathOffsets);
        var pathBytes = _paths.Select(Encoding.UTF8.GetBytes).ToList();
        long off = 0;
        WriteInt64(0);
        foreach (var p in pathBytes)
            WriteInt64(off += p.Length);
        long paths = _stream.Position;
        foreach (var p in pathBytes)
            _stream.Write(p);
        long key = _stream.Position;
        var keyBytes = Encoding.UTF8.GetBytes(_key);
        _stream.Write(keyBytes);
        long length = _stream.Position;

        var h = new PreparedFormat.Header(Side, _items.Count, PreparedFormat.HeaderSize, items, capOffsets, tokens, pathOffsets, paths,
            key, keyBytes.Length, _captionStarts.Count - 1, _tokens.Count, length, _skipped);
        var header = new byte[PreparedFormat.HeaderSize];
        PreparedFormat.Write(header, h);
        _stream.Position = 0;
        _stream.Write(header);
        _stream.Flush(flushToDisk: true);
        _completed = true;
        _stream.Dispose();
    }

    /// <summary>Closes the file; an uncompleted shard is deleted so it can never be mistaken for a valid one.</summary>
    public void Dispose()
    {
        if (_completed)
            return;
        _completed = true;
        _stream.Dispose();
        try { File.Delete(_path); } catch (IOException) { }
    }

    private void Pad(long to)
    {
        while (_stream.Position < to)
            _stream.WriteByte(0);
    }

    private void WriteInt32(int v)
    {
        Span<byte> b = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(b, v);
        _stream.Write(b);
    }

    private void WriteInt64(long v)
    {
        Span<byte> b = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(b, v);
        _stream.Write(b);
    }
}
