// Decode stage: bytes → unpremultiplied RGBA via SkiaSharp's SKCodec. The header is inspected
// (format allow-list, dimensions, bomb limit) before any pixel memory is allocated, and every
// failure is translated into an ImageDecodeException that names the file and the problem. Files are read
// only when they are regular files, with the size bounded before and during the read (BoundedFile).
using Pipeline.Preprocessing.Files;
using SkiaSharp;

namespace Pipeline.Preprocessing.Images;

/// <summary>Decodes JPEG, PNG, BMP, GIF (first frame) and WebP into <see cref="DecodedImage"/>.</summary>
public static class ImageDecoder
{
    /// <summary>Largest encoded file accepted (the whole file is read into memory before decoding).</summary>
    public const long MaxEncodedBytes = 512L * 1024 * 1024;

    /// <summary>Reads and decodes <paramref name="path"/>, refusing images above <paramref name="maxPixels"/>.</summary>
    /// <exception cref="ImageDecodeException">For every unreadable, empty, non-image, unsupported, oversized, truncated or corrupt file.</exception>
    public static DecodedImage DecodeFile(string path, long maxPixels) => DecodeFile(path, maxPixels, 0);

    /// <summary>
    /// As <see cref="DecodeFile(string, long)"/>; when <paramref name="minShorterSide"/> &gt; 0, a JPEG may be decoded at
    /// 1/2, 1/4 or 1/8 scale (libjpeg DCT scaling) as long as its shorter side stays ≥ <paramref name="minShorterSide"/>.
    /// </summary>
    public static DecodedImage DecodeFile(string path, long maxPixels, int minShorterSide)
    {
        byte[] bytes;
        try
        {
            // Only regular files are read (a FIFO named .png would block the reader, a link to /dev/zero would be read until
            // memory runs out), and the size is checked before reading and bounded while reading.
            var status = FileSystemEntry.Stat(path);
            if (status.Kind is not (FileKind.Regular or FileKind.Missing or FileKind.Directory))
                throw new ImageDecodeException(path, ImageDecodeError.Unreadable,
                    $"the path is {FileSystemEntry.Describe(status.Kind)}, not a regular file; only regular image files are read.");
            if (status.Kind == FileKind.Regular && status.Length > MaxEncodedBytes)
                throw new ImageDecodeException(path, ImageDecodeError.FileTooLarge,
                    $"the file is {status.Length:N0} bytes; encoded images above {MaxEncodedBytes:N0} bytes are refused.");
            bytes = BoundedFile.ReadAllBytes(path, MaxEncodedBytes, "image");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or InvalidDataException)
        {
            string why = e switch
            {
                _ when Directory.Exists(path) => "the path is a directory, not a file",
                FileNotFoundException or DirectoryNotFoundException => "file not found",
                UnauthorizedAccessException => "permission denied",
                InvalidDataException => "the file grew beyond the size limit while being read",
                _ => "the file could not be read",
            };
            throw new ImageDecodeException(path, ImageDecodeError.Unreadable, $"{why} ({e.Message})", e);
        }
        return Decode(bytes, path, maxPixels, minShorterSide);
    }

    /// <summary>Decodes an in-memory encoded image; <paramref name="name"/> is used in error messages.</summary>
    /// <exception cref="ImageDecodeException">See <see cref="DecodeFile(string, long)"/>.</exception>
    public static DecodedImage Decode(byte[] data, string name, long maxPixels) => Decode(data, name, maxPixels, 0);

    /// <summary>Decodes an in-memory image, optionally at a reduced JPEG scale (see <see cref="DecodeFile(string, long, int)"/>).</summary>
    public static DecodedImage Decode(byte[] data, string name, long maxPixels, int minShorterSide)
    {
        if (data.Length == 0)
            throw new ImageDecodeException(name, ImageDecodeError.Empty, "the file is empty (0 bytes); expected JPEG, PNG, BMP, GIF or WebP data.");

        var sniffed = FormatSniffer.Sniff(data);
        if (sniffed.Kind == SniffKind.Unsupported)
            throw new ImageDecodeException(name, ImageDecodeError.UnsupportedFormat,
                $"{sniffed.Description} is not a supported format; expected JPEG, PNG, BMP, GIF or WebP.");
        if (sniffed.Kind == SniffKind.Unknown)
            throw new ImageDecodeException(name, ImageDecodeError.NotAnImage,
                $"not an image: the first bytes ({FormatSniffer.Preview(data)}) match no known image signature; expected JPEG, PNG, BMP, GIF or WebP.");

        using var skData = SKData.CreateCopy(data);
        using var codec = SKCodec.Create(skData);
        if (codec is null)
            throw new ImageDecodeException(name, data.Length < 64 ? ImageDecodeError.Truncated : ImageDecodeError.Corrupt,
                $"the {sniffed.Format} header is truncated or corrupt ({data.Length} bytes); the codec could not read the image dimensions.");

        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0)
            throw new ImageDecodeException(name, ImageDecodeError.Corrupt, $"the {sniffed.Format} header declares invalid dimensions {info.Width}x{info.Height}.");
        long pixels = (long)info.Width * info.Height;
        if (pixels > maxPixels)
            throw new ImageDecodeException(name, ImageDecodeError.TooManyPixels,
                $"{info.Width}x{info.Height} = {pixels:N0} pixels exceeds the limit of {maxPixels:N0} pixels (possible decompression bomb).");

        var (outW, outH) = (info.Width, info.Height);
        if (minShorterSide > 0 && sniffed.Format == ImageFormat.Jpeg)
        {
            // Decoding a 4000x3000 photo at 1/8 in the DCT is several times cheaper than decoding it fully and
            // then throwing most pixels away; the antialiased resize stage finishes the job from there.
            foreach (float scale in (ReadOnlySpan<float>)[0.125f, 0.25f, 0.5f])
            {
                var dims = codec.GetScaledDimensions(scale);
                if (Math.Min(dims.Width, dims.Height) >= minShorterSide && dims.Width < info.Width)
                {
                    (outW, outH) = (dims.Width, dims.Height);
                    break;
                }
            }
        }
        var target = new SKImageInfo(outW, outH, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = GC.AllocateUninitializedArray<byte>(checked(outW * outH * 4));
        SKCodecResult result;
        unsafe
        {
            fixed (byte* p = rgba)
                result = codec.GetPixels(target, (IntPtr)p, target.RowBytes, new SKCodecOptions(0));
        }
        switch (result)
        {
            case SKCodecResult.Success:
                break;
            case SKCodecResult.IncompleteInput:
                throw new ImageDecodeException(name, ImageDecodeError.Truncated,
                    $"the {sniffed.Format} data is truncated ({data.Length} bytes): it ends before all {info.Width}x{info.Height} pixels were decoded.");
            case SKCodecResult.ErrorInInput:
            case SKCodecResult.InvalidInput:
                throw new ImageDecodeException(name, ImageDecodeError.Corrupt, $"the {sniffed.Format} pixel data is corrupt (codec: {result}).");
            default:
                throw new ImageDecodeException(name, ImageDecodeError.Corrupt, $"the {sniffed.Format} image could not be decoded (codec: {result}).");
        }

        int orientation = (int)codec.EncodedOrigin;
        if (orientation is < 1 or > 8)
            orientation = 1;
        bool opaque = info.AlphaType == SKAlphaType.Opaque;
        return new DecodedImage(outW, outH, rgba, orientation, sniffed.Format, opaque);
    }
}
