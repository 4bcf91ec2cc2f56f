// BlockedConvolution (Functional.Conv2d on the blocked direct/Winograd kernels, forward and both gradients) against
// the im2col GEMM path (ConvolutionCore, BlockedConvolution.Enabled off) on the same tensors; against finite
// differences; independence of the thread count; and the choice of path (geometries the kernels do not run fall
// back to the GEMM). The GEMM path itself is held to nested loops and finite differences by ConvolutionTests.
// Tolerance: the two paths sum up to C·K² (forward, input gradient) or N·P (weight gradient) products in different
// orders; 1e-4 relative to the largest magnitude of the result + 1e-5.
using Pipeline.Models.Kernels;
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Nn;

[Collection(SerialCollection.Name)]
public sealed class BlockedConvolutionTests
{
    public static TheoryData<int, int, int, int, int, int, int, bool> Geometries => new()
    {
        // batch, inChannels, outChannels, size, kernel, stride, padding, bias
        { 2, 3, 32, 17, 3, 2, 1, false },     // the encoders' first layer: RGB input, stride 2, odd size (takes the GEMM path)
        { 3, 32, 64, 16, 3, 2, 1, false },
        { 4, 32, 32, 14, 3, 1, 1, true },     // Winograd forward and input gradient, bias
        { 2, 64, 32, 9, 3, 1, 1, false },     // direct (too small for Winograd)
        { 2, 32, 64, 8, 1, 2, 0, true },      // 1×1 stride 2 projection
        { 2, 20, 32, 7, 3, 1, 0, false },     // an input gradient of 20 channels is not supported: the whole op takes the GEMM path
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Matches_the_gemm_path_forward_and_backward(int batch, int inChannels, int outChannels, int size, int kernel, int stride, int padding, bool withBias)
    {
        var generator = new Generator((ulong)(size * 7 + kernel));
        var x = GradCheck.Param(generator, 1f, batch, inChannels, size, size);
        var w = GradCheck.Param(generator, 0.2f, outChannels, inChannels, kernel, kernel);
        var b = withBias ? GradCheck.Param(generator, 0.5f, outChannels) : null;
        var upstream = Tensor.Randn(generator, [batch, outChannels, (size + 2 * padding - kernel) / stride + 1, (size + 2 * padding - kernel) / stride + 1]);
        var blocked = Run(x, w, b, upstream, stride, padding, enabled: true);
        var gemm = Run(x, w, b, upstream, stride, padding, enabled: false);
        for (int i = 0; i < blocked.Length; i++) AssertClose(gemm[i], blocked[i], $"output {i}");
    }

    [Avx512Fact]
    public void Gradients_match_finite_differences()
    {
        var generator = new Generator(11);
        var x = GradCheck.Param(generator, 1f, 2, 32, 5, 5);
        var w = GradCheck.Param(generator, 0.3f, 32, 32, 3, 3);
        var b = GradCheck.Param(generator, 0.5f, 32);
        var geometry = new ConvGeometry(32, 5, 5, 3, 3, 2, 2, 1, 1, 1, 1, 3, 3);
        Assert.True(BlockedConvolution.Applies(geometry, 32, inputGrad: true, weightGrad: true));
        GradCheck.Check(t => Functional.Conv2d(t[0], t[1], t[2], stride: (2, 2), padding: (1, 1)), [x, w, b], eps: 1e-2f, atol: 2e-2f, rtol: 2e-2f);
    }

    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        var generator = new Generator(12);
        var x = GradCheck.Param(generator, 1f, 4, 32, 12, 12);
        var w = GradCheck.Param(generator, 0.2f, 64, 32, 3, 3);
        var upstream = Tensor.Randn(generator, [4, 64, 6, 6]);
        int saved = Parallelism.DegreeOfParallelism;
        try
        {
            Parallelism.DegreeOfParallelism = 1;
            var serial = Run(x, w, null, upstream, 2, 1, enabled: true);
            Parallelism.DegreeOfParallelism = 3;
            var parallel = Run(x, w, null, upstream, 2, 1, enabled: true);
            for (int i = 0; i < serial.Length; i++) Assert.Equal(serial[i], parallel[i]);
        }
        finally { Parallelism.DegreeOfParallelism = saved; }
    }

    [Fact]
    public void Geometries_the_kernels_do_not_run_take_the_gemm_path()
    {
        Assert.False(BlockedConvolution.Applies(new ConvGeometry(32, 8, 8, 3, 3, 1, 1, 1, 1, 2, 2, 4, 4), 32, false, false));   // dilation
        Assert.False(BlockedConvolution.Applies(new ConvGeometry(32, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8, 8), 48, false, false));   // 48 outputs
        Assert.False(BlockedConvolution.Applies(new ConvGeometry(32, 8, 8, 3, 2, 1, 1, 1, 1, 1, 1, 8, 9), 32, false, false));   // 3×2 kernel
        Assert.False(BlockedConvolution.Applies(new ConvGeometry(20, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8, 8), 32, true, false));    // input gradient of 20 channels
        Assert.False(BlockedConvolution.Applies(new ConvGeometry(32, 16, 16, 5, 5, 1, 1, 2, 2, 1, 1, 16, 16), 32, false, true)); // weight gradient of a 5×5
        Assert.False(BlockedConvolution.Applies(new ConvGeometry(3, 17, 17, 3, 3, 2, 2, 1, 1, 1, 1, 9, 9), 32, false, true));    // RGB input layer (measured slower)
        Assert.False(BlockedConvolution.Applies(new ConvGeometry(3, 17, 17, 3, 3, 2, 2, 1, 1, 1, 1, 9, 9), 32, false, false));   // … forward alone too
        Assert.Equal(CpuProfile.DirectConvolutions, BlockedConvolution.Applies(new ConvGeometry(32, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8, 8), 32, true, true));
    }

    /// <summary>[y, dx, dW, db] (flattened) of conv(x, w, b) with upstream gradient, on the blocked path or the GEMM.</summary>
    private static float[][] Run(Tensor x, Tensor w, Tensor? b, Tensor upstream, int stride, int padding, bool enabled)
    {
        bool saved = BlockedConvolution.Enabled;
        BlockedConvolution.Enabled = enabled;
        try
        {
            x.Grad = null; w.Grad = null;
            if (b is not null) b.Grad = null;
            using var scope = new TensorScope();
            var y = Functional.Conv2d(x, w, b, (stride, stride), (padding, padding));
            var values = y.ToArray();
            y.Backward(upstream);
            return [values, x.Grad!.ToArray(), w.Grad!.ToArray(), b?.Grad!.ToArray() ?? []];
        }
        finally { BlockedConvolution.Enabled = saved; }
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = expected.Length == 0 ? 0 : expected.Max(MathF.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-4f * scale + 1e-5f, $"{what} element {i}: gemm {expected[i]}, blocked {actual[i]} (scale {scale})");
    }
}
