// Deterministic photo-like test images: smooth colour fields (a few random low-frequency waves per
// channel) plus a little pixel noise and an edge, so a pretrained CNN sees structure at every scale
// rather than flat noise. Values are pixel intensities in 0..255, CHW planes (R, G, B).
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Pretrained;

internal static class TestImages
{
    /// <summary><paramref name="count"/> images (count, 3, side, side) in 0..255.</summary>
    public static float[] Natural(int count, int side, ulong seed)
    {
        var rng = new Random((int)seed);
        var values = new float[count * 3 * side * side];
        for (int b = 0; b < count; b++)
            for (int c = 0; c < 3; c++)
            {
                var waves = Enumerable.Range(0, 4).Select(_ => (fx: rng.NextDouble() * 12, fy: rng.NextDouble() * 12, phase: rng.NextDouble() * 6.28, amp: 20 + rng.NextDouble() * 40)).ToArray();
                double baseLevel = 60 + rng.NextDouble() * 120, edge = rng.NextDouble() * side;
                for (int y = 0; y < side; y++)
                    for (int x = 0; x < side; x++)
                    {
                        double v = baseLevel + (x > edge ? 30 : -30);
                        foreach (var w in waves) v += w.amp * Math.Sin(2 * Math.PI * (w.fx * x + w.fy * y) / side + w.phase);
                        v += rng.NextDouble() * 16 - 8;
                        values[((b * 3 + c) * side + y) * side + x] = (float)Math.Clamp(Math.Round(v), 0, 255);
                    }
            }
        return values;
    }
}
