// Global-norm gradient clipping and the max-norm weight constraint against hand-computed norms.
using Pipeline.Models.Optim;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Optim;

public class ClippingTests
{
    [Fact]
    public void ClipGlobalNormScalesAllGradientsWhenAboveTheBound()
    {
        // Gradients (3, 4) and (12): global norm √(9 + 16 + 144) = 13.
        var a = Tensor.Zeros(2).WithGrad();
        var b = Tensor.Zeros(1).WithGrad();
        var frozen = Tensor.Zeros(3).WithGrad();   // no gradient: skipped
        a.Grad = Tensor.FromArray([3f, 4f], 2);
        b.Grad = Tensor.FromArray([12f], 1);
        double norm = GradientClipping.ClipGlobalNorm([a, b, frozen], 6.5);
        Assert.Equal(13.0, norm, 6);
        double scale = 6.5 / (13 + 1e-6);
        GradCheck.AssertClose([(float)(3 * scale), (float)(4 * scale)], a.Grad.ToArray(), 1e-6f, 1e-6f);
        GradCheck.AssertClose([(float)(12 * scale)], b.Grad.ToArray(), 1e-6f, 1e-6f);
        Assert.Null(frozen.Grad);
    }

    [Fact]
    public void ClipGlobalNormLeavesSmallGradientsUntouched()
    {
        var a = Tensor.Zeros(2).WithGrad();
        a.Grad = Tensor.FromArray([0.3f, 0.4f], 2);
        Assert.Equal(0.5, GradientClipping.ClipGlobalNorm([a], 1.0), 6);
        Assert.Equal([0.3f, 0.4f], a.Grad.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipGlobalNorm([a], -1));
    }

    [Fact]
    public void MaxNormRescalesOnlyRowsAboveTheBound()
    {
        // Rows of a Linear weight [out=3, in=2]: norms 5, 1, 10.
        var w = Tensor.FromArray([3f, 4f, 0.6f, 0.8f, 6f, 8f], 3, 2);
        int rescaled = MaxNormConstraint.Apply(w, 3.0, axis: 0);
        Assert.Equal(2, rescaled);
        double s0 = 3.0 / (5 + 1e-7), s2 = 3.0 / (10 + 1e-7);
        GradCheck.AssertClose([(float)(3 * s0), (float)(4 * s0), 0.6f, 0.8f, (float)(6 * s2), (float)(8 * s2)], w.ToArray(), 1e-6f, 1e-6f);
    }

    [Fact]
    public void MaxNormAlongAnInnerAxisMatchesNaiveLoops()
    {
        // Shape [2, 3, 2]; slices along axis 1 gather w[o, s, i] for all o, i.
        var g = new Generator(5);
        var w = Tensor.Randn(g, [2, 3, 2], 0, 2);
        var original = w.ToArray();
        MaxNormConstraint.Apply(w, 2.0, axis: 1);
        var expected = (float[])original.Clone();
        for (int s = 0; s < 3; s++)
        {
            double sum = 0;
            for (int o = 0; o < 2; o++) for (int i = 0; i < 2; i++) sum += Math.Pow(original[(o * 3 + s) * 2 + i], 2);
            double norm = Math.Sqrt(sum);
            if (norm <= 2.0) continue;
            for (int o = 0; o < 2; o++) for (int i = 0; i < 2; i++) expected[(o * 3 + s) * 2 + i] = (float)(original[(o * 3 + s) * 2 + i] * 2.0 / (norm + 1e-7));
        }
        GradCheck.AssertClose(expected, w.ToArray(), 1e-6f, 1e-6f);
    }
}
