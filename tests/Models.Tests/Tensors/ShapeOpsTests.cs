// Reshape, permute, narrow, concat, stack and split: exact element placement and gradients.
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Tensors;

public class ShapeOpsTests
{
    private static Tensor Iota(params int[] shape) => Tensor.Arange(0, TensorShape.Numel(shape)).Reshape(shape);

    [Fact]
    public void ReshapeIsAViewAndInfersMinusOne()
    {
        var x = Iota(2, 6);
        var y = x.Reshape(3, -1);
        Assert.Equal([3, 4], y.ShapeArray());
        x.Data[5] = 42;
        Assert.Equal(42, y[1, 1]);
        var ex = Assert.Throws<ShapeMismatchException>(() => x.Reshape(5, 3));
        Assert.Contains("[2, 6]", ex.Message);
        Assert.Contains("[5, 3]", ex.Message);
    }

    [Fact]
    public void PermuteMatchesIndexMath()
    {
        var x = Iota(2, 3, 4);
        var y = x.Permute(2, 0, 1);
        Assert.Equal([4, 2, 3], y.ShapeArray());
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++)
            Assert.Equal(x[i, j, k], y[k, i, j]);
        var t = x.Transpose(0, 2);
        Assert.Equal(x[1, 2, 3], t[3, 2, 1]);
    }

    [Fact]
    public void NarrowConcatStackSplit()
    {
        var x = Iota(3, 4);
        var mid = x.Narrow(1, 1, 2);
        Assert.Equal(new float[] { 1, 2, 5, 6, 9, 10 }, mid.ToArray());
        var rows = x.Narrow(0, 1, 2);
        Assert.Equal(new float[] { 4, 5, 6, 7, 8, 9, 10, 11 }, rows.ToArray());
        var cat = Tensor.Concat([x.Narrow(1, 0, 1), x.Narrow(1, 1, 3)], 1);
        Assert.Equal(x.ToArray(), cat.ToArray());
        var st = Tensor.Stack([x, x], 1);
        Assert.Equal([3, 2, 4], st.ShapeArray());
        Assert.Equal(x[2, 3], st[2, 1, 3]);
        var parts = x.Split(1, 1, 3);
        Assert.Equal([3, 1], parts[0].ShapeArray());
        Assert.Equal(new float[] { 0, 4, 8 }, parts[0].ToArray());
        Assert.Throws<ShapeMismatchException>(() => Tensor.Concat([Iota(2, 3), Iota(3, 3)], 1));
    }

    [Fact]
    public void Gradients()
    {
        var g = new Generator(1);
        GradCheck.Check(t => t[0].Reshape(6, 2), [GradCheck.Param(g, 1, 3, 4)]);
        GradCheck.Check(t => t[0].Permute(1, 2, 0), [GradCheck.Param(g, 1, 2, 3, 4)]);
        GradCheck.Check(t => t[0].Narrow(1, 1, 2), [GradCheck.Param(g, 1, 3, 4)]);
        GradCheck.Check(t => t[0].Narrow(0, 1, 2), [GradCheck.Param(g, 1, 3, 4)]);
        GradCheck.Check(t => Tensor.Concat([t[0], t[1]], 1), [GradCheck.Param(g, 1, 2, 3), GradCheck.Param(g, 1, 2, 2)]);
        GradCheck.Check(t => Tensor.Stack([t[0], t[1]], 0), [GradCheck.Param(g, 1, 2, 3), GradCheck.Param(g, 1, 2, 3)]);
        GradCheck.Check(t => t[0].Split(0, 1, 2)[1] * 2f, [GradCheck.Param(g, 1, 3, 2)]);
        GradCheck.Check(t => t[0].Unsqueeze(1).Squeeze(1), [GradCheck.Param(g, 1, 3, 2)]);
    }
}
