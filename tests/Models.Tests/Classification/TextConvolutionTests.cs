// TextConvolution (the TextCNN's windowed convolution over (B, T, E) word vectors): forward against a naive
// triple loop, both backward paths (dense tap-wise GEMMs and the sparse path taken under max pooling)
// against the naive adjoint, and finite differences through conv → masked max-over-time.
// Shape key: B = batch, T = time, E = embedding dim, O = feature maps, h = filter width.
using Pipeline.Models.Classification;
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Classification;

public class TextConvolutionTests
{
    /// <summary>y[b, t, o] = Σ_j Σ_e W[o, 0, j, e] · x[b, t + j, e] for every window inside sequence b.</summary>
    private static float[,,] NaiveForward(Tensor x, Tensor w)
    {
        int batch = x.Size(0), steps = x.Size(1), dim = x.Size(2), maps = w.Size(0), width = w.Size(2);
        var y = new float[batch, steps - width + 1, maps];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t <= steps - width; t++)
                for (int o = 0; o < maps; o++)
                {
                    double s = 0;
                    for (int j = 0; j < width; j++)
                        for (int e = 0; e < dim; e++) s += (double)w.Data[((o * width) + j) * dim + e] * x.Data[(b * steps + t + j) * dim + e];
                    y[b, t, o] = (float)s;
                }
        return y;
    }

    [Theory]
    [InlineData(2, 7, 5, 4, 3)]
    [InlineData(3, 4, 3, 2, 4)]     // T = h: one window per sequence
    [InlineData(1, 9, 13, 7, 1)]
    public void Forward_MatchesNaiveWindows(int batch, int steps, int dim, int maps, int width)
    {
        var g = new Generator(5);
        var x = Tensor.Randn(g, [batch, steps, dim]);
        var conv = new TextConvolution(dim, maps, width, g);
        var y = conv.Forward(x);                                                     // (B, T, O)
        Assert.Equal([batch, steps, maps], y.ShapeArray());
        var expected = NaiveForward(x, conv.Weight);
        for (int b = 0; b < batch; b++)
            for (int t = 0; t <= steps - width; t++)
                for (int o = 0; o < maps; o++)
                    Assert.True(MathF.Abs(expected[b, t, o] - y[b, t, o]) <= 1e-5f + 1e-5f * MathF.Abs(expected[b, t, o]),
                        $"({b}, {t}, {o}): expected {expected[b, t, o]}, got {y[b, t, o]}");
        Assert.Equal(steps - width + 1, conv.Windows(steps));
    }

    [Fact]
    public void Forward_RejectsSequencesShorterThanTheFilter()
    {
        var conv = new TextConvolution(3, 2, 4, new Generator(1));
        Assert.Throws<ShapeMismatchException>(() => conv.Forward(Tensor.Zeros(2, 3, 3)));
    }

    [Theory]
    [InlineData(false)]   // every dY entry non-zero → dense GEMM path
    [InlineData(true)]    // a handful of entries → sparse path
    public void Backward_MatchesNaiveAdjoint(bool sparse)
    {
        const int batch = 2, steps = 12, dim = 4, maps = 3, width = 3;
        var g = new Generator(6);
        var x = GradCheck.Param(g, 1f, batch, steps, dim);
        var w = GradCheck.Param(g, 1f, maps, 1, width, dim);
        var upstream = Tensor.Randn(g, [batch, steps, maps]);
        // Only window rows carry gradient (the op's extra rows are unspecified, callers never read them).
        var mask = new float[upstream.Length];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t <= steps - width; t++)
                for (int o = 0; o < maps; o++)
                    mask[(b * steps + t) * maps + o] = !sparse || (t == (3 * b + o) % (steps - width + 1)) ? 1f : 0f;
        for (int i = 0; i < mask.Length; i++) upstream.Data[i] *= mask[i];

        TextConvolution.Convolve(x, w).Backward(upstream);

        var gx = new double[x.Length];
        var gw = new double[w.Length];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t <= steps - width; t++)
                for (int o = 0; o < maps; o++)
                {
                    double up = upstream.Data[(b * steps + t) * maps + o];
                    for (int j = 0; j < width; j++)
                        for (int e = 0; e < dim; e++)
                        {
                            int xi = (b * steps + t + j) * dim + e, wi = (o * width + j) * dim + e;
                            gx[xi] += up * w.Data[wi];
                            gw[wi] += up * x.Data[xi];
                        }
                }
        GradCheck.AssertClose(gx.Select(v => (float)v).ToArray(), x.Grad!.Data, 1e-5f, 1e-5f);
        GradCheck.AssertClose(gw.Select(v => (float)v).ToArray(), w.Grad!.Data, 1e-5f, 1e-5f);
    }

    [Fact]
    public void GradCheck_DenseOutput()
    {
        var g = new Generator(7);
        var x = GradCheck.Param(g, 1f, 2, 5, 3);
        var w = GradCheck.Param(g, 0.5f, 2, 1, 2, 3);
        GradCheck.Check(t => TextConvolution.Convolve(t[0], t[1]), [x, w]);
    }

    [Fact]
    public void GradCheck_ThroughMaskedMaxOverTime()
    {
        // Long enough that max pooling leaves dY sparse, so the sparse backward runs.
        var g = new Generator(8);
        var x = GradCheck.Param(g, 1f, 2, 12, 3);
        var w = GradCheck.Param(g, 0.5f, 2, 1, 2, 3);
        int[] windows = [11, 6];
        GradCheck.Check(t => Functional.MaxOverTime(TextConvolution.Convolve(t[0], t[1]), windows), [x, w], eps: 1e-3f);
    }
}
