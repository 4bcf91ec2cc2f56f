// Normalize stage: uint8 HWC window → float CHW, (p/255 - mean)/std. A 3×256 lookup table turns
// the per-pixel arithmetic into a load, and reading through the crop window avoids a copy.
namespace Pipeline.Preprocessing.Images;

/// <summary>Converts RGB bytes to normalised, channel-planar floats.</summary>
public sealed class NormalizeStage
{
    private readonly float[] _lut = new float[3 * 256];

    /// <summary>Builds the lookup table for <paramref name="mean"/> and <paramref name="std"/> (0..1 pixel scale).</summary>
    public NormalizeStage(ChannelStats mean, ChannelStats std)
    {
        for (int c = 0; c < 3; c++)
        {
            if (!(std[c] > 0))
                throw new ArgumentException($"Std[{c}] must be positive, got {std[c]}.");
            for (int v = 0; v < 256; v++)
                _lut[c * 256 + v] = (v / 255f - mean[c]) / std[c];
        }
    }

    /// <summary>The normalised value of byte <paramref name="value"/> in channel <paramref name="channel"/>.</summary>
    public float Value(int channel, byte value) => _lut[channel * 256 + value];

    /// <summary>
    /// Writes the window <paramref name="w"/> of the width-wide HWC image <paramref name="hwc"/> as CHW
    /// into <paramref name="dest"/> (length 3·size²). Allocation-free.
    /// </summary>
    public void ToChw(ReadOnlySpan<byte> hwc, int width, CropWindow w, Span<float> dest)
    {
        int s = w.Size, plane = s * s;
        if (dest.Length < 3 * plane)
            throw new ArgumentException($"Destination needs {3 * plane} floats, has {dest.Length}.", nameof(dest));
        var lut = _lut.AsSpan();
        var lr = lut[..256];
        var lg = lut.Slice(256, 256);
        var lb = lut.Slice(512, 256);
        var dr = dest[..plane];
        var dg = dest.Slice(plane, plane);
        var db = dest.Slice(2 * plane, plane);
        for (int y = 0; y < s; y++)
        {
            var row = hwc.Slice(((w.Y + y) * width + w.X) * 3, s * 3);
            int o = y * s;
            if (!w.Flip)
            {
                for (int x = 0, i = 0; x < s; x++, i += 3)
                {
                    dr[o + x] = lr[row[i]];
                    dg[o + x] = lg[row[i + 1]];
                    db[o + x] = lb[row[i + 2]];
                }
            }
            else
            {
                for (int x = 0, i = (s - 1) * 3; x < s; x++, i -= 3)
                {
                    dr[o + x] = lr[row[i]];
                    dg[o + x] = lg[row[i + 1]];
                    db[o + x] = lb[row[i + 2]];
                }
            }
        }
    }
}
