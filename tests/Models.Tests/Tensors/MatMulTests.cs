// Matrix products for every rank combination and transpose flag, against a triple loop, with gradients.
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Tensors;

public class MatMulTests
{
    private static float[] Naive(float[] a, float[] b, int batch, int m, int n, int k, bool ta, bool tb, bool sharedB)
    {
        var c = new float[batch * m * n];
        for (int z = 0; z < batch; z++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double s = 0;
                    for (int p = 0; p < k; p++)
                    {
                        float av = ta ? a[z * m * k + p * m + i] : a[z * m * k + i * k + p];
                        int bBase = sharedB ? 0 : z * k * n;
                        float bv = tb ? b[bBase + j * k + p] : b[bBase + p * n + j];
                        s += av * bv;
                    }
                    c[(z * m + i) * n + j] = (float)s;
                }
        return c;
    }

    [Theory]
    [InlineData(1, 1, 1, false, false)]
    [InlineData(7, 13, 5, false, false)]
    [InlineData(7, 13, 5, true, false)]
    [InlineData(7, 13, 5, false, true)]
    [InlineData(7, 13, 5, true, true)]
    [InlineData(129, 65, 33, false, true)]
    public void TwoDimensional(int m, int n, int k, bool ta, bool tb)
    {
        var g = new Generator(1);
        var a = Tensor.Randn(g, ta ? [k, m] : [m, k]);
        var b = Tensor.Randn(g, tb ? [n, k] : [k, n]);
        var c = Tensor.MatMul(a, b, ta, tb);
        Assert.Equal([m, n], c.ShapeArray());
        GradCheck.AssertClose(Naive(a.ToArray(), b.ToArray(), 1, m, n, k, ta, tb, true), c.Data, 1e-4f, 1e-4f);
    }

    [Theory]
    [InlineData(false, false)] [InlineData(true, false)] [InlineData(false, true)] [InlineData(true, true)]
    public void BatchedAndGradients(bool ta, bool tb)
    {
        var g = new Generator(2);
        int batch = 3, m = 4, n = 5, k = 2;
        var a = GradCheck.Param(g, 1, ta ? [batch, k, m] : [batch, m, k]);
        var b = GradCheck.Param(g, 1, tb ? [batch, n, k] : [batch, k, n]);
        var c = Tensor.MatMul(a, b, ta, tb);
        GradCheck.AssertClose(Naive(a.ToArray(), b.ToArray(), batch, m, n, k, ta, tb, false), c.Data, 1e-5f, 1e-5f);
        GradCheck.Check(t => Tensor.MatMul(t[0], t[1], ta, tb), [a, b]);
        var a2 = GradCheck.Param(g, 1, ta ? [k, m] : [m, k]);
        var b2 = GradCheck.Param(g, 1, tb ? [n, k] : [k, n]);
        GradCheck.Check(t => Tensor.MatMul(t[0], t[1], ta, tb), [a2, b2]);
    }

    [Fact]
    public void LeadingAxesFoldIntoRows()
    {
        var g = new Generator(3);
        var x = GradCheck.Param(g, 1, 2, 3, 4);
        var w = GradCheck.Param(g, 1, 5, 4);
        var y = Tensor.MatMul(x, w, transposeB: true);
        Assert.Equal([2, 3, 5], y.ShapeArray());
        GradCheck.AssertClose(Naive(x.ToArray(), w.ToArray(), 1, 6, 5, 4, false, true, true), y.Data, 1e-5f, 1e-5f);
        GradCheck.Check(t => Tensor.MatMul(t[0], t[1], transposeB: true), [x, w]);
    }

    [Fact]
    public void InnerMismatchNamesShapes()
    {
        var ex = Assert.Throws<ShapeMismatchException>(() => Tensor.MatMul(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5)));
        Assert.Contains("matmul", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[4, 5]", ex.Message);
    }
}
