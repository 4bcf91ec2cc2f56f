// A tiny PNG writer whose bytes depend only on the pixels. Native encoders (libpng + zlib inside
// Skia, zlib-ng inside .NET) may pick different deflate matches on different CPUs or versions;
// "same seed → identical files" has to hold across machines, so the synthetic images are written
// with stored (uncompressed) deflate blocks. The noisy scenes compress poorly anyway (~1.8x).
using System.Buffers.Binary;

namespace Pipeline.Preprocessing.Synthetic;

/// <summary>Encodes 8-bit RGB images as PNG with stored deflate blocks; output is a pure function of the input.</summary>
public static class DeterministicPng
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Encodes <paramref name="rgb"/> (row-major, 3 bytes per pixel) as a truecolour PNG.</summary>
    public static byte[] EncodeRgb(ReadOnlySpan<byte> rgb, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        int rowBytes = width * 3;
        if (rgb.Length != rowBytes * height)
            throw new ArgumentException($"Expected {width}x{height}x3 bytes, got {rgb.Length}.", nameof(rgb));

        // Scanlines with filter byte 0 (None): the raw stream that deflate wraps.
        int rawLength = (rowBytes + 1) * height;
        var raw = new byte[rawLength];
        for (int y = 0; y < height; y++)
            rgb.Slice(y * rowBytes, rowBytes).CopyTo(raw.AsSpan(y * (rowBytes + 1) + 1));

        int blocks = Math.Max(1, (rawLength + 65534) / 65535);
        int zlibLength = 2 + blocks * 5 + rawLength + 4;
        var output = new byte[8 + (12 + 13) + (12 + zlibLength) + 12];
        var span = output.AsSpan();
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        signature.CopyTo(span);
        int pos = 8;

        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 2;  // truecolour
        ihdr[10] = 0; // deflate
        ihdr[11] = 0; // adaptive filtering (filter bytes per row)
        ihdr[12] = 0; // no interlace
        pos = WriteChunk(span, pos, "IHDR"u8, ihdr);

        var z = new byte[zlibLength];
        z[0] = 0x78; // deflate, 32 KiB window
        z[1] = 0x01; // fastest-level flag; (0x78 << 8 | 0x01) % 31 == 0 as zlib requires
        int zp = 2;
        for (int offset = 0, b = 0; b < blocks; b++)
        {
            int len = Math.Min(65535, rawLength - offset);
            z[zp] = (byte)(b == blocks - 1 ? 1 : 0); // BFINAL, BTYPE=00 (stored)
            BinaryPrimitives.WriteUInt16LittleEndian(z.AsSpan(zp + 1), (ushort)len);
            BinaryPrimitives.WriteUInt16LittleEndian(z.AsSpan(zp + 3), (ushort)~len);
            raw.AsSpan(offset, len).CopyTo(z.AsSpan(zp + 5));
            zp += 5 + len;
            offset += len;
        }
        BinaryPrimitives.WriteUInt32BigEndian(z.AsSpan(zp), Adler32(raw));
        pos = WriteChunk(span, pos, "IDAT"u8, z);
        pos = WriteChunk(span, pos, "IEND"u8, []);
        return pos == output.Length ? output : output[..pos];
    }

    private static int WriteChunk(Span<byte> dst, int pos, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        BinaryPrimitives.WriteInt32BigEndian(dst[pos..], data.Length);
        type.CopyTo(dst[(pos + 4)..]);
        data.CopyTo(dst[(pos + 8)..]);
        uint crc = Crc32(dst.Slice(pos + 4, 4 + data.Length));
        BinaryPrimitives.WriteUInt32BigEndian(dst[(pos + 8 + data.Length)..], crc);
        return pos + 12 + data.Length;
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data)
            c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return ~c;
    }

    private static uint Adler32(ReadOnlySpan<byte> data)
    {
        const uint Mod = 65521;
        uint a = 1, b = 0;
        // 5552 is the largest run before the sums can overflow 32 bits (per the zlib reference).
        for (int i = 0; i < data.Length;)
        {
            int end = Math.Min(data.Length, i + 5552);
            for (; i < end; i++)
            {
                a += data[i];
                b += a;
            }
            a %= Mod;
            b %= Mod;
        }
        return (b << 16) | a;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
