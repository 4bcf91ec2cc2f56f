// Pooling: max/avg/adaptive pooling against nested loops and finite differences (values spaced far
// apart so that no ±eps probe changes a window's arg-max), and masked (k-)max over time: padding never
// wins and never receives gradient, k-max keeps time order.
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Nn;

public class PoolingTests
{
    /// <summary>A leaf holding a shuffled 0.1-spaced ramp: distinct values, no ties within finite-difference reach.</summary>
    private static Tensor DistinctParam(ulong seed, params int[] shape)
    {
        var values = Enumerable.Range(0, TensorShape.Numel(shape)).Select(i => 0.1f * i - 1f).ToList();
        new Generator(seed).Shuffle(values);
        return Tensor.FromArray(values.ToArray(), shape).WithGrad();
    }

    private static float[] NaivePool(Tensor x, int kh, int kw, int sh, int sw, int ph, int pw, bool max)
    {
        int n = x.Size(0), c = x.Size(1), h = x.Size(2), w = x.Size(3);
        int oh = (h + 2 * ph - kh) / sh + 1, ow = (w + 2 * pw - kw) / sw + 1;
        var y = new List<float>();
        for (int b = 0; b < n; b++) for (int ch = 0; ch < c; ch++)
            for (int oy = 0; oy < oh; oy++) for (int ox = 0; ox < ow; ox++)
            {
                float best = float.NegativeInfinity, sum = 0;
                for (int ky = 0; ky < kh; ky++) for (int kx = 0; kx < kw; kx++)
                {
                    int iy = oy * sh - ph + ky, ix = ox * sw - pw + kx;
                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                    best = Math.Max(best, x[b, ch, iy, ix]); sum += x[b, ch, iy, ix];
                }
                y.Add(max ? best : sum / (kh * kw));
            }
        return [.. y];
    }

    [Theory]
    [InlineData(2, 2, 2, 2, 0, 0)]
    [InlineData(3, 3, 2, 2, 1, 1)]
    [InlineData(3, 2, 1, 2, 1, 0)]
    public void MaxAndAvgPool_MatchLoops_AndGradients(int kh, int kw, int sh, int sw, int ph, int pw)
    {
        var x = DistinctParam(1, 2, 2, 5, 7);
        var options = new Pool2dOptions((kh, kw)) { Stride = (sh, sw), Padding = (ph, pw) };
        GradCheck.AssertClose(NaivePool(x, kh, kw, sh, sw, ph, pw, max: true), new MaxPool2d(options).Forward(x).Data);
        GradCheck.AssertClose(NaivePool(x, kh, kw, sh, sw, ph, pw, max: false), new AvgPool2d(options).Forward(x).Data, 1e-6f, 1e-5f);
        GradCheck.Check(t => Functional.MaxPool2d(t[0], options), [x]);
        GradCheck.Check(t => Functional.AvgPool2d(t[0], options), [x]);
    }

    [Fact]
    public void MaxPool_DefaultStrideIsKernel()
    {
        var x = Tensor.FromArray([1, 5, 2, 0, 3, 4, 7, 1, 0, 0, 9, 8, 6, 2, 1, 3], 1, 1, 4, 4);
        Assert.Equal([5f, 7, 6, 9], new MaxPool2d(2).Forward(x).ToArray());
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    [InlineData(3, 2)]
    public void AdaptiveAvgPool_MatchesWindows_AndGradients(int oh, int ow)
    {
        var g = new Generator(2);
        var x = GradCheck.Param(g, 1f, 2, 3, 5, 4);
        var y = new AdaptiveAvgPool2d(oh, ow).Forward(x);
        Assert.Equal([2, 3, oh, ow], y.ShapeArray());
        for (int p = 0; p < 6; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    int y0 = i * 5 / oh, y1 = (int)Math.Ceiling((i + 1) * 5.0 / oh), x0 = j * 4 / ow, x1 = (int)Math.Ceiling((j + 1) * 4.0 / ow);
                    double s = 0;
                    for (int a = y0; a < y1; a++) for (int b = x0; b < x1; b++) s += x.Data[(p * 5 + a) * 4 + b];
                    Assert.Equal(s / ((y1 - y0) * (x1 - x0)), y.Data[(p * oh + i) * ow + j], 5);
                }
        GradCheck.Check(t => Functional.AdaptiveAvgPool2d(t[0], oh, ow), [x]);
    }

    [Theory]
    [InlineData(SequenceLayout.BatchTimeChannels)]
    [InlineData(SequenceLayout.BatchChannelsTime)]
    public void MaxOverTime_IgnoresPadding_AndGradients(SequenceLayout layout)
    {
        bool timeFirst = layout == SequenceLayout.BatchTimeChannels;
        int[] shape = timeFirst ? [3, 5, 2] : [3, 2, 5];
        var x = DistinctParam(3, shape);
        int[] lengths = [5, 2, 3];
        float At(int b, int t, int c) => timeFirst ? x[b, t, c] : x[b, c, t];
        // padded positions get huge values: they must never win
        for (int b = 0; b < 3; b++) for (int t = lengths[b]; t < 5; t++) for (int c = 0; c < 2; c++)
            if (timeFirst) x[b, t, c] = 100f + t; else x[b, c, t] = 100f + t;
        var y = Functional.MaxOverTime(x, lengths, layout);
        Assert.Equal([3, 2], y.ShapeArray());
        for (int b = 0; b < 3; b++) for (int c = 0; c < 2; c++)
            Assert.Equal(Enumerable.Range(0, lengths[b]).Max(t => At(b, t, c)), y[b, c]);
        Tensor.SumAll(y).Backward();
        for (int b = 0; b < 3; b++) for (int t = lengths[b]; t < 5; t++) for (int c = 0; c < 2; c++)
            Assert.Equal(0f, timeFirst ? x.Grad![b, t, c] : x.Grad![b, c, t]);
        var clean = DistinctParam(4, shape);
        GradCheck.Check(t => Functional.MaxOverTime(t[0], lengths, layout), [clean]);
    }

    [Fact]
    public void MaxOverTime_TimeFirst_WideChannels_MatchesNaiveScan_WithTiesAndEmptySequences()
    {
        // 37 channels: the SIMD running max covers whole vectors and the scalar tail; values on a coarse grid
        // make ties common, and the gradient must go to the FIRST step holding the maximum (as a scan does).
        var g = new Generator(12);
        const int B = 4, T = 9, C = 37;
        var x = Tensor.Zeros(B, T, C);
        for (int i = 0; i < x.Length; i++) x.Data[i] = MathF.Round(g.NextFloat() * 4f);
        x.RequiresGrad = true;
        int[] lengths = [9, 1, 0, 5];
        var y = Functional.MaxOverTime(x, lengths);
        Tensor.SumAll(y).Backward();
        for (int b = 0; b < B; b++)
            for (int c = 0; c < C; c++)
            {
                int first = -1;
                for (int t = 0; t < lengths[b]; t++)
                    if (first < 0 || x[b, t, c] > x[b, first, c]) first = t;
                Assert.Equal(first < 0 ? 0f : x[b, first, c], y[b, c]);
                for (int t = 0; t < T; t++)
                    Assert.Equal(t == first ? 1f : 0f, x.Grad![b, t, c]);
            }
    }

    [Fact]
    public void KMaxOverTime_KeepsTimeOrder_AndPadsShortSequences()
    {
        // (B=2, T=5, C=1)
        var x = Tensor.FromArray([3, 9, 1, 7, 5, /* b=1 */ 4, 2, 99, 99, 99], 2, 5, 1).WithGrad();
        var y = Functional.KMaxOverTime(x, 3, [5, 2]);
        Assert.Equal([2, 3, 1], y.ShapeArray());
        Assert.Equal([9f, 7, 5, 4, 2, 0], y.ToArray());
        Tensor.SumAll(y * Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3, 1)).Backward();
        Assert.Equal([0f, 1, 0, 2, 3, 4, 5, 0, 0, 0], x.Grad!.ToArray());
        // (B, C, T) layout and finite differences
        var z = DistinctParam(5, 2, 3, 6);
        GradCheck.Check(t => Functional.KMaxOverTime(t[0], 2, [6, 4], SequenceLayout.BatchChannelsTime), [z]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Functional.MaxOverTime(z, [7, 1], SequenceLayout.BatchChannelsTime));
    }
}
