// Conv2d / Conv1d: forward against direct nested-loop convolution (odd sizes, stride, padding,
// dilation), gradients w.r.t. input, weight and bias by finite differences, and the placeholder
// im2col's adjointness (⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩), which the backward relies on.
using Pipeline.Models.Kernels;
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Nn;

public class ConvolutionTests
{
    private static float[] NaiveConv2d(Tensor x, Tensor w, Tensor? b, int sh, int sw, int ph, int pw, int dh, int dw)
    {
        int n = x.Size(0), c = x.Size(1), h = x.Size(2), wd = x.Size(3), o = w.Size(0), kh = w.Size(2), kw = w.Size(3);
        int oh = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1, ow = (wd + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        var y = new float[n * o * oh * ow];
        for (int bi = 0; bi < n; bi++)
            for (int oc = 0; oc < o; oc++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double s = b?.Data[oc] ?? 0;
                        for (int ic = 0; ic < c; ic++)
                            for (int ky = 0; ky < kh; ky++)
                                for (int kx = 0; kx < kw; kx++)
                                {
                                    int iy = oy * sh - ph + ky * dh, ix = ox * sw - pw + kx * dw;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                                    s += x[bi, ic, iy, ix] * w[oc, ic, ky, kx];
                                }
                        y[((bi * o + oc) * oh + oy) * ow + ox] = (float)s;
                    }
        return y;
    }

    [Theory]
    [InlineData(1, 1, 0, 0, 1, 1)]
    [InlineData(2, 2, 1, 1, 2, 2)]
    [InlineData(2, 1, 1, 2, 1, 2)]
    public void Conv2d_MatchesNestedLoops(int sh, int sw, int ph, int pw, int dh, int dw)
    {
        var g = new Generator(1);
        var x = Tensor.Randn(g, [3, 2, 7, 6]);
        var conv = new Conv2d(new Conv2dOptions(2, 4, (3, 2)) { Stride = (sh, sw), Padding = (ph, pw), Dilation = (dh, dw) }, g);
        var y = conv.Forward(x);
        var expected = NaiveConv2d(x, conv.Weight, conv.Bias, sh, sw, ph, pw, dh, dw);
        Assert.Equal(expected.Length, y.Length);
        GradCheck.AssertClose(expected, y.Data, 1e-5f, 1e-4f);
    }

    [Fact]
    public void Conv2d_Gradients_MatchFiniteDifferences_StridePaddingDilation()
    {
        var g = new Generator(2);
        var x = GradCheck.Param(g, 1f, 2, 2, 5, 7);
        var w = GradCheck.Param(g, 0.5f, 3, 2, 3, 3);
        var b = GradCheck.Param(g, 0.5f, 3);
        GradCheck.Check(t => Functional.Conv2d(t[0], t[1], t[2], stride: (2, 2), padding: (1, 1), dilation: (2, 2)), [x, w, b]);
        GradCheck.Check(t => Functional.Conv2d(t[0], t[1], null, stride: (1, 2), padding: (0, 1)), [x, w]);
    }

    // Sized so that every GEMM of the forward and backward is above Sgemm.ParallelProblem (2^20 multiply-adds):
    // K = 8·3·3 = 72, four 16×16 images in one group give a (16, 72)·(72, 1024) product, 1.18 M multiply-adds.
    // The fork counter proves the parallel path ran (a smaller input used to run both halves serially).
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Conv2d_SameResult_SerialAndParallel(int threads)
    {
        var g = new Generator(3);
        var x = GradCheck.Param(g, 1f, 4, 8, 16, 16);                               // (N, C, H, W)
        var conv = new Conv2d(8, 16, 3, g, stride: 1, padding: 1);
        var weights = Tensor.Randn(g, [4, 16, 16, 16]);

        (float[] Output, float[] WeightGrad, float[] InputGrad, long Forks) Run(int degree)
        {
            using var parallel = Parallelism.Scope(degree);
            x.Grad = null; conv.ZeroGrad();
            long before = Parallelism.ForkedRegionsOnCurrentThread;
            var y = conv.Forward(x);
            Tensor.SumAll(y * weights).Backward();
            return (y.ToArray(), conv.Weight.Grad!.ToArray(), x.Grad!.ToArray(), Parallelism.ForkedRegionsOnCurrentThread - before);
        }

        var serial = Run(1);
        var parallel = Run(threads);
        Assert.Equal(0, serial.Forks);
        Assert.True(parallel.Forks >= 3, $"expected the forward and both backward GEMMs to fork, saw {parallel.Forks} parallel regions");
        Assert.Equal(serial.Output, parallel.Output);
        Assert.Equal(serial.WeightGrad, parallel.WeightGrad);
        Assert.Equal(serial.InputGrad, parallel.InputGrad);
    }

    [Fact]
    public void Conv1d_MatchesNestedLoops_AndGradients()
    {
        var g = new Generator(4);
        var x = GradCheck.Param(g, 1f, 2, 3, 9);                                    // (B, C, L)
        var conv = new Conv1d(new Conv1dOptions(3, 2, 3) { Stride = 2, Padding = 1, Dilation = 2 }, g);
        var y = conv.Forward(x);
        int outL = (9 + 2 - 2 * 2 - 1) / 2 + 1;
        Assert.Equal([2, 2, outL], y.ShapeArray());
        var expected = new float[2 * 2 * outL];
        for (int b = 0; b < 2; b++)
            for (int o = 0; o < 2; o++)
                for (int t = 0; t < outL; t++)
                {
                    double s = conv.Bias!.Data[o];
                    for (int c = 0; c < 3; c++)
                        for (int k = 0; k < 3; k++)
                        {
                            int i = t * 2 - 1 + k * 2;
                            if (i >= 0 && i < 9) s += x[b, c, i] * conv.Weight[o, c, k];
                        }
                    expected[(b * 2 + o) * outL + t] = (float)s;
                }
        GradCheck.AssertClose(expected, y.Data, 1e-5f, 1e-4f);
        GradCheck.Check(t => Functional.Conv1d(t[0], t[1], t[2], stride: 2, padding: 1, dilation: 2), [x, conv.Weight, conv.Bias!]);
    }

    [Fact]
    public void Im2Col_IsAdjointOfCol2Im()
    {
        var g = new Generator(5);
        int c = 2, h = 5, w = 6, kh = 3, kw = 2, oh = Im2Col.OutputSize(h, kh, 2, 1, 2), ow = Im2Col.OutputSize(w, kw, 1, 1, 1);
        var image = Tensor.Randn(g, [c * h * w]).ToArray();
        var cols = Tensor.Randn(g, [c * kh * kw * oh * ow]).ToArray();
        var unfolded = new float[cols.Length];
        Im2Col.Im2Col2d(image, c, h, w, kh, kw, 2, 1, 1, 1, 2, 1, unfolded);
        var folded = new float[image.Length];
        Im2Col.Col2Im2d(cols, c, h, w, kh, kw, 2, 1, 1, 1, 2, 1, folded);
        double lhs = 0, rhs = 0;
        for (int i = 0; i < cols.Length; i++) lhs += unfolded[i] * cols[i];
        for (int i = 0; i < image.Length; i++) rhs += image[i] * folded[i];
        Assert.Equal(lhs, rhs, 3);
    }

    [Fact]
    public void Conv2d_RejectsMismatchedChannels_AndTooSmallInput()
    {
        var conv = new Conv2d(3, 2, 3, new Generator(6));
        Assert.Throws<ShapeMismatchException>(() => conv.Forward(Tensor.Zeros(1, 2, 5, 5)));
        Assert.Throws<ShapeMismatchException>(() => conv.Forward(Tensor.Zeros(1, 3, 2, 2)));
        Assert.Equal(["weight", "bias"], conv.NamedParameters().Select(p => p.Name));
        Assert.Equal([2, 3, 3, 3], conv.Weight.ShapeArray());
    }
}
