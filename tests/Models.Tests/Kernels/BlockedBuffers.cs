// Seeded test data for the blocked-layout kernels (DirectConv2d, WinogradConv2d): uniform values and
// NCHW tensors converted to a BlockedLayout buffer (border and unused lanes zero).
using Pipeline.Models.Kernels;

namespace Pipeline.Models.Tests.Kernels;

internal static unsafe class BlockedBuffers
{
    /// <summary><paramref name="length"/> values uniform in ±<paramref name="magnitude"/>.</summary>
    public static float[] Uniform(Random random, int length, double magnitude)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * magnitude);
        return values;
    }

    /// <summary>A random (N, C, H, W) tensor in ±1 laid out as <paramref name="layout"/>.</summary>
    public static float[] Random(Random random, BlockedLayout layout)
    {
        var source = Uniform(random, layout.Batch * layout.Channels * layout.Height * layout.Width, 1.0);
        var blocked = new float[layout.Length];
        fixed (float* b = blocked) layout.FromNchw(source, b);
        return blocked;
    }
}
