// Fused cross-entropy against (a) a naive double-precision reference with class weights, ignore index
// and label smoothing, (b) the composed LogSoftmax + Gather version (values and gradients), and
// (c) finite differences, for each reduction.
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Nn;

public class CrossEntropyTests
{
    /// <summary>PyTorch's definition written out: per-row losses and the mean denominator.</summary>
    private static (double[] Rows, double Denominator) Naive(float[] logits, int n, int c, int[] targets, float[]? w, int ignore, float eps)
    {
        var rows = new double[n];
        double denominator = 0;
        for (int i = 0; i < n; i++)
        {
            if (targets[i] == ignore) continue;
            double max = double.NegativeInfinity;
            for (int j = 0; j < c; j++) max = Math.Max(max, logits[i * c + j]);
            double z = 0;
            for (int j = 0; j < c; j++) z += Math.Exp(logits[i * c + j] - max);
            for (int j = 0; j < c; j++)
            {
                double target = (j == targets[i] ? 1 - eps : 0) + eps / c;           // smoothed distribution
                double logp = logits[i * c + j] - max - Math.Log(z);
                rows[i] -= (w?[j] ?? 1) * target * logp;
            }
            denominator += w?[targets[i]] ?? 1;
        }
        return (rows, denominator);
    }

    public static TheoryData<bool, int, float> Settings => new()
    {
        { false, -100, 0f },
        { true, -100, 0f },
        { false, 2, 0f },
        { true, 1, 0.2f },
        { false, -100, 0.1f },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void MatchesNaiveReference_ForEveryReduction(bool weighted, int ignore, float eps)
    {
        var g = new Generator(1);
        int n = 6, c = 4;
        var logits = GradCheck.Param(g, 2f, n, c);
        int[] targets = [0, 1, 2, 3, 1, 2];
        float[]? w = weighted ? [0.5f, 2f, 1f, 1.5f] : null;
        var (rows, denominator) = Naive(logits.ToArray(), n, c, targets, w, ignore, eps);
        var options = new CrossEntropyOptions { ClassWeights = w, IgnoreIndex = ignore, LabelSmoothing = eps };
        Assert.Equal(rows.Sum() / denominator, Functional.CrossEntropy(logits, targets, options).Item(), 5);
        Assert.Equal(rows.Sum(), Functional.CrossEntropy(logits, targets, options with { Reduction = LossReduction.Sum }).Item(), 4);
        var none = Functional.CrossEntropy(logits, targets, options with { Reduction = LossReduction.None });
        GradCheck.AssertClose(rows.Select(v => (float)v).ToArray(), none.Data, 1e-5f, 1e-5f);
        foreach (var reduction in new[] { LossReduction.Mean, LossReduction.Sum, LossReduction.None })
            GradCheck.Check(t => Functional.CrossEntropy(t[0], targets, options with { Reduction = reduction }), [logits]);
    }

    [Fact]
    public void MatchesComposedLogSoftmaxGather_ValuesAndGradients()
    {
        var g = new Generator(2);
        var logits = GradCheck.Param(g, 3f, 5, 7);
        int[] targets = [6, 0, 3, 3, 1];
        var fused = new CrossEntropyLoss().Forward(logits, targets);
        fused.Backward();
        var fusedGrad = logits.Grad!.ToArray();
        logits.Grad = null;
        var composed = -Tensor.MeanAll(Tensor.Gather(Tensor.LogSoftmax(logits, 1), 1, targets));
        composed.Backward();
        Assert.Equal(composed.Item(), fused.Item(), 5);
        GradCheck.AssertClose(logits.Grad!.Data, fusedGrad, 1e-6f, 1e-4f);
    }

    [Fact]
    public void IgnoredRows_GetNoGradient_AndAllIgnoredMeanIsNaN()
    {
        var logits = GradCheck.Param(new Generator(3), 1f, 3, 4);
        Functional.CrossEntropy(logits, [1, -100, 2]).Backward();
        Assert.All(logits.Grad!.Data.Slice(4, 4).ToArray(), v => Assert.Equal(0f, v));
        Assert.True(float.IsNaN(Functional.CrossEntropy(logits, [-100, -100, -100]).Item()));
        Assert.Throws<IndexOutOfRangeException>(() => Functional.CrossEntropy(logits, [4, 0, 0]));
        Assert.Throws<ShapeMismatchException>(() => Functional.CrossEntropy(logits, [0, 0]));
    }
}
