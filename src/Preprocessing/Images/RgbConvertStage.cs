// RGB stage: unpremultiplied RGBA → 8-bit RGB. Skia has already expanded grey, palette and
// 16-bit sources to RGBA8888; what remains is compositing transparency onto a known background
// so that transparent regions do not turn into arbitrary (often black) colours.
namespace Pipeline.Preprocessing.Images;

/// <summary>Drops alpha by compositing onto a background colour.</summary>
public static class RgbConvertStage
{
    /// <summary>Converts <paramref name="image"/> (already oriented) to RGB over <paramref name="background"/>.</summary>
    public static RgbImage Apply(DecodedImage image, Rgb8 background)
    {
        var dst = GC.AllocateUninitializedArray<byte>(checked(image.Width * image.Height * 3));
        Convert(image.Rgba, dst, background, image.IsOpaque);
        return new RgbImage(image.Width, image.Height, dst);
    }

    /// <summary>Span form: <paramref name="rgba"/> has 4 bytes per pixel, <paramref name="rgb"/> 3.</summary>
    public static void Convert(ReadOnlySpan<byte> rgba, Span<byte> rgb, Rgb8 background, bool opaque)
    {
        int n = rgba.Length / 4;
        if (rgb.Length < n * 3)
            throw new ArgumentException("Destination is too small.", nameof(rgb));
        if (opaque)
        {
            for (int i = 0, j = 0; i < n; i++, j += 3)
            {
                int s = i * 4;
                rgb[j] = rgba[s];
                rgb[j + 1] = rgba[s + 1];
                rgb[j + 2] = rgba[s + 2];
            }
            return;
        }
        int br = background.R, bg = background.G, bb = background.B;
        for (int i = 0, j = 0; i < n; i++, j += 3)
        {
            int s = i * 4;
            int a = rgba[s + 3];
            if (a == 255)
            {
                rgb[j] = rgba[s];
                rgb[j + 1] = rgba[s + 1];
                rgb[j + 2] = rgba[s + 2];
            }
            else
            {
                int ia = 255 - a;
                // +127 rounds to nearest instead of truncating, keeping 50% blends symmetric.
                rgb[j] = (byte)((rgba[s] * a + br * ia + 127) / 255);
                rgb[j + 1] = (byte)((rgba[s + 1] * a + bg * ia + 127) / 255);
                rgb[j + 2] = (byte)((rgba[s + 2] * a + bb * ia + 127) / 255);
            }
        }
    }
}
