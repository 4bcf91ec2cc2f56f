// BatchNorm1d/2d and LayerNorm: forward against the textbook formulas (train and eval), running-
// statistic updates with PyTorch's unbiased variance and momentum, and finite-difference gradients.
using Pipeline.Models.Autograd;
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Nn;

public class NormalizationTests
{
    /// <summary>Per-channel (mean, biased var) of (N, C, S) data, in double.</summary>
    private static (double[] Mean, double[] Var) ChannelStats(float[] x, int n, int c, int s)
    {
        var mean = new double[c]; var variance = new double[c];
        for (int ch = 0; ch < c; ch++)
        {
            for (int b = 0; b < n; b++) for (int i = 0; i < s; i++) mean[ch] += x[(b * c + ch) * s + i];
            mean[ch] /= n * s;
            for (int b = 0; b < n; b++) for (int i = 0; i < s; i++) { double d = x[(b * c + ch) * s + i] - mean[ch]; variance[ch] += d * d; }
            variance[ch] /= n * s;
        }
        return (mean, variance);
    }

    [Fact]
    public void BatchNorm2d_Train_MatchesFormula_AndUpdatesRunningStats()
    {
        var g = new Generator(1);
        var bn = new BatchNorm2d(3);
        Tensor.Randn(g, [3], 1f, 0.3f).Data.CopyTo(bn.Weight!.Data);
        Tensor.Randn(g, [3]).Data.CopyTo(bn.Bias!.Data);
        var x = Tensor.Randn(g, [4, 3, 2, 3], 2f, 1.5f);
        var y = bn.Forward(x);
        var (mean, variance) = ChannelStats(x.ToArray(), 4, 3, 6);
        var expected = new float[x.Length];
        for (int b = 0; b < 4; b++) for (int ch = 0; ch < 3; ch++) for (int i = 0; i < 6; i++)
        {
            int p = (b * 3 + ch) * 6 + i;
            expected[p] = (float)((x.Data[p] - mean[ch]) / Math.Sqrt(variance[ch] + 1e-5) * bn.Weight.Data[ch] + bn.Bias.Data[ch]);
        }
        GradCheck.AssertClose(expected, y.Data, 1e-5f, 1e-4f);
        int m = 4 * 6;
        for (int ch = 0; ch < 3; ch++)
        {
            Assert.Equal(0.1 * mean[ch], bn.RunningMean.Data[ch], 5);
            Assert.Equal(0.9 + 0.1 * variance[ch] * m / (m - 1), bn.RunningVar.Data[ch], 5);
        }
    }

    [Fact]
    public void BatchNorm2d_Eval_UsesRunningStats_AndLeavesThemAlone()
    {
        var g = new Generator(2);
        var bn = new BatchNorm2d(2);
        bn.RunningMean.Data[0] = 0.5f; bn.RunningMean.Data[1] = -1f;
        bn.RunningVar.Data[0] = 2f; bn.RunningVar.Data[1] = 0.25f;
        bn.Weight!.Data[1] = 3f; bn.Bias!.Data[0] = 0.7f;
        bn.Eval();
        var x = Tensor.Randn(g, [2, 2, 3, 1]);
        var y = bn.Forward(x);
        for (int b = 0; b < 2; b++) for (int ch = 0; ch < 2; ch++) for (int i = 0; i < 3; i++)
        {
            float expected = (x[b, ch, i, 0] - bn.RunningMean.Data[ch]) / MathF.Sqrt(bn.RunningVar.Data[ch] + 1e-5f) * bn.Weight.Data[ch] + bn.Bias.Data[ch];
            Assert.Equal(expected, y[b, ch, i, 0], 5);
        }
        Assert.Equal([0.5f, -1f], bn.RunningMean.ToArray());
        Assert.Equal([2f, 0.25f], bn.RunningVar.ToArray());
    }

    [Fact]
    public void BatchNorm_Gradients_TrainAndEval()
    {
        var g = new Generator(3);
        var x = GradCheck.Param(g, 1f, 3, 2, 2, 2);
        var w = GradCheck.Param(g, 1f, 2);
        var b = GradCheck.Param(g, 1f, 2);
        var rm = Tensor.Zeros(2); var rv = Tensor.Ones(2);
        GradCheck.Check(t => Functional.BatchNorm(t[0], rm, rv, t[1], t[2], training: true), [x, w, b]);
        rm.Data[0] = 0.3f; rv.Data[1] = 1.7f;
        var rmCopy = rm.Clone(); var rvCopy = rv.Clone();
        GradCheck.Check(t => Functional.BatchNorm(t[0], rmCopy, rvCopy, t[1], t[2], training: false), [x, w, b]);
        var x3 = GradCheck.Param(g, 1f, 4, 3, 5);                                    // (N, C, L)
        var bn1 = new BatchNorm1d(3);
        GradCheck.Check(t => bn1.Forward(t[0]), [x3]);
    }

    [Fact]
    public void BatchNorm1d_OnFeatureVectors_MatchesFormula()
    {
        var g = new Generator(4);
        var bn = new BatchNorm1d(new BatchNormOptions(3) { Momentum = 0.5f, Affine = false });
        Assert.Empty(bn.NamedParameters());
        Assert.Equal(["running_mean", "running_var"], bn.NamedBuffers().Select(b => b.Name));
        var x = Tensor.Randn(g, [5, 3]);                                             // (N, C)
        var y = bn.Forward(x);
        var (mean, variance) = ChannelStats(x.ToArray(), 5, 3, 1);
        for (int i = 0; i < 5; i++) for (int ch = 0; ch < 3; ch++)
            Assert.Equal((x[i, ch] - mean[ch]) / Math.Sqrt(variance[ch] + 1e-5), y[i, ch], 4);
        for (int ch = 0; ch < 3; ch++) Assert.Equal(0.5 + 0.5 * variance[ch] * 5 / 4, bn.RunningVar.Data[ch], 5);
        Assert.Throws<ShapeMismatchException>(() => bn.Forward(Tensor.Zeros(2, 4)));
    }

    [Fact]
    public void LayerNorm_MatchesFormula_AndGradients()
    {
        var g = new Generator(5);
        var ln = new LayerNorm(4);
        Tensor.Randn(g, [4], 1f, 0.5f).Data.CopyTo(ln.Weight!.Data);
        Tensor.Randn(g, [4]).Data.CopyTo(ln.Bias!.Data);
        var x = GradCheck.Param(g, 2f, 2, 3, 4);
        var y = ln.Forward(x);
        for (int r = 0; r < 6; r++)
        {
            var row = x.Data.Slice(r * 4, 4).ToArray();
            double mu = row.Average(), variance = row.Select(v => (v - mu) * (v - mu)).Average();
            for (int i = 0; i < 4; i++)
                Assert.Equal((row[i] - mu) / Math.Sqrt(variance + 1e-5) * ln.Weight.Data[i] + ln.Bias.Data[i], y.Data[r * 4 + i], 4);
        }
        GradCheck.Check(t => Functional.LayerNorm(t[0], [4], t[1], t[2]), [x, ln.Weight, ln.Bias]);
        // normalising over the last two axes
        var x2 = GradCheck.Param(g, 1f, 2, 2, 3);
        var w2 = GradCheck.Param(g, 1f, 2, 3);
        GradCheck.Check(t => Functional.LayerNorm(t[0], [2, 3], t[1]), [x2, w2]);
        using (GradMode.NoGrad())
        {
            var z = Functional.LayerNorm(x2, [2, 3]);
            for (int r = 0; r < 2; r++)
            {
                var row = z.Data.Slice(r * 6, 6).ToArray();
                Assert.Equal(0, row.Average(), 5);
            }
        }
    }
}
