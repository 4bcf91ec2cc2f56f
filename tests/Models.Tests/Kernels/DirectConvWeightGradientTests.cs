// DirectConvWeightGradient (weight gradient on blocked buffers) against DirectConv2dReference.WeightGradient on the
// same buffers, and its AddTo against a naive NCHW sum in double. Geometries cover each tap table (3×3 with 16 and
// 3 lanes, 1×1 with 16 lanes), strides 1 and 2, padding 0 and 1, odd map sizes, input channels that are not a
// multiple of 16 (unused lanes), several output tiles and input blocks, batches split into image groups, and maps
// narrower or shorter than a pixel chunk.
// Tolerance: float32 sums of N·P products (P = output pixels) against double; 2e-6 of the sum of magnitudes + 1e-6.
using Pipeline.Models.Kernels;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Kernels;

public unsafe class DirectConvWeightGradientTests
{
    public static TheoryData<int, int, int, int, int, int, int> Geometries => new()
    {
        // batch, inChannels, outChannels, size, kernel, stride, padding
        { 2, 16, 32, 9, 3, 1, 1 },
        { 3, 20, 64, 11, 3, 2, 1 },      // unused lanes, two output tiles, stride 2, odd size
        { 2, 3, 32, 13, 3, 2, 1 },       // RGB image: 3 lanes
        { 1, 3, 32, 7, 3, 1, 1 },
        { 2, 16, 64, 8, 1, 2, 0 },       // 1×1 stride 2 (projection shortcut)
        { 5, 33, 32, 5, 1, 1, 0 },       // 1×1, three input blocks, 5 images in groups
        { 4, 32, 32, 6, 3, 1, 0 },       // no padding
        { 1, 16, 32, 23, 3, 1, 1 },      // rows wider than a chunk
    };

    [Avx512Theory]
    [MemberData(nameof(Geometries))]
    public void Kernel_matches_the_reference(int batch, int inChannels, int outChannels, int size, int kernel, int stride, int padding)
    {
        var random = new Random(size * 100 + inChannels * 10 + stride);
        int lanes = inChannels == 3 ? 3 : 16, outSize = DirectConv2d.OutputSize(size, kernel, stride, padding);
        var inLayout = new BlockedLayout(batch, inChannels, lanes, size, size, padding);
        var gradLayout = new BlockedLayout(batch, outChannels, 16, outSize, outSize, 1);
        var input = BlockedBuffers.Random(random, inLayout);
        var gradient = BlockedBuffers.Random(random, gradLayout);
        int length = DirectConvWeightGradient.PackedLength(outChannels, inLayout, kernel, kernel);
        int groups = DirectConvWeightGradient.ImageGroups(outChannels, inLayout);
        var packed = new float[length];
        var scratch = new float[Math.Max(1, groups - 1) * length];
        Array.Fill(packed, 7f);                        // every entry must be overwritten
        Array.Fill(scratch, 7f);
        double[] expected;
        fixed (float* x = input)
        fixed (float* g = gradient)
        fixed (float* p = packed)
        fixed (float* s = scratch)
        {
            DirectConvWeightGradient.Compute(kernel, kernel, stride, padding, inLayout, x, gradLayout, g, p, length, s);
            expected = DirectConv2dReference.WeightGradient(kernel, kernel, stride, padding, inLayout, x, gradLayout, g);
        }
        // The image groups' partial sums are added by AddTo; sum them here in the same order.
        double bound = batch * outSize * outSize + 3;
        for (int i = 0; i < length; i++)
        {
            double actual = packed[i];
            for (int group = 1; group < groups; group++) actual += scratch[(group - 1) * length + i];
            Assert.True(Math.Abs(actual - expected[i]) <= 2e-6 * bound + 1e-6, $"element {i} (groups {groups}): fast {actual}, reference {expected[i]}");
        }
    }

    [Avx512Fact]
    public void AddTo_accumulates_the_nchw_gradient()
    {
        const int Batch = 3, C = 20, O = 32, Size = 6, K = 3;
        var random = new Random(5);
        var inLayout = new BlockedLayout(Batch, C, 16, Size, Size, 1);
        var gradLayout = new BlockedLayout(Batch, O, 16, Size, Size, 0);
        var xs = BlockedBuffers.Uniform(random, Batch * C * Size * Size, 1.0);
        var gs = BlockedBuffers.Uniform(random, Batch * O * Size * Size, 1.0);
        var x = new float[inLayout.Length];
        var g = new float[gradLayout.Length];
        int length = DirectConvWeightGradient.PackedLength(O, inLayout, K, K), groups = DirectConvWeightGradient.ImageGroups(O, inLayout);
        var packed = new float[length];
        var scratch = new float[Math.Max(1, groups - 1) * length];
        var weightGrad = new float[O * C * K * K];
        Array.Fill(weightGrad, 0.5f);                  // AddTo adds
        fixed (float* xp = x)
        fixed (float* gp = g)
        fixed (float* p = packed)
        fixed (float* s = scratch)
        {
            inLayout.FromNchw(xs, xp);
            gradLayout.FromNchw(gs, gp);
            DirectConvWeightGradient.Compute(K, K, 1, 1, inLayout, xp, gradLayout, gp, p, length, s);
            DirectConvWeightGradient.AddTo(p, s, groups, length, O, C, 16, K, K, weightGrad);
        }
        for (int o = 0; o < O; o++)
            for (int c = 0; c < C; c++)
                for (int ky = 0; ky < K; ky++)
                    for (int kx = 0; kx < K; kx++)
                    {
                        double sum = 0.5;
                        for (int n = 0; n < Batch; n++)
                            for (int y = 0; y < Size; y++)
                                for (int xx = 0; xx < Size; xx++)
                                {
                                    int iy = y - 1 + ky, ix = xx - 1 + kx;
                                    if ((uint)iy < Size && (uint)ix < Size)
                                        sum += (double)gs[((n * O + o) * Size + y) * Size + xx] * xs[((n * C + c) * Size + iy) * Size + ix];
                                }
                        float actual = weightGrad[((o * C + c) * K + ky) * K + kx];
                        Assert.True(Math.Abs(actual - sum) <= 1e-4, $"dW[{o},{c},{ky},{kx}]: {actual} vs {sum}");
                    }
    }

    [Fact]
    public void Image_groups_depend_on_the_shapes_only()
    {
        Assert.Equal(8, DirectConvWeightGradient.ImageGroups(32, new BlockedLayout(32, 3, 3, 64, 64, 1)));      // one item: 8 groups
        Assert.Equal(2, DirectConvWeightGradient.ImageGroups(64, new BlockedLayout(32, 32, 16, 32, 32, 1)));    // 4 items: 2 groups
        Assert.Equal(1, DirectConvWeightGradient.ImageGroups(256, new BlockedLayout(32, 128, 16, 8, 8, 1)));    // 64 items
        Assert.Equal(2, DirectConvWeightGradient.ImageGroups(32, new BlockedLayout(2, 3, 3, 8, 8, 1)));         // never more groups than images
    }
}
