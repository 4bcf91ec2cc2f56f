// Tests of the convolution lowering: im2col followed by a GEMM must equal a direct nested-loop
// convolution (stride, padding, dilation, 1-D and 2-D), and col2im must be the exact adjoint
// of im2col: <im2col(x), y> == <x, col2im(y)> for random x and y.

using Pipeline.Models.Kernels;

namespace Pipeline.Models.Tests.Kernels;

public class Im2ColTests
{
    // channels, height, width, kh, kw, sh, sw, ph, pw, dh, dw
    public static TheoryData<int[]> Cases => new()
    {
        new[] { 1, 5, 5, 3, 3, 1, 1, 0, 0, 1, 1 },
        new[] { 3, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1 },
        new[] { 2, 8, 7, 3, 2, 2, 3, 1, 2, 1, 1 },
        new[] { 2, 9, 10, 3, 3, 1, 2, 2, 1, 2, 3 },
        new[] { 4, 6, 6, 1, 1, 2, 2, 0, 0, 1, 1 },
        new[] { 1, 4, 4, 4, 4, 1, 1, 3, 3, 1, 1 },   // kernel sees mostly padding
        new[] { 3, 5, 11, 2, 5, 3, 1, 0, 4, 2, 1 },
        new[] { 24, 20, 20, 3, 3, 1, 1, 1, 1, 1, 1 }, // 86k column entries: large enough to run the parallel path
        new[] { 2, 9, 41, 3, 3, 2, 2, 1, 1, 1, 1 },   // stride-2 rows long enough for the SIMD deinterleave + scalar tail
        new[] { 3, 6, 64, 3, 3, 2, 2, 1, 1, 1, 1 },
        new[] { 1, 5, 37, 2, 3, 1, 2, 0, 0, 1, 2 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Im2ColGemmMatchesDirectConvolution(int[] p)
    {
        (int ch, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) =
            (p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10]);
        int outH = Im2Col.OutputSize(h, kh, sh, ph, dh), outW = Im2Col.OutputSize(w, kw, sw, pw, dw);
        const int filters = 3;
        var random = new Random(ch * 100 + h * 10 + kw);
        float[] image = SgemmTests.RandomArray(random, ch * h * w);
        float[] weights = SgemmTests.RandomArray(random, filters * ch * kh * kw);

        float[] columns = Enumerable.Repeat(float.NaN, ch * kh * kw * outH * outW).ToArray(); // must be fully overwritten
        Im2Col.Im2Col2d(image, ch, h, w, kh, kw, sh, sw, ph, pw, dh, dw, columns);
        float[] output = new float[filters * outH * outW];
        int kdim = ch * kh * kw;
        SgemmReference.Multiply(false, false, filters, outH * outW, kdim, 1f, weights, kdim, columns, outH * outW, 0f, output, outH * outW);

        float[] expected = DirectConvolution(image, weights, filters, ch, h, w, kh, kw, sh, sw, ph, pw, dh, dw, outH, outW);
        // Both sides sum the same kdim products; only the summation order differs (double vs double
        // over float products), so a tiny absolute tolerance suffices.
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - output[i]) <= 1e-5f * (kdim + 1), $"output {i}: expected {expected[i]}, got {output[i]}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Col2ImIsAdjointOfIm2Col(int[] p)
    {
        (int ch, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) =
            (p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10]);
        int outH = Im2Col.OutputSize(h, kh, sh, ph, dh), outW = Im2Col.OutputSize(w, kw, sw, pw, dw);
        var random = new Random(7 + ch * h * w);
        float[] x = SgemmTests.RandomArray(random, ch * h * w);
        float[] y = SgemmTests.RandomArray(random, ch * kh * kw * outH * outW);

        float[] cols = new float[y.Length];
        Im2Col.Im2Col2d(x, ch, h, w, kh, kw, sh, sw, ph, pw, dh, dw, cols);
        float[] back = SgemmTests.RandomArray(random, x.Length);
        float[] start = (float[])back.Clone();
        Im2Col.Col2Im2d(y, ch, h, w, kh, kw, sh, sw, ph, pw, dh, dw, back);

        double lhs = Dot(cols, y), rhs = 0;
        for (int i = 0; i < x.Length; i++)
            rhs += (double)x[i] * (back[i] - start[i]); // col2im accumulates: subtract the initial contents
        // Each side is a sum of at most |y| float products computed in double; the float rounding of
        // back[i] (a sum of up to kh·kw terms) bounds the difference well below 1e-4 relative.
        Assert.True(Math.Abs(lhs - rhs) <= 1e-4 * (1 + Math.Abs(lhs)) + 1e-4, $"<im2col(x), y> = {lhs} but <x, col2im(y)> = {rhs}");
    }

    [Fact]
    public void OneDimensionalMatchesDirectConvolution()
    {
        const int ch = 3, len = 17, k = 4, stride = 2, pad = 3, dil = 2, filters = 2;
        int outL = Im2Col.OutputSize(len, k, stride, pad, dil);
        var random = new Random(5);
        float[] x = SgemmTests.RandomArray(random, ch * len);
        float[] weights = SgemmTests.RandomArray(random, filters * ch * k);
        float[] cols = new float[ch * k * outL];
        Im2Col.Im2Col1d(x, ch, len, k, stride, pad, dil, cols);
        float[] output = new float[filters * outL];
        SgemmReference.Multiply(false, false, filters, outL, ch * k, 1f, weights, ch * k, cols, outL, 0f, output, outL);
        // A 1-D convolution is the 2-D one with height 1 and a 1-tall kernel.
        float[] expected = DirectConvolution(x, weights, filters, ch, 1, len, 1, k, 1, stride, 0, pad, 1, dil, 1, outL);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - output[i]) <= 1e-5f * (ch * k + 1), $"output {i}: expected {expected[i]}, got {output[i]}");

        // Adjoint identity in 1-D as well.
        float[] y = SgemmTests.RandomArray(random, cols.Length);
        float[] back = new float[x.Length];
        Im2Col.Col2Im1d(y, ch, len, k, stride, pad, dil, back);
        Assert.True(Math.Abs(Dot(cols, y) - Dot(x, back)) <= 1e-4 * (1 + Math.Abs(Dot(cols, y))));
    }

    [Fact]
    public void OutputSizeAndValidation()
    {
        Assert.Equal(5, Im2Col.OutputSize(5, 3, 1, 1, 1));
        Assert.Equal(3, Im2Col.OutputSize(7, 3, 2, 0, 1));
        Assert.Equal(1, Im2Col.OutputSize(5, 3, 1, 0, 2));
        var ex = Assert.Throws<ArgumentException>(() => Im2Col.OutputSize(5, 3, 0, 0, 1));
        Assert.Equal("stride", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => Im2Col.OutputSize(2, 3, 1, 0, 1));
        Assert.Equal("kernel", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() =>
            Im2Col.Im2Col2d(new float[10], 1, 4, 4, 3, 3, 1, 1, 0, 0, 1, 1, new float[36]));
        Assert.Equal("image", ex.ParamName);
        Assert.Contains("16", ex.Message);
        ex = Assert.Throws<ArgumentException>(() =>
            Im2Col.Im2Col2d(new float[16], 1, 4, 4, 3, 3, 1, 1, 0, 0, 1, 1, new float[35]));
        Assert.Equal("columns", ex.ParamName);
        Assert.Contains("36", ex.Message);
    }

    private static float[] DirectConvolution(float[] image, float[] weights, int filters, int ch, int h, int w,
        int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int outH, int outW)
    {
        var result = new float[filters * outH * outW];
        for (int f = 0; f < filters; f++)
            for (int oh = 0; oh < outH; oh++)
                for (int ow = 0; ow < outW; ow++)
                {
                    double sum = 0;
                    for (int c = 0; c < ch; c++)
                        for (int ki = 0; ki < kh; ki++)
                            for (int kj = 0; kj < kw; kj++)
                            {
                                int ih = oh * sh - ph + ki * dh, iw = ow * sw - pw + kj * dw;
                                if (ih < 0 || ih >= h || iw < 0 || iw >= w)
                                    continue;
                                sum += (double)weights[((f * ch + c) * kh + ki) * kw + kj] * image[(c * h + ih) * w + iw];
                            }
                    result[(f * outH + oh) * outW + ow] = (float)sum;
                }
        return result;
    }

    private static double Dot(float[] x, float[] y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
            sum += (double)x[i] * y[i];
        return sum;
    }
}
