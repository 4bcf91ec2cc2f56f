// Magic-number detection. SKCodec only says "couldn't create"; sniffing lets us tell a text file
// named .jpg (not an image) from a TIFF/HEIC (real image, unsupported) from a damaged JPEG (corrupt).
using System.Text;

namespace Pipeline.Preprocessing.Images;

internal enum SniffKind { Supported, Unsupported, Unknown }

internal readonly record struct SniffResult(SniffKind Kind, ImageFormat Format, string Description);

internal static class FormatSniffer
{
    public static SniffResult Sniff(ReadOnlySpan<byte> d)
    {
        if (d.Length >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
            return Ok(ImageFormat.Jpeg);
        if (d.Length >= 8 && d[..8].SequenceEqual(PngMagic))
            return Ok(ImageFormat.Png);
        if (d.Length >= 6 && (d[..6].SequenceEqual("GIF87a"u8) || d[..6].SequenceEqual("GIF89a"u8)))
            return Ok(ImageFormat.Gif);
        if (d.Length >= 2 && d[0] == (byte)'B' && d[1] == (byte)'M')
            return Ok(ImageFormat.Bmp);
        if (d.Length >= 12 && d[..4].SequenceEqual("RIFF"u8) && d.Slice(8, 4).SequenceEqual("WEBP"u8))
            return Ok(ImageFormat.WebP);

        if (d.Length >= 4 && (d[..4].SequenceEqual("II*\0"u8) || d[..4].SequenceEqual("MM\0*"u8)))
            return No("TIFF");
        if (d.Length >= 12 && d.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            var brand = Encoding.ASCII.GetString(d.Slice(8, 4));
            return No(brand.StartsWith("avi", StringComparison.Ordinal) ? "AVIF" : brand.StartsWith("he", StringComparison.Ordinal) || brand.StartsWith("mif", StringComparison.Ordinal) ? "HEIF/HEIC" : $"ISO media ('{brand}')");
        }
        if (d.Length >= 4 && d[0] == 0 && d[1] == 0 && (d[2] == 1 || d[2] == 2) && d[3] == 0)
            return No("ICO/CUR");
        if (d.Length >= 4 && d[..4].SequenceEqual("8BPS"u8))
            return No("Photoshop PSD");
        if (d.Length >= 4 && d[..4].SequenceEqual("qoif"u8))
            return No("QOI");
        if (d.Length >= 2 && d[0] == 0xFF && d[1] == 0x0A)
            return No("JPEG XL");
        if (d.Length >= 12 && d[..12].SequenceEqual(Jp2Magic))
            return No("JPEG 2000");
        return new SniffResult(SniffKind.Unknown, default, "unknown data");
    }

    /// <summary>A short printable rendering of the first bytes for error messages.</summary>
    public static string Preview(ReadOnlySpan<byte> d)
    {
        var head = d[..Math.Min(8, d.Length)];
        var sb = new StringBuilder();
        foreach (byte b in head)
            sb.Append(b is >= 0x20 and < 0x7F ? (char)b : '.');
        return $"\"{sb}\" = {Convert.ToHexString(head)}";
    }

    private static ReadOnlySpan<byte> PngMagic => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static ReadOnlySpan<byte> Jp2Magic => [0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A];

    private static SniffResult Ok(ImageFormat f) => new(SniffKind.Supported, f, f.ToString());
    private static SniffResult No(string what) => new(SniffKind.Unsupported, default, what);
}
