// Orient stage: applies the EXIF orientation (1..8) that SKCodec reports but does not apply,
// so a phone photo stored sideways reaches the model upright.
using System.Runtime.InteropServices;

namespace Pipeline.Preprocessing.Images;

/// <summary>Rotates/mirrors decoded RGBA pixels according to their EXIF orientation.</summary>
public static class OrientStage
{
    /// <summary>Returns an image with orientation 1; <paramref name="image"/> itself if nothing needs to change.</summary>
    public static DecodedImage Apply(DecodedImage image)
    {
        int o = image.Orientation;
        if (o == 1)
            return image;
        int w = image.Width, h = image.Height;
        bool swaps = o >= 5;
        int outW = swaps ? h : w, outH = swaps ? w : h;
        var dst = GC.AllocateUninitializedArray<byte>(image.Rgba.Length);
        // A pixel is 4 bytes, so moving uints moves whole pixels at once.
        var src32 = MemoryMarshal.Cast<byte, uint>(image.Rgba.AsSpan());
        var dst32 = MemoryMarshal.Cast<byte, uint>(dst.AsSpan());
        for (int sy = 0; sy < h; sy++)
        {
            var row = src32.Slice(sy * w, w);
            for (int sx = 0; sx < w; sx++)
            {
                var (dx, dy) = Map(o, sx, sy, w, h);
                dst32[dy * outW + dx] = row[sx];
            }
        }
        return image with { Width = outW, Height = outH, Rgba = dst, Orientation = 1 };
    }

    /// <summary>Where stored pixel (sx, sy) of a w×h image lands once displayed with orientation <paramref name="o"/>.</summary>
    internal static (int X, int Y) Map(int o, int sx, int sy, int w, int h) => o switch
    {
        2 => (w - 1 - sx, sy),          // mirrored left-right
        3 => (w - 1 - sx, h - 1 - sy),  // rotated 180°
        4 => (sx, h - 1 - sy),          // mirrored top-bottom
        5 => (sy, sx),                  // transposed
        6 => (h - 1 - sy, sx),          // needs 90° clockwise
        7 => (h - 1 - sy, w - 1 - sx),  // transversed
        8 => (sy, w - 1 - sx),          // needs 90° counter-clockwise
        _ => (sx, sy),
    };
}
