// On-disk layout of a prepared shard, shared by writer and reader. Everything is little-endian
// and every section starts 8-byte aligned so the reader can hand out int spans straight from the
// memory map.
//
//   [0..128)  header (see offsets below)
//   pixels    count × side × side × 3 bytes, uint8 RGB, item after item
//   items     count × (int32 firstCaption, int32 captionCount)
//   capOffs   (captions + 1) × int64: start of each caption in the token array
//   tokens    int32 token ids
//   pathOffs  (count + 1) × int64: byte offsets into the path blob
//   paths     UTF-8 source paths
//   key       UTF-8 cache key (settings + source hash)
using System.Buffers.Binary;

namespace Pipeline.Preprocessing.Caching;

internal static class PreparedFormat
{
    public const int HeaderSize = 128;
    public const int Version = 1;
    public const int Channels = 3;
    public static ReadOnlySpan<byte> Magic => "PLPREP\r\n"u8;

    // Header field offsets.
    public const int OffVersion = 8, OffSide = 12, OffChannels = 16, OffCount = 20;
    public const int OffPixels = 24, OffItems = 32, OffCapOffsets = 40, OffTokens = 48, OffPathOffsets = 56, OffPaths = 64, OffKey = 72;
    public const int OffKeyLength = 80, OffCaptionCount = 84, OffTokenCount = 88, OffFileLength = 96, OffSkipped = 104;

    public static long Align8(long x) => (x + 7) & ~7L;

    public readonly record struct Header(
        int Side, int Count, long Pixels, long Items, long CapOffsets, long Tokens, long PathOffsets, long Paths,
        long Key, int KeyLength, int CaptionCount, long TokenCount, long FileLength, int Skipped);

    public static void Write(Span<byte> h, in Header x)
    {
        h[..HeaderSize].Clear();
        Magic.CopyTo(h);
        BinaryPrimitives.WriteInt32LittleEndian(h[OffVersion..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(h[OffSide..], x.Side);
        BinaryPrimitives.WriteInt32LittleEndian(h[OffChannels..], Channels);
        BinaryPrimitives.WriteInt32LittleEndian(h[OffCount..], x.Count);
        BinaryPrimitives.WriteInt64LittleEndian(h[OffPixels..], x.Pixels);
        BinaryPrimitives.WriteInt64LittleEndian(h[OffItems..], x.Items);
        BinaryPrimitives.WriteInt64LittleEndian(h[OffCapOffsets..], x.CapOffsets);
        BinaryPrimitives.WriteInt64LittleEndian(h[OffTokens..], x.Tokens);
        BinaryPrimitives.WriteInt64LittleEndian(h[OffPathOffsets..], x.PathOffsets);
        BinaryPrimitives.WriteInt64LittleEndian(h[OffPaths..], x.Paths);
        BinaryPrimitives.WriteInt64LittleEndian(h[OffKey..], x.Key);
        BinaryPrimitives.WriteInt32LittleEndian(h[OffKeyLength..], x.KeyLength);
        BinaryPrimitives.WriteInt32LittleEndian(h[OffCaptionCount..], x.CaptionCount);
        BinaryPrimitives.WriteInt64LittleEndian(h[OffTokenCount..], x.TokenCount);
        BinaryPrimitives.WriteInt64LittleEndian(h[OffFileLength..], x.FileLength);
        BinaryPrimitives.WriteInt32LittleEndian(h[OffSkipped..], x.Skipped);
    }

    /// <summary>Parses and bounds-checks a header; throws <see cref="InvalidDataException"/> naming <paramref name="file"/>.</summary>
    public static Header Read(ReadOnlySpan<byte> h, long actualLength, string file)
    {
        if (actualLength < HeaderSize || !h[..8].SequenceEqual(Magic))
            throw new InvalidDataException($"'{file}' is not a prepared shard (bad magic or shorter than the {HeaderSize}-byte header).");
        int version = BinaryPrimitives.ReadInt32LittleEndian(h[OffVersion..]);
        if (version != Version)
            throw new InvalidDataException($"'{file}' has prepared-shard version {version}; this build reads version {Version}.");
        if (BinaryPrimitives.ReadInt32LittleEndian(h[OffChannels..]) != Channels)
            throw new InvalidDataException($"'{file}' does not store 3-channel pixels.");
        var x = new Header(
            BinaryPrimitives.ReadInt32LittleEndian(h[OffSide..]),
            BinaryPrimitives.ReadInt32LittleEndian(h[OffCount..]),
            BinaryPrimitives.ReadInt64LittleEndian(h[OffPixels..]),
            BinaryPrimitives.ReadInt64LittleEndian(h[OffItems..]),
            BinaryPrimitives.ReadInt64LittleEndian(h[OffCapOffsets..]),
            BinaryPrimitives.ReadInt64LittleEndian(h[OffTokens..]),
            BinaryPrimitives.ReadInt64LittleEndian(h[OffPathOffsets..]),
            BinaryPrimitives.ReadInt64LittleEndian(h[OffPaths..]),
            BinaryPrimitives.ReadInt64LittleEndian(h[OffKey..]),
            BinaryPrimitives.ReadInt32LittleEndian(h[OffKeyLength..]),
            BinaryPrimitives.ReadInt32LittleEndian(h[OffCaptionCount..]),
            BinaryPrimitives.ReadInt64LittleEndian(h[OffTokenCount..]),
            BinaryPrimitives.ReadInt64LittleEndian(h[OffFileLength..]),
            BinaryPrimitives.ReadInt32LittleEndian(h[OffSkipped..]));
        if (x.FileLength != actualLength)
            throw new InvalidDataException($"'{file}' is {actualLength} bytes but its header says {x.FileLength}: the shard is truncated or was not finished.");
        bool ok = x.Side > 0 && x.Count >= 0 && x.CaptionCount >= 0 && x.TokenCount >= 0 && x.KeyLength >= 0
            && x.Pixels == HeaderSize
            && x.Items >= x.Pixels + (long)x.Count * x.Side * x.Side * Channels
            && x.CapOffsets >= x.Items + 8L * x.Count
            && x.Tokens >= x.CapOffsets + 8L * (x.CaptionCount + 1)
            && x.PathOffsets >= x.Tokens + 4L * x.TokenCount
            && x.Paths >= x.PathOffsets + 8L * (x.Count + 1)
            && x.Key >= x.Paths && x.Key + x.KeyLength <= actualLength
            && x.Tokens % 4 == 0 && x.CapOffsets % 8 == 0 && x.PathOffsets % 8 == 0;
        if (!ok)
            throw new InvalidDataException($"'{file}' has an inconsistent prepared-shard header (sections out of order or out of bounds).");
        return x;
    }
}
