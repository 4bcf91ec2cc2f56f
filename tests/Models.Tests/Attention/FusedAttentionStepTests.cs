// The fused attention step against its composed reference (AdditiveAttention.Attend) — values with and
// without gradient recording, and finite-difference gradients of every input.
// Shape key: B = batch, R = regions, F = feature dims, H = hidden size, A = attention dims.
using Pipeline.Models.Autograd;
using Pipeline.Models.Nn.Attention;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Attention;

public sealed class FusedAttentionStepTests
{
    [Theory]
    [InlineData(1, 1, 1, 1, 1)]
    [InlineData(3, 5, 4, 6, 7)]
    [InlineData(2, 13, 9, 17, 33)]
    public void MatchesComposedAttention(int batch, int regions, int featureSize, int hiddenSize, int attentionSize)
    {
        var g = new Generator(41);
        var attention = new AdditiveAttention(featureSize, hiddenSize, attentionSize, g);
        var features = Tensor.Randn(g, [batch, regions, featureSize]);
        var hidden = Tensor.Randn(g, [batch, hiddenSize]);
        var projected = attention.ProjectFeatures(features);
        var (expectedContext, expectedAlpha) = attention.Attend(projected, features, hidden);
        var (context, alpha) = FusedAttentionStep.Attend(attention, projected, features, hidden);       // recording (parameters need grad)
        GradCheck.AssertClose(expectedContext.Data, context.Data, 1e-5f, 1e-4f);
        GradCheck.AssertClose(expectedAlpha.Data, alpha.Data, 1e-6f, 1e-4f);
        using var noGrad = GradMode.NoGrad();
        var (context2, alpha2) = FusedAttentionStep.Attend(attention, projected, features, hidden);     // scratch-row path
        Assert.Equal(context.ToArray(), context2.ToArray());
        Assert.Equal(alpha.ToArray(), alpha2.ToArray());
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        var g = new Generator(42);
        var projected = GradCheck.Param(g, 0.8f, 2, 4, 3);   // (B, R, A)
        var query = GradCheck.Param(g, 0.8f, 2, 3);          // (B, A)
        var score = GradCheck.Param(g, 1f, 1, 3);            // (1, A)
        var features = GradCheck.Param(g, 1f, 2, 4, 5);      // (B, R, F)
        GradCheck.Check(x =>
        {
            var (context, alpha) = FusedAttentionStep.Forward(x[0], x[1], x[2], x[3]);
            return Tensor.Concat([context, alpha], 1);
        }, [projected, query, score, features]);
    }

    // Forward and every gradient against a double-precision reference (DoubleReference.AttentionStep). The softmax
    // backward, α_r·(dα_r − Σ α_k dα_k), is a difference of near-equal terms that float32 finite differences
    // (tolerance 1e-2) cannot resolve; against double the fused kernel must agree to ~1e-5. Each value is a float32 sum
    // of at most max(A, R, F) = 33 O(1) terms (relative rounding ~√33·6e-8 ≈ 3.5e-7) through tanh/exp (a few ulps).
    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(2, 13, 17, 33)]
    public void MatchesDoublePrecisionReferenceInValuesAndAllGradients(int batch, int regions, int attentionSize, int featureSize)
    {
        var g = new Generator(44);
        var projected = GradCheck.Param(g, 0.8f, batch, regions, attentionSize);   // (B, R, A)
        var query = GradCheck.Param(g, 0.8f, batch, attentionSize);                // (B, A)
        var score = GradCheck.Param(g, 1f, 1, attentionSize);                      // (1, A)
        var features = GradCheck.Param(g, 1f, batch, regions, featureSize);        // (B, R, F)
        var dContext = Tensor.Randn(g, [batch, featureSize]); var dAlpha = Tensor.Randn(g, [batch, regions]);
        var (context, alpha) = FusedAttentionStep.Forward(projected, query, score, features);
        (Tensor.SumAll(context * dContext) + Tensor.SumAll(alpha * dAlpha)).Backward();

        var expected = DoubleReference.AttentionStep(DoubleReference.D(projected.ToArray()), DoubleReference.D(query.ToArray()),
            DoubleReference.D(score.ToArray()), DoubleReference.D(features.ToArray()), DoubleReference.D(dContext.ToArray()),
            DoubleReference.D(dAlpha.ToArray()), batch, regions, attentionSize, featureSize);
        const double atol = 1e-5, rtol = 1e-5;
        DoubleReference.AssertClose("context", expected.Context, context.Data, atol, rtol);
        DoubleReference.AssertClose("alpha", expected.Alpha, alpha.Data, atol, rtol);
        DoubleReference.AssertClose("dP", expected.Grads.Projected, projected.Grad!.Data, atol, rtol);
        DoubleReference.AssertClose("dq", expected.Grads.Query, query.Grad!.Data, atol, rtol);
        DoubleReference.AssertClose("dv", expected.Grads.ScoreWeight, score.Grad!.Data, atol, rtol);
        DoubleReference.AssertClose("da", expected.Grads.Features, features.Grad!.Data, atol, rtol);
    }

    [Fact]
    public void GradientsMatchComposedAttention()
    {
        var g = new Generator(43);
        var attention = new AdditiveAttention(5, 6, 4, g);
        var features = GradCheck.Param(g, 1f, 3, 7, 5);
        var hidden = GradCheck.Param(g, 1f, 3, 6);
        var weights = Tensor.Randn(g, [3, 12]);
        Tensor[] Step(bool fused)
        {
            var projected = attention.ProjectFeatures(features);
            var (context, alpha) = fused ? FusedAttentionStep.Attend(attention, projected, features, hidden) : attention.Attend(projected, features, hidden);
            return [Tensor.Concat([context, alpha], 1)];
        }
        GradCheck.AssertSameValuesAndGradients([features, hidden, .. attention.Parameters()], [weights], () => Step(fused: false), () => Step(fused: true), 1e-5f, 1e-4f);
    }
}
