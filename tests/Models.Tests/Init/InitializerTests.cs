// Initialisers: fans and gains against PyTorch's definitions, sample statistics of large tensors
// against the target mean/std/bound, orthogonality, and determinism under a seed.
// Statistical tolerances: with n = 65 536 samples the standard error of the sample std is about
// std/√(2n) ≈ 0.3 % and of the mean std/√n ≈ 0.4 % of std, so 3 % (std) and 2 %·std (mean) are > 5σ.
using Pipeline.Models.Init;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Init;

public class InitializerTests
{
    private static (double Mean, double Std, double MaxAbs) Stats(Tensor t)
    {
        double mean = t.ToArray().Average(v => (double)v);
        double variance = t.ToArray().Average(v => (v - mean) * (v - mean));
        return (mean, Math.Sqrt(variance), t.ToArray().Max(v => Math.Abs((double)v)));
    }

    [Fact]
    public void FansOfLinearAndConvWeights()
    {
        Assert.Equal((20, 10), Initializers.ComputeFans([10, 20]));
        Assert.Equal((3 * 5 * 5, 8 * 5 * 5), Initializers.ComputeFans([8, 3, 5, 5]));
        Assert.Throws<ArgumentException>(() => Initializers.ComputeFans([7]));
    }

    [Fact]
    public void GainsMatchTheirDefinitions()
    {
        Assert.Equal(1.0, Initializers.Gain(Nonlinearity.Linear));
        Assert.Equal(1.0, Initializers.Gain(Nonlinearity.Sigmoid));
        Assert.Equal(5.0 / 3.0, Initializers.Gain(Nonlinearity.Tanh));
        Assert.Equal(Math.Sqrt(2), Initializers.Gain(Nonlinearity.Relu));
        Assert.Equal(Math.Sqrt(2 / (1 + 0.2 * 0.2)), Initializers.Gain(Nonlinearity.LeakyRelu, 0.2), 12);
    }

    [Fact]
    public void KaimingUniformHasTheRightBoundAndStd()
    {
        var w = Tensor.Zeros(256, 64, 2, 2);   // fanIn 256, fanOut 1024
        Initializers.KaimingUniform(w, new Generator(1), FanMode.FanIn, Nonlinearity.Relu);
        double bound = Math.Sqrt(2) * Math.Sqrt(3.0 / 256);
        var (mean, std, maxAbs) = Stats(w);
        Assert.True(maxAbs <= bound, $"max |w| {maxAbs} exceeds bound {bound}");
        Assert.True(maxAbs > 0.99 * bound, $"max |w| {maxAbs} far below bound {bound}");
        Assert.True(Math.Abs(std - bound / Math.Sqrt(3)) < 0.03 * bound / Math.Sqrt(3), $"std {std}");
        Assert.True(Math.Abs(mean) < 0.02 * bound, $"mean {mean}");
    }

    [Fact]
    public void KaimingNormalUsesFanOutWhenAsked()
    {
        var w = Tensor.Zeros(256, 256);
        Initializers.KaimingNormal(w, new Generator(2), FanMode.FanOut, Nonlinearity.Tanh);
        double target = 5.0 / 3.0 / Math.Sqrt(256);
        var (mean, std, _) = Stats(w);
        Assert.True(Math.Abs(std - target) < 0.03 * target, $"std {std} vs {target}");
        Assert.True(Math.Abs(mean) < 0.02 * target, $"mean {mean}");
    }

    [Fact]
    public void XavierUniformAndNormalStatistics()
    {
        var u = Initializers.XavierUniform(Tensor.Zeros(128, 512), new Generator(3), gain: 2.0);
        double bound = 2.0 * Math.Sqrt(6.0 / (512 + 128));
        var (_, stdU, maxU) = Stats(u);
        Assert.True(maxU <= bound);
        Assert.True(Math.Abs(stdU - bound / Math.Sqrt(3)) < 0.03 * bound / Math.Sqrt(3), $"uniform std {stdU}");

        var n = Initializers.XavierNormal(Tensor.Zeros(128, 512), new Generator(4));
        double target = Math.Sqrt(2.0 / (512 + 128));
        var (meanN, stdN, _) = Stats(n);
        Assert.True(Math.Abs(stdN - target) < 0.03 * target, $"normal std {stdN}");
        Assert.True(Math.Abs(meanN) < 0.02 * target, $"normal mean {meanN}");
    }

    [Theory]
    [InlineData(6, 6)]
    [InlineData(4, 9)]     // wide: rows orthonormal
    [InlineData(12, 5)]    // tall: columns orthonormal
    public void OrthogonalIsOrthonormal(int rows, int cols)
    {
        var w = Initializers.Orthogonal(Tensor.Zeros(rows, cols), new Generator(5), gain: 1.5);
        var d = w.ToArray();
        // Gram matrix of the shorter side: Wᵀ·W (cols × cols) if tall/square, W·Wᵀ (rows × rows) if wide.
        bool tall = rows >= cols;
        int n = tall ? cols : rows, len = tall ? rows : cols;
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
            {
                double dot = 0;
                for (int k = 0; k < len; k++) dot += tall ? d[k * cols + a] * d[k * cols + b] : d[a * cols + k] * d[b * cols + k];
                double expected = a == b ? 1.5 * 1.5 : 0;
                Assert.True(Math.Abs(dot - expected) < 1e-5, $"gram[{a},{b}] = {dot}, expected {expected}");
            }
    }

    [Fact]
    public void OrthogonalHandlesConvShapedWeights()
    {
        // [out 4, in 2, 2, 2] is viewed as [4, 8]: rows orthonormal.
        var w = Initializers.Orthogonal(Tensor.Zeros(4, 2, 2, 2), new Generator(6)).Reshape(4, 8);
        var gram = Tensor.MatMul(w, w, transposeB: true);
        var identity = new float[16];
        for (int i = 0; i < 4; i++) identity[i * 5] = 1;
        GradCheck.AssertClose(identity, gram.ToArray(), 1e-5f, 0);
    }

    [Fact]
    public void SameSeedSameWeightsDifferentSeedDifferent()
    {
        float[] Draw(ulong seed) => Initializers.Orthogonal(Tensor.Zeros(5, 3), new Generator(seed)).ToArray()
            .Concat(Initializers.KaimingUniform(Tensor.Zeros(3, 4), new Generator(seed)).ToArray())
            .Concat(Initializers.XavierNormal(Tensor.Zeros(3, 4), new Generator(seed)).ToArray()).ToArray();
        Assert.Equal(Draw(9), Draw(9));
        Assert.NotEqual(Draw(9), Draw(10));
    }

    [Fact]
    public void ZerosAndConstant()
    {
        var t = Tensor.Ones(2, 3);
        Assert.All(Initializers.Zeros(t).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(Initializers.Constant(t, 0.25f).ToArray(), v => Assert.Equal(0.25f, v));
    }

    // The layers draw their defaults through Initializers, in registration order, with the fan PyTorch uses:
    // the same seed gives the same tensors whether drawn by the layer or by hand here.
    [Fact]
    public void Layers_draw_their_defaults_through_Initializers()
    {
        var linear = new Pipeline.Models.Nn.Linear(7, 5, new Generator(9));
        var g = new Generator(9);
        Assert.Equal(Initializers.DefaultUniform(g, [5, 7], 7).ToArray(), linear.Weight.ToArray());
        Assert.Equal(Initializers.DefaultUniform(g, [5], 7).ToArray(), linear.Bias!.ToArray());

        var conv = new Pipeline.Models.Nn.Conv2d(3, 4, 3, new Generator(10));
        g = new Generator(10);
        Assert.Equal(Initializers.DefaultUniform(g, [4, 3, 3, 3], 27).ToArray(), conv.Weight.ToArray());
        Assert.Equal(Initializers.DefaultUniform(g, [4], 27).ToArray(), conv.Bias!.ToArray());

        var cell = new Pipeline.Models.Nn.Recurrent.LSTMCell(5, 6, new Generator(11));
        g = new Generator(11);
        Assert.Equal(Initializers.DefaultUniform(g, [24, 5], 6).ToArray(), cell.WeightIh.ToArray());   // fan = hidden size
        Assert.Equal(Initializers.DefaultUniform(g, [24, 6], 6).ToArray(), cell.WeightHh.ToArray());

        var embedding = new Pipeline.Models.Nn.Embedding(11, 4, new Generator(12));
        Assert.Equal(Initializers.StandardNormal(new Generator(12), [11, 4]).ToArray(), embedding.Weight.ToArray());

        Assert.Equal(1f / MathF.Sqrt(27), Initializers.DefaultBound(27));
        Assert.Throws<ArgumentOutOfRangeException>(() => Initializers.DefaultBound(0));
    }
}
