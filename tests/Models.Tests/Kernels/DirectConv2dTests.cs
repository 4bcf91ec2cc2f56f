// DirectConv2d (blocked direct convolution, inference) against DirectConv2dReference on the same buffers,
// and — packing and BN folding included — against the engine's im2col convolution followed by the
// evaluation-mode batch-norm affine map, residual add and ReLU on NCHW tensors. Geometries cover the
// ResNet layers (3×3 stride 1 and 2, 1×1 stride 2, the 7×7 stride-2 stem on 3-lane input), widths that
// are and are not multiples of the 7-pixel run or the 4-pixel run, an odd number of runs, and maps narrower than a run.
// Tolerance: float32 sums of up to C·KH·KW products in another order (and with the BN scale multiplied
// into the weights first) differ from double-precision sums by a few ulps of the sum of magnitudes:
// 1e-5 relative to that sum, plus 1e-6 absolute.
using Pipeline.Models.Kernels;
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Kernels;

public unsafe class DirectConv2dTests
{
    public static TheoryData<int, int, int, int, int, int, int, int, bool, bool> Geometries => new()
    {
        // batch, inChannels, outChannels, size, kernel, stride, padding, inLanes, residual, relu
        { 2, 16, 32, 14, 3, 1, 1, 16, true, true },
        { 1, 32, 64, 9, 3, 1, 1, 16, false, true },      // width 9: a full run and an overlapping one
        { 3, 16, 32, 7, 3, 1, 1, 16, true, false },      // 7-wide rows paired, odd run count (21)
        { 2, 20, 32, 11, 3, 2, 1, 16, false, true },     // stride 2, channels not a multiple of 16
        { 2, 16, 64, 8, 1, 2, 0, 16, false, false },     // 1×1 stride 2 (projection shortcut), output 4 wide: narrow path
        { 1, 3, 32, 23, 7, 2, 3, 3, false, true },       // the stem: 3-lane input, 7×7 stride 2
        { 2, 3, 32, 10, 3, 1, 1, 3, true, true },        // 3-lane input, stride 1
        { 1, 16, 32, 5, 3, 1, 1, 16, true, true },       // narrower than a 7-run: three runs of 4, overlapping
        { 2, 16, 32, 16, 3, 1, 1, 16, true, true },      // power-of-two width: runs of 4 (Kernel12), 8 runs per image
        { 1, 16, 32, 3, 3, 1, 1, 16, false, true },      // narrower than 4: one pixel per call
    };

    [Avx512Theory]
    [MemberData(nameof(Geometries))]
    public void Kernel_matches_the_reference(int batch, int inChannels, int outChannels, int size, int kernel, int stride, int padding, int inLanes, bool residual, bool relu)
    {
        var random = new Random(size * 100 + kernel * 10 + stride);
        var weight = BlockedBuffers.Uniform(random, outChannels * inChannels * kernel * kernel, 0.5);
        var scale = BlockedBuffers.Uniform(random, outChannels, 1.0);
        var shift = BlockedBuffers.Uniform(random, outChannels, 1.0);
        var packed = DirectConvWeights.Pack(weight, outChannels, inChannels, kernel, kernel, inLanes, scale, shift);
        int outSize = DirectConv2d.OutputSize(size, kernel, stride, padding);
        var inLayout = new BlockedLayout(batch, inChannels, inLanes, size, size, padding);
        var outLayout = new BlockedLayout(batch, outChannels, 16, outSize, outSize, 1);
        var input = BlockedBuffers.Random(random, inLayout);
        var res = residual ? BlockedBuffers.Random(random, outLayout) : null;
        var fast = new float[outLayout.Length];
        var reference = new float[outLayout.Length];
        Array.Fill(fast, 7f);              // the border must be left alone, the interior fully written
        Array.Fill(reference, 7f);
        fixed (float* x = input)
        fixed (float* r = res)
        fixed (float* y = fast)
        fixed (float* e = reference)
        {
            DirectConv2d.Forward(packed, stride, padding, inLayout, x, outLayout, y, outLayout, r, relu);
            DirectConv2dReference.Forward(packed, stride, padding, inLayout, x, outLayout, e, outLayout, r, relu);
        }
        double bound = inChannels * kernel * kernel * 0.5 + 3;
        for (int i = 0; i < fast.Length; i++)
            Assert.True(Math.Abs(fast[i] - reference[i]) <= 1e-5 * bound + 1e-6, $"element {i}: fast {fast[i]}, reference {reference[i]}");
    }

    [Avx512Theory]
    [MemberData(nameof(Geometries))]
    public void Packed_and_folded_conv_equals_conv_then_batch_norm(int batch, int inChannels, int outChannels, int size, int kernel, int stride, int padding, int inLanes, bool residual, bool relu)
    {
        var generator = new Generator((ulong)(size + kernel));
        var conv = new Conv2d(inChannels, outChannels, kernel, generator, stride: stride, padding: padding, bias: false);
        var bn = new BatchNorm2d(outChannels);
        var random = new Random(3);
        for (int c = 0; c < outChannels; c++)
        {
            bn.Weight!.Data[c] = (float)(0.5 + random.NextDouble());
            bn.Bias!.Data[c] = (float)(random.NextDouble() - 0.5);
            bn.RunningMean.Data[c] = (float)(random.NextDouble() - 0.5) * 0.2f;
            bn.RunningVar.Data[c] = (float)(0.5 + random.NextDouble());
        }
        bn.Eval();
        var x = Tensor.Randn(generator, [batch, inChannels, size, size]);
        int outSize = DirectConv2d.OutputSize(size, kernel, stride, padding);
        var shortcut = Tensor.Randn(generator, [batch, outChannels, outSize, outSize]);
        using var noGrad = Pipeline.Models.Autograd.GradMode.NoGrad();
        var expected = bn.Forward(conv.Forward(x));
        if (residual) expected = expected + shortcut;
        if (relu) expected = Tensor.Relu(expected);

        var (scale, shift) = bn.EvaluationAffine();
        var packed = DirectConvWeights.Pack(conv.Weight.Data, outChannels, inChannels, kernel, kernel, inLanes, scale, shift);
        var inLayout = new BlockedLayout(batch, inChannels, inLanes, size, size, padding);
        var outLayout = new BlockedLayout(batch, outChannels, 16, outSize, outSize, 0);
        var input = new float[inLayout.Length];
        var res = new float[outLayout.Length];
        var output = new float[outLayout.Length];
        var actual = new float[expected.Length];
        fixed (float* xi = input)
        fixed (float* r = res)
        fixed (float* y = output)
        {
            inLayout.FromNchw(x.Data, xi);
            outLayout.FromNchw(shortcut.Data, r);
            DirectConv2d.Forward(packed, stride, padding, inLayout, xi, outLayout, y, outLayout, residual ? r : null, relu);
            outLayout.ToNchw(y, actual);
        }
        var e = expected.Data;
        for (int i = 0; i < actual.Length; i++)
            Assert.True(Math.Abs(actual[i] - e[i]) <= 1e-4f * (1 + Math.Abs(e[i])), $"element {i}: direct {actual[i]}, engine {e[i]}");
    }

    [Fact]
    public void Blocked_layout_round_trips_and_zeroes_the_border()
    {
        var layout = new BlockedLayout(2, 19, 16, 5, 6, 2);
        var random = new Random(1);
        var source = BlockedBuffers.Uniform(random, 2 * 19 * 5 * 6, 1.0);
        var blocked = new float[layout.Length];
        var back = new float[source.Length];
        fixed (float* b = blocked)
        {
            layout.FromNchw(source, b);
            layout.ToNchw(b, back);
            Assert.Equal(source, back);
            Assert.Equal(0f, blocked[layout.Offset(1, 1, -2, -2)]);             // corner of the border
            Assert.Equal(0f, blocked[layout.Offset(0, 1, 2, 3) + 5]);           // lane 5 of block 1 = channel 21 ≥ 19
            Array.Fill(blocked, 9f);
            layout.ClearBorder(b);
            Assert.Equal(0f, blocked[layout.Offset(1, 0, 5, 0)]);               // below the last row
            Assert.Equal(0f, blocked[layout.Offset(0, 1, 2, 7) + 15]);          // right of the last column
            Assert.Equal(9f, blocked[layout.Offset(0, 1, 4, 5) + 15]);          // interior untouched
        }
    }

    [Theory]
    [InlineData(56, 7, 2)]     // ResNet widths: runs of 7
    [InlineData(14, 7, 2)]
    [InlineData(28, 7, 2)]     // 28 pixels either way: ties go to 7
    [InlineData(9, 4, 3)]      // 12 pixels computed instead of 14
    [InlineData(32, 4, 3)]     // power-of-two widths: runs of 4 waste nothing
    [InlineData(8, 4, 3)]
    [InlineData(5, 4, 3)]
    [InlineData(3, 1, 1)]
    public void Run_shape_computes_the_fewest_pixels(int width, int runLength, int runsPerCall)
        => Assert.Equal((runLength, runsPerCall), DirectConv2d.RunShape(width));
}
