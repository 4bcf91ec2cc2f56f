// Test fixtures written from scratch: SkiaSharp encodes PNG/JPEG/WebP; BMP, GIF, 16-bit/grey PNG
// and EXIF segments are assembled by hand here because SkiaSharp 2.88 cannot encode them.
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SkiaSharp;

namespace Pipeline.Preprocessing.Tests.Images;

internal static class TestImageFactory
{
    public static readonly (byte R, byte G, byte B) Red = (220, 30, 30), Green = (30, 200, 40), Blue = (30, 50, 220), Yellow = (240, 220, 30);

    /// <summary>RGB pixels (HWC) with quadrant colours TL red, TR green, BL blue, BR yellow.</summary>
    public static byte[] Quadrants(int w, int h)
    {
        var px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var c = (x < w / 2, y < h / 2) switch { (true, true) => Red, (false, true) => Green, (true, false) => Blue, _ => Yellow };
                int i = (y * w + x) * 3;
                px[i] = c.R; px[i + 1] = c.G; px[i + 2] = c.B;
            }
        return px;
    }

    /// <summary>A smooth diagonal gradient (for comparisons where filters differ only at edges).</summary>
    public static byte[] Gradient(int w, int h)
    {
        var px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = (y * w + x) * 3;
                px[i] = (byte)(255 * x / (w - 1));
                px[i + 1] = (byte)(255 * y / (h - 1));
                px[i + 2] = (byte)(128 + 100 * Math.Sin((x + y) / 10.0));
            }
        return px;
    }

    public static byte[] EncodeSkia(byte[] rgb, int w, int h, SKEncodedImageFormat format, int quality = 100)
    {
        using var bmp = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[w * h * 4];
        for (int i = 0, j = 0; i < w * h; i++, j += 3)
        {
            rgba[i * 4] = rgb[j]; rgba[i * 4 + 1] = rgb[j + 1]; rgba[i * 4 + 2] = rgb[j + 2]; rgba[i * 4 + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bmp.GetPixels(), rgba.Length);
        using var data = bmp.Encode(format, quality) ?? throw new InvalidOperationException($"SkiaSharp cannot encode {format}.");
        return data.ToArray();
    }

    public static byte[] Png(byte[] rgb, int w, int h) => EncodeSkia(rgb, w, h, SKEncodedImageFormat.Png);
    public static byte[] Jpeg(byte[] rgb, int w, int h) => EncodeSkia(rgb, w, h, SKEncodedImageFormat.Jpeg, 100);
    public static byte[] WebPLossless(byte[] rgb, int w, int h) => EncodeSkia(rgb, w, h, SKEncodedImageFormat.Webp, 100);

    /// <summary>24-bit uncompressed bottom-up BMP.</summary>
    public static byte[] Bmp(byte[] rgb, int w, int h)
    {
        int stride = (w * 3 + 3) & ~3;
        var b = new byte[54 + stride * h];
        b[0] = (byte)'B'; b[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(2), b.Length);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(18), w);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(22), h);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(34), stride * h);
        for (int y = 0; y < h; y++)
        {
            int row = 54 + (h - 1 - y) * stride;
            for (int x = 0; x < w; x++)
            {
                int s = (y * w + x) * 3;
                b[row + x * 3] = rgb[s + 2]; b[row + x * 3 + 1] = rgb[s + 1]; b[row + x * 3 + 2] = rgb[s];
            }
        }
        return b;
    }

    /// <summary>GIF89a with a 256-entry palette; LZW codes stay 9 bits wide by clearing the table every 250 pixels.</summary>
    public static byte[] Gif(byte[] rgb, int w, int h)
    {
        var palette = new List<(byte, byte, byte)>();
        var indices = new byte[w * h];
        for (int i = 0; i < w * h; i++)
        {
            var c = (rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]);
            int k = palette.IndexOf(c);
            if (k < 0) { palette.Add(c); k = palette.Count - 1; }
            indices[i] = (byte)k;
        }
        var ms = new MemoryStream();
        ms.Write("GIF89a"u8);
        Span<byte> lsd = stackalloc byte[7];
        BinaryPrimitives.WriteUInt16LittleEndian(lsd, (ushort)w);
        BinaryPrimitives.WriteUInt16LittleEndian(lsd[2..], (ushort)h);
        lsd[4] = 0xF7; // global table, 8 bits colour resolution, 256 entries
        ms.Write(lsd);
        for (int i = 0; i < 256; i++)
        {
            var c = i < palette.Count ? palette[i] : ((byte)0, (byte)0, (byte)0);
            ms.WriteByte(c.Item1); ms.WriteByte(c.Item2); ms.WriteByte(c.Item3);
        }
        ms.WriteByte(0x2C);
        Span<byte> desc = stackalloc byte[9];
        BinaryPrimitives.WriteUInt16LittleEndian(desc[4..], (ushort)w);
        BinaryPrimitives.WriteUInt16LittleEndian(desc[6..], (ushort)h);
        ms.Write(desc);
        ms.WriteByte(8); // LZW minimum code size
        var codes = new List<int> { 256 };
        for (int i = 0; i < indices.Length; i++)
        {
            if (i > 0 && i % 250 == 0) codes.Add(256);
            codes.Add(indices[i]);
        }
        codes.Add(257);
        var packed = new List<byte>();
        int acc = 0, bits = 0;
        foreach (int code in codes)
        {
            acc |= code << bits; bits += 9;
            while (bits >= 8) { packed.Add((byte)acc); acc >>= 8; bits -= 8; }
        }
        if (bits > 0) packed.Add((byte)acc);
        for (int i = 0; i < packed.Count; i += 255)
        {
            int n = Math.Min(255, packed.Count - i);
            ms.WriteByte((byte)n);
            ms.Write(packed.GetRange(i, n).ToArray());
        }
        ms.WriteByte(0);
        ms.WriteByte(0x3B);
        return ms.ToArray();
    }

    /// <summary>Hand-written PNG: colour type 0 (grey), 2 (RGB) or 6 (RGBA) at 8 or 16 bits; <paramref name="samples"/> are per-channel values.</summary>
    public static byte[] RawPng(int w, int h, int colorType, int bitDepth, Func<int, int, int, int> samples, int declaredW = 0, int declaredH = 0)
    {
        int channels = colorType switch { 0 => 1, 2 => 3, 6 => 4, _ => throw new ArgumentException("colour type") };
        int bps = bitDepth / 8;
        var raw = new MemoryStream();
        for (int y = 0; y < h; y++)
        {
            raw.WriteByte(0);
            for (int x = 0; x < w; x++)
                for (int c = 0; c < channels; c++)
                {
                    int v = samples(x, y, c);
                    if (bps == 2) raw.WriteByte((byte)(v >> 8));
                    raw.WriteByte((byte)v);
                }
        }
        var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true))
            zs.Write(raw.ToArray());
        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, declaredW == 0 ? w : declaredW);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), declaredH == 0 ? h : declaredH);
        ihdr[8] = (byte)bitDepth; ihdr[9] = (byte)colorType;
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", z.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        uint crc = Crc32(typeBytes.Concat(data).ToArray());
        BinaryPrimitives.WriteUInt32BigEndian(len, crc);
        s.Write(len);
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>Inserts an APP1 Exif segment (little-endian TIFF, one IFD entry: Orientation) right after SOI.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        var tiff = new byte[8 + 2 + 12 + 4];
        "II*\0"u8.CopyTo(tiff);
        BinaryPrimitives.WriteInt32LittleEndian(tiff.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(10), 0x0112); // Orientation
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(12), 3);      // SHORT
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(14), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(18), (ushort)orientation);
        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        var seg = new byte[4 + payload.Length];
        seg[0] = 0xFF; seg[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(seg.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(seg, 4);
        return jpeg.Take(2).Concat(seg).Concat(jpeg.Skip(2)).ToArray();
    }
}

/// <summary>A temporary directory removed after the test.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pp-tests-" + Guid.NewGuid().ToString("N")));
    public string Path { get; }
    public string File(string name, byte[] bytes)
    {
        string p = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllBytes(p, bytes);
        return p;
    }
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
