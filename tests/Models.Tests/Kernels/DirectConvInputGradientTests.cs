// DirectConvInputGradient (a convolution's input gradient as sub-pixel phases on the forward kernels) against the
// definition dX[n, c, y, x] = Σ_{o, ky, kx} W[o, c, ky, kx] · dY[n, o, (y + p − ky)/s, (x + p − kx)/s] summed naively
// in double on NCHW arrays. Geometries: stride 1 (one phase: the flipped kernel, Winograd for 3×3 padding 1 when
// the map is large enough to pay, the direct kernel otherwise) and stride 2 (four phases of 1–4 taps), 1×1 stride 2
// (phases without taps get no gradient), padding 0 and 1, odd and even sizes whose last rows or columns the
// forward never read, output-channel counts that are not a multiple of 16. The gradient is accumulated: the
// target starts non-zero.
// Tolerance: sums of up to O·K² products in float32 (Winograd's transforms add a few ulps per term): 2e-5 of the
// sum of magnitudes + 1e-6.
using Pipeline.Models.Kernels;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Kernels;

public unsafe class DirectConvInputGradientTests
{
    public static TheoryData<int, int, int, int, int, int, int> Geometries => new()
    {
        // batch, inChannels, outChannels, size, kernel, stride, padding
        { 2, 32, 16, 9, 3, 1, 1 },       // stride 1, direct kernel (too few tiles for Winograd)
        { 4, 32, 48, 16, 3, 1, 1 },      // stride 1, Winograd
        { 2, 32, 20, 11, 3, 2, 1 },      // stride 2, odd size: the last row and column get no 2-tap phase reads past dY
        { 3, 64, 32, 10, 3, 2, 1 },      // stride 2, even size, two output tiles of the transposed convolution
        { 2, 32, 16, 8, 1, 2, 0 },       // 1×1 stride 2: odd pixels get nothing
        { 2, 32, 16, 7, 3, 1, 0 },       // no padding: the flipped kernel reads two rows of border
        { 1, 32, 16, 12, 3, 2, 0 },      // stride 2 without padding: the last input row is never read
        { 2, 32, 32, 5, 1, 1, 0 },       // 1×1 stride 1, narrower than a run
    };

    [Avx512Theory]
    [MemberData(nameof(Geometries))]
    public void Phases_match_the_definition(int batch, int inChannels, int outChannels, int size, int kernel, int stride, int padding)
    {
        var random = new Random(size * 10 + stride + kernel * 100);
        int outSize = DirectConv2d.OutputSize(size, kernel, stride, padding);
        var weight = BlockedBuffers.Uniform(random, outChannels * inChannels * kernel * kernel, 0.5);
        var gradient = BlockedBuffers.Uniform(random, batch * outChannels * outSize * outSize, 1.0);
        var initial = BlockedBuffers.Uniform(random, batch * inChannels * size * size, 1.0);
        var inputGrad = (float[])initial.Clone();
        int border = DirectConvInputGradient.GradientBorder(size, size, outSize, outSize, kernel, stride, padding);
        var gradLayout = new BlockedLayout(batch, outChannels, 16, outSize, outSize, border);
        var blocked = new float[gradLayout.Length];
        var phase = new float[DirectConvInputGradient.BufferLength(batch, inChannels, size, size)];
        Array.Fill(phase, 7f);                          // pixels no phase writes must be cleared
        var weights = new float[DirectConvInputGradient.WeightBufferLength(inChannels, outChannels, kernel, stride, padding)];
        var bias = new float[inChannels];
        fixed (float* g = blocked)
        fixed (float* p = phase)
        {
            gradLayout.FromNchw(gradient, g);
            DirectConvInputGradient.Accumulate(weight, inChannels, kernel, stride, padding, gradLayout, g, size, size, inputGrad, p, weights, bias);
        }
        double bound = outChannels * kernel * kernel * 0.5 + 1;
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < inChannels; c++)
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                    {
                        double sum = 0;
                        for (int o = 0; o < outChannels; o++)
                            for (int ky = 0; ky < kernel; ky++)
                                for (int kx = 0; kx < kernel; kx++)
                                {
                                    int ty = y + padding - ky, tx = x + padding - kx;
                                    if (ty < 0 || tx < 0 || ty % stride != 0 || tx % stride != 0) continue;
                                    int oy = ty / stride, ox = tx / stride;
                                    if (oy >= outSize || ox >= outSize) continue;
                                    sum += (double)weight[((o * inChannels + c) * kernel + ky) * kernel + kx] * gradient[((n * outChannels + o) * outSize + oy) * outSize + ox];
                                }
                        int at = ((n * inChannels + c) * size + y) * size + x;
                        double actual = inputGrad[at] - (double)initial[at];
                        Assert.True(Math.Abs(actual - sum) <= 2e-5 * bound + 1e-6, $"dX[{n},{c},{y},{x}]: {actual} vs {sum}");
                    }
    }

    [Fact]
    public void Stride_two_three_by_three_splits_into_four_phases_of_one_to_four_taps()
    {
        var phases = DirectConvInputGradient.Phases(8, 3, 2, 1);
        Assert.Equal(2, phases.Length);
        Assert.Equal([1], phases[0].Taps);                 // even pixels: the centre tap, from dY row m
        Assert.Equal(0, phases[0].FirstOffset);
        Assert.Equal([2, 0], phases[1].Taps);              // odd pixels: tap 2 from row m, tap 0 from row m + 1
        Assert.Equal(0, phases[1].FirstOffset);
        Assert.Equal(4, phases[1].Outputs);
        var flipped = DirectConvInputGradient.Phases(8, 3, 1, 1);
        Assert.Equal([2, 1, 0], Assert.Single(flipped).Taps);
        Assert.Equal(-1, flipped[0].FirstOffset);
        Assert.Single(DirectConvInputGradient.Phases(8, 1, 2, 0));   // 1×1 stride 2: odd pixels have no tap
    }
}
