// Attention pooling: forward against s_t = vᵀ tanh(W x_t + b), masked softmax over t, Σ α x written as
// loops; padding gets zero weight and cannot change the result; finite-difference gradients.
// Shape key: B = batch, T = time, C = channels, A = attention size.
using Pipeline.Models.Nn.Attention;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Attention;

public class AttentionPoolingTests
{
    private const int Batch = 2, Steps = 4, Channels = 3, AttentionSize = 5;

    private static (float[] Pooled, float[] Alpha) Reference(AttentionPooling m, float[] x, int[] lengths, int steps)
    {
        var w = m.Weight.ToArray(); var bias = m.Bias.ToArray(); var v = m.ScoreWeight.ToArray();
        var pooled = new float[Batch * Channels]; var alpha = new float[Batch * steps];
        for (int b = 0; b < Batch; b++)
        {
            var s = new double[lengths[b]];
            for (int t = 0; t < lengths[b]; t++)
                for (int a = 0; a < AttentionSize; a++)
                {
                    double pre = bias[a];
                    for (int c = 0; c < Channels; c++) pre += (double)w[a * Channels + c] * x[(b * steps + t) * Channels + c];
                    s[t] += v[a] * Math.Tanh(pre);
                }
            double max = s.Max(), z = s.Sum(e => Math.Exp(e - max));
            for (int t = 0; t < lengths[b]; t++)
            {
                double wt = Math.Exp(s[t] - max) / z;
                alpha[b * steps + t] = (float)wt;
                for (int c = 0; c < Channels; c++) pooled[b * Channels + c] += (float)(wt * x[(b * steps + t) * Channels + c]);
            }
        }
        return (pooled, alpha);
    }

    [Fact]
    public void Forward_matches_textbook_equations_with_lengths()
    {
        var m = new AttentionPooling(Channels, AttentionSize, new Generator(1));
        var x = Tensor.Randn(new Generator(2), [Batch, Steps, Channels]);
        int[] lengths = [4, 2];
        var (pooled, alpha) = m.Forward(x, lengths);
        var expected = Reference(m, x.ToArray(), lengths, Steps);
        GradCheck.AssertClose(expected.Alpha, alpha.ToArray(), 1e-6f, 1e-5f);
        GradCheck.AssertClose(expected.Pooled, pooled.ToArray(), 1e-6f, 1e-5f);
        Assert.Equal(0f, alpha[1, 2]);
        Assert.Equal(0f, alpha[1, 3]);
        var (full, _) = m.Forward(x);
        GradCheck.AssertClose(Reference(m, x.ToArray(), [4, 4], Steps).Pooled, full.ToArray(), 1e-6f, 1e-5f);
    }

    [Fact]
    public void Padding_content_does_not_change_the_result()
    {
        var m = new AttentionPooling(Channels, AttentionSize, new Generator(3));
        var x = Tensor.Randn(new Generator(4), [Batch, Steps, Channels]);
        var y = x.Clone();
        for (int t = 2; t < Steps; t++) for (int c = 0; c < Channels; c++) y[1, t, c] = 1000f * (t + c);
        var (p1, a1) = m.Forward(x, [4, 2]);
        var (p2, a2) = m.Forward(y, [4, 2]);
        Assert.Equal(p1.ToArray(), p2.ToArray());
        Assert.Equal(a1.ToArray(), a2.ToArray());
    }

    [Fact]
    public void Gradients_match_finite_differences()
    {
        var m = new AttentionPooling(Channels, AttentionSize, new Generator(5));
        var x = GradCheck.Param(new Generator(6), 1f, Batch, Steps, Channels);
        GradCheck.Check(_ =>
        {
            var (pooled, alpha) = m.Forward(x, [4, 3]);
            return Tensor.Concat([pooled, alpha], 1);
        }, [x, .. m.Parameters()]);
    }

    [Fact]
    public void Invalid_lengths_throw()
    {
        var m = new AttentionPooling(Channels, AttentionSize, new Generator(7));
        var x = Tensor.Zeros(Batch, Steps, Channels);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Forward(x, [0, 2]));
        Assert.Throws<ArgumentException>(() => m.Forward(x, [1]));
    }
}
