// Additive attention: forward against e = v·tanh(W_f f + W_h h + b), α = softmax(e), context = Σ α f written
// as loops; masked regions get exactly zero weight; ProjectFeatures + Attend equals Forward; gradients
// (features, hidden, every parameter) against finite differences.
// Shape key: B = batch, R = regions, F = features, H = hidden, A = attention size.
using Pipeline.Models.Nn.Attention;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Attention;

public class AdditiveAttentionTests
{
    private const int Batch = 2, Regions = 5, Features = 3, Hidden = 4, AttentionSize = 6;

    /// <summary>Textbook reference in double loops; mask entries of 0 are excluded from the softmax.</summary>
    private static (float[] Context, float[] Alpha) Reference(AdditiveAttention m, float[] f, float[] h, float[]? mask)
    {
        var wf = m.FeaturesWeight.ToArray(); var wh = m.HiddenWeight.ToArray(); var bias = m.Bias.ToArray(); var v = m.ScoreWeight.ToArray();
        var context = new float[Batch * Features]; var alpha = new float[Batch * Regions];
        for (int b = 0; b < Batch; b++)
        {
            var e = new double[Regions];
            for (int r = 0; r < Regions; r++)
            {
                double s = 0;
                for (int a = 0; a < AttentionSize; a++)
                {
                    double pre = bias[a];
                    for (int k = 0; k < Features; k++) pre += (double)wf[a * Features + k] * f[(b * Regions + r) * Features + k];
                    for (int k = 0; k < Hidden; k++) pre += (double)wh[a * Hidden + k] * h[b * Hidden + k];
                    s += v[a] * Math.Tanh(pre);
                }
                e[r] = s;
            }
            bool Valid(int r) => mask is null || mask[b * Regions + r] != 0;
            double max = Enumerable.Range(0, Regions).Where(Valid).Max(r => e[r]);
            double z = Enumerable.Range(0, Regions).Where(Valid).Sum(r => Math.Exp(e[r] - max));
            for (int r = 0; r < Regions; r++)
            {
                double w = Valid(r) ? Math.Exp(e[r] - max) / z : 0;
                alpha[b * Regions + r] = (float)w;
                for (int k = 0; k < Features; k++) context[b * Features + k] += (float)(w * f[(b * Regions + r) * Features + k]);
            }
        }
        return (context, alpha);
    }

    private static float[] Mask() => [1, 1, 1, 1, 1, /**/ 1, 0, 1, 1, 0];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Forward_matches_textbook_equations(bool masked)
    {
        var m = new AdditiveAttention(Features, Hidden, AttentionSize, new Generator(1));
        var g = new Generator(2);
        var f = Tensor.Randn(g, [Batch, Regions, Features]); var h = Tensor.Randn(g, [Batch, Hidden]);
        var mask = masked ? Tensor.FromArray(Mask(), Batch, Regions) : null;
        var (context, alpha) = m.Forward(f, h, mask);
        Assert.Equal([Batch, Features], context.ShapeArray());
        Assert.Equal([Batch, Regions], alpha.ShapeArray());
        var expected = Reference(m, f.ToArray(), h.ToArray(), mask?.ToArray());
        GradCheck.AssertClose(expected.Alpha, alpha.ToArray(), 1e-6f, 1e-5f);
        GradCheck.AssertClose(expected.Context, context.ToArray(), 1e-6f, 1e-5f);
        if (masked)
        {
            Assert.Equal(0f, alpha[1, 1]);   // masked weights are exactly zero, not merely small
            Assert.Equal(0f, alpha[1, 4]);
        }
    }

    [Fact]
    public void Precomputed_projection_gives_the_same_result_as_forward()
    {
        var m = new AdditiveAttention(Features, Hidden, AttentionSize, new Generator(3));
        var g = new Generator(4);
        var f = Tensor.Randn(g, [Batch, Regions, Features]);
        var projected = m.ProjectFeatures(f);
        Assert.Equal([Batch, Regions, AttentionSize], projected.ShapeArray());
        for (int step = 0; step < 3; step++)
        {
            var h = Tensor.Randn(g, [Batch, Hidden]);
            var (c1, a1) = m.Attend(projected, f, h);
            var (c2, a2) = m.Forward(f, h);
            Assert.Equal(c2.ToArray(), c1.ToArray());
            Assert.Equal(a2.ToArray(), a1.ToArray());
        }
    }

    [Fact]
    public void Gradients_match_finite_differences()
    {
        var m = new AdditiveAttention(Features, Hidden, AttentionSize, new Generator(5));
        var g = new Generator(6);
        var f = GradCheck.Param(g, 1f, Batch, Regions, Features); var h = GradCheck.Param(g, 1f, Batch, Hidden);
        var mask = Tensor.FromArray(Mask(), Batch, Regions);
        GradCheck.Check(_ =>
        {
            var (context, alpha) = m.Attend(m.ProjectFeatures(f), f, h, mask);
            return Tensor.Concat([context, alpha], 1);
        }, [f, h, .. m.Parameters()]);
    }

    [Fact]
    public void Mismatched_shapes_throw()
    {
        var m = new AdditiveAttention(Features, Hidden, AttentionSize, new Generator(7));
        var f = Tensor.Zeros(Batch, Regions, Features);
        Assert.Throws<ShapeMismatchException>(() => m.Forward(f, Tensor.Zeros(Batch, Hidden + 1)));
        Assert.Throws<ShapeMismatchException>(() => m.Forward(f, Tensor.Zeros(Batch, Hidden), Tensor.Zeros(Batch, Regions + 1)));
        Assert.Throws<ShapeMismatchException>(() => m.Forward(Tensor.Zeros(Batch, Regions, Features + 1), Tensor.Zeros(Batch, Hidden)));
    }
}
