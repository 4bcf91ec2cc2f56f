// index_select / gather / scatter_add against loops, gradients, and range errors.
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Tensors;

public class IndexingTests
{
    [Fact]
    public void IndexSelectPicksRowsAndColumns()
    {
        var x = Tensor.Arange(0, 12).Reshape(3, 4);
        Assert.Equal(new float[] { 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11 }, Tensor.IndexSelect(x, 0, [2, 0, 2]).ToArray());
        Assert.Equal(new float[] { 3, 1, 7, 5, 11, 9 }, Tensor.IndexSelect(x, 1, [3, 1]).ToArray());
        var ex = Assert.Throws<IndexOutOfRangeException>(() => Tensor.IndexSelect(x, 0, [3]));
        Assert.Contains("index 3", ex.Message);
    }

    [Fact]
    public void GatherAndScatterAddAreAdjoint()
    {
        var g = new Generator(3);
        var x = Tensor.Randn(g, [4, 5]);
        int[] index = [1, 4, 0, 0, 2, 3, 3, 1];   // two picks per row
        var y = Tensor.Gather(x, 1, index);
        Assert.Equal([4, 2], y.ShapeArray());
        for (int r = 0; r < 4; r++) for (int j = 0; j < 2; j++) Assert.Equal(x[r, index[r * 2 + j]], y[r, j]);

        // <gather(x), s> == <x, scatter_add(0, s)>
        var s = Tensor.Randn(g, [4, 2]);
        var scattered = Tensor.ScatterAdd(Tensor.Zeros(4, 5), 1, index, s);
        double lhs = 0, rhs = 0;
        for (int i = 0; i < y.Length; i++) lhs += y.Data[i] * s.Data[i];
        for (int i = 0; i < x.Length; i++) rhs += x.Data[i] * scattered.Data[i];
        Assert.Equal(lhs, rhs, 4);
    }

    [Fact]
    public void Gradients()
    {
        var g = new Generator(4);
        GradCheck.Check(t => Tensor.IndexSelect(t[0], 0, [1, 1, 0]), [GradCheck.Param(g, 1, 3, 2)]);
        GradCheck.Check(t => Tensor.Gather(t[0], 1, [2, 0, 1, 1]), [GradCheck.Param(g, 1, 2, 3)]);
        GradCheck.Check(t => Tensor.ScatterAdd(t[0], 0, [1, 0, 1, 1], t[1]), [GradCheck.Param(g, 1, 2, 2), GradCheck.Param(g, 1, 2, 2)]);
    }

    [Fact]
    public void ComparisonsAndWhere()
    {
        var a = Tensor.FromArray([1f, 5f, 3f], 3);
        var b = Tensor.FromArray([2f, 5f, 1f], 3);
        Assert.Equal(new float[] { 0, 0, 1 }, Tensor.Greater(a, b).ToArray());
        Assert.Equal(new float[] { 0, 1, 0 }, Tensor.Equal(a, b).ToArray());
        Assert.Equal(new float[] { 1, 1, 0 }, Tensor.LessOrEqual(a, b).ToArray());
        var cond = Tensor.Greater(a, b);
        Assert.Equal(new float[] { 2, 5, 3 }, Tensor.Where(cond, a, b).ToArray());
        var g = new Generator(5);
        var mask = Tensor.FromArray([1f, 0f, 1f, 0f, 0f, 1f], 2, 3);
        GradCheck.Check(t => Tensor.Where(mask, t[0], t[1]), [GradCheck.Param(g, 1, 2, 3), GradCheck.Param(g, 1, 3)]);
    }
}
