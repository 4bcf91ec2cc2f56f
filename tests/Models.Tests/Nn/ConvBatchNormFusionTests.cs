// The fused conv → batch norm (→ ReLU) paths: Functional.BatchNormRelu against the two separate ops
// (values and gradients, training and evaluation) and against finite differences; ConvBatchNorm.Forward
// against the three separate layers in every mode, including the inference epilogue that folds an
// evaluation-mode batch norm into the convolution.
using Pipeline.Models.Autograd;
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Nn;

public class ConvBatchNormFusionTests
{
    private static BatchNorm2d TrainedBatchNorm(Generator g, int channels)
    {
        var bn = new BatchNorm2d(channels);
        Tensor.Randn(g, [channels], 1f, 0.3f).Data.CopyTo(bn.Weight!.Data);
        Tensor.Randn(g, [channels], 0f, 0.5f).Data.CopyTo(bn.Bias!.Data);
        Tensor.Randn(g, [channels], 0f, 0.5f).Data.CopyTo(bn.RunningMean.Data);
        Tensor.Rand(g, [channels], 0.5f, 2f).Data.CopyTo(bn.RunningVar.Data);
        return bn;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BatchNormRelu_MatchesReluOfBatchNorm_ValuesAndGradients(bool training)
    {
        var g = new Generator(11);
        // Rows of 37 values exercise the SIMD body and the scalar tail of the fused passes.
        var x = GradCheck.Param(g, 1.5f, 3, 4, 37);
        var w = GradCheck.Param(g, 1f, 4);
        var b = GradCheck.Param(g, 1f, 4);
        var upstream = Tensor.Randn(new Generator(3), [3, 4, 37]);

        (float[] Y, float[] Dx, float[] Dw, float[] Db, float[] RunningMean) Run(bool fused)
        {
            x.Grad = null; w.Grad = null; b.Grad = null;
            var rm = Tensor.Full(0.2f, 4); var rv = Tensor.Full(1.3f, 4);
            var y = fused
                ? Functional.BatchNormRelu(x, rm, rv, w, b, training)
                : Tensor.Relu(Functional.BatchNorm(x, rm, rv, w, b, training));
            Tensor.SumAll(y * upstream).Backward();
            return (y.ToArray(), x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray(), rm.ToArray());
        }

        var separate = Run(fused: false);
        var fusedResult = Run(fused: true);
        Assert.Equal(separate.Y, fusedResult.Y);                          // same expressions: bit for bit
        Assert.Equal(separate.RunningMean, fusedResult.RunningMean);
        GradCheck.AssertClose(separate.Dx, fusedResult.Dx, 1e-6f, 1e-5f);
        GradCheck.AssertClose(separate.Dw, fusedResult.Dw, 1e-6f, 1e-5f);
        GradCheck.AssertClose(separate.Db, fusedResult.Db, 1e-6f, 1e-5f);
        Assert.Contains(fusedResult.Y, v => v == 0f);                     // the ReLU really clipped something
        Assert.Contains(fusedResult.Y, v => v > 0f);
    }

    // Against a double-precision forward and backward. The x-gradient of training-mode batch norm is a difference of
    // three O(1) terms (m·dy − Σdy − x̂·Σdy·x̂), where float32 finite differences (tolerance 1e-2) would not notice a
    // dropped mean term scaled by 1/m. Here the fused float32 result must agree to about 1e-5: sums over m = 3·37 = 111
    // values carry ~√111·6e-8 relative rounding each, well below the bound.
    [Theory]
    [InlineData(37)]
    [InlineData(8)]
    public void BatchNormRelu_Training_MatchesDoublePrecisionReference(int spatial)
    {
        const int n = 3, channels = 4;
        var g = new Generator(21);
        var x = GradCheck.Param(g, 1.5f, n, channels, spatial);
        var w = GradCheck.Param(g, 1f, channels);
        var b = GradCheck.Param(g, 1f, channels);
        var upstream = Tensor.Randn(g, [n, channels, spatial]);
        var y = Functional.BatchNormRelu(x, Tensor.Zeros(channels), Tensor.Ones(channels), w, b, training: true);
        Tensor.SumAll(y * upstream).Backward();

        var expected = DoubleReference.BatchNormReluTraining(DoubleReference.D(x.ToArray()), DoubleReference.D(w.ToArray()),
            DoubleReference.D(b.ToArray()), DoubleReference.D(upstream.ToArray()), n, channels, spatial, 1e-5);
        DoubleReference.AssertClose("y", expected.Y, y.Data, 2e-6, 2e-5);
        DoubleReference.AssertClose("dx", expected.DInput, x.Grad!.Data, 2e-6, 2e-5);
        DoubleReference.AssertClose("dγ", expected.DWeight, w.Grad!.Data, 1e-5, 2e-5);
        DoubleReference.AssertClose("dβ", expected.DBias, b.Grad!.Data, 1e-5, 2e-5);
    }

    [Fact]
    public void BatchNormRelu_GradientsMatchFiniteDifferences()
    {
        // Inputs a clear margin away from the ReLU kink, so central differences never straddle it.
        var g = new Generator(5);
        var x = GradCheck.Param(g, 1f, 2, 3, 5);
        var w = GradCheck.Param(g, 1f, 3);
        var b = GradCheck.Param(g, 1f, 3);
        var rm = Tensor.Zeros(3); var rv = Tensor.Ones(3);
        using (GradMode.NoGrad())
        {
            var y = Functional.BatchNorm(x, rm, rv, w, b, training: true);
            for (int i = 0; i < y.Length; i++)
                if (MathF.Abs(y.Data[i]) < 0.15f) b.Data[i / 5 % 3] += 0.4f;
        }
        GradCheck.Check(t => Functional.BatchNormRelu(t[0], Tensor.Zeros(3), Tensor.Ones(3), t[1], t[2], training: true), [x, w, b], eps: 1e-3f);
        GradCheck.Check(t => Functional.BatchNormRelu(t[0], rm, rv, t[1], t[2], training: false), [x, w, b], eps: 1e-3f);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(2, true)]
    public void ConvBatchNorm_EvaluationWithoutGrad_EqualsSeparateLayers(int stride, bool convBias)
    {
        var g = new Generator(21);
        var conv = new Conv2d(Conv2dOptions.Square(3, 5, 3, stride: stride, padding: 1, bias: convBias), g);
        var bn = TrainedBatchNorm(g, 5);
        conv.Eval(); bn.Eval();
        // Batch 7 with 9x9 images: several images per GEMM group and the single-image path both run.
        var x = Tensor.Randn(g, [7, 3, 9, 9]);
        using var noGrad = GradMode.NoGrad();
        foreach (bool relu in new[] { true, false })
        {
            var reference = bn.Forward(conv.Forward(x));
            if (relu) reference = Tensor.Relu(reference);
            var fused = ConvBatchNorm.Forward(conv, bn, x, relu);
            Assert.Equal(reference.ShapeArray(), fused.ShapeArray());
            if (convBias) GradCheck.AssertClose(reference.Data, fused.Data, 1e-5f, 1e-5f);
            else Assert.Equal(reference.ToArray(), fused.ToArray());
        }
    }

    [Fact]
    public void ConvBatchNorm_SingleImageGroups_EqualsSeparateLayers()
    {
        // 64 channels at 48x48: one image per GEMM group, so the epilogue runs in place on y[n].
        var g = new Generator(8);
        var conv = new Conv2d(Conv2dOptions.Square(64, 8, 3, padding: 1, bias: false), g);
        var bn = TrainedBatchNorm(g, 8);
        conv.Eval(); bn.Eval();
        var x = Tensor.Randn(g, [2, 64, 48, 48]);
        using var noGrad = GradMode.NoGrad();
        Assert.Equal(Tensor.Relu(bn.Forward(conv.Forward(x))).ToArray(), ConvBatchNorm.Forward(conv, bn, x, relu: true).ToArray());
    }

    [Fact]
    public void ConvBatchNorm_Training_EqualsSeparateLayers_AndUpdatesRunningStats()
    {
        var g1 = new Generator(4); var g2 = new Generator(4);
        var fusedLayer = new ConvBnRelu(3, 4, 2, g1);
        var conv = new Conv2d(3, 4, 3, g2, stride: 2, padding: 1, bias: false);
        var bn = new BatchNorm2d(4);
        var x = Tensor.Randn(new Generator(9), [2, 3, 8, 8]);
        var fused = fusedLayer.Forward(x);
        var separate = Tensor.Relu(bn.Forward(conv.Forward(x)));
        Assert.Equal(separate.ToArray(), fused.ToArray());
        var fusedState = fusedLayer.StateDict();
        Assert.Equal(bn.RunningMean.ToArray(), fusedState["bn.running_mean"].ToArray());
        Assert.Equal(bn.RunningVar.ToArray(), fusedState["bn.running_var"].ToArray());

        Tensor.SumAll(fused * fused).Backward();
        Tensor.SumAll(separate * separate).Backward();
        GradCheck.AssertClose(conv.Weight.Grad!.Data, fusedState["conv.weight"].Grad!.Data, 1e-5f, 1e-4f);
        GradCheck.AssertClose(bn.Weight!.Grad!.Data, fusedState["bn.weight"].Grad!.Data, 1e-5f, 1e-4f);
    }

    [Fact]
    public void ConvBatchNorm_EvaluationWithGrad_UsesTheDifferentiablePath()
    {
        var g = new Generator(2);
        var conv = new Conv2d(Conv2dOptions.Square(2, 3, 3, padding: 1, bias: false), g);
        var bn = TrainedBatchNorm(g, 3);
        conv.Eval(); bn.Eval();
        var x = Tensor.Randn(g, [2, 2, 5, 5]);
        var y = ConvBatchNorm.Forward(conv, bn, x, relu: true);
        Tensor.SumAll(y).Backward();
        Assert.NotNull(conv.Weight.Grad);
        Assert.Contains(conv.Weight.Grad!.ToArray(), v => v != 0f);
    }

    [Fact]
    public void InferenceEpilogue_RefusesTensorsThatNeedGradients()
    {
        var g = new Generator(1);
        var weight = GradCheck.Param(g, 1f, 2, 1, 3, 3);
        var x = Tensor.Randn(g, [1, 1, 4, 4]);
        var epilogue = new ChannelAffine([1f, 1f], [0f, 0f], Relu: true);
        var e = Assert.Throws<InvalidOperationException>(() => Functional.Conv2dInference(x, weight, null, (1, 1), (1, 1), (1, 1), epilogue));
        Assert.Contains("NoGrad", e.Message);
        using var noGrad = GradMode.NoGrad();
        Assert.Throws<ShapeMismatchException>(() => Functional.Conv2dInference(x, weight, null, (1, 1), (1, 1), (1, 1), new ChannelAffine([1f], [0f], false)));
    }
}
