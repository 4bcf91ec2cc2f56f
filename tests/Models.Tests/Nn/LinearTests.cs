// Linear: forward against Σ_i x_i·W_oi + b_o by hand, gradients by finite differences, and shapes.
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Nn;

public class LinearTests
{
    [Fact]
    public void Forward_MatchesNaiveLoops_ForRank3Input()
    {
        var g = new Generator(1);
        var layer = new Linear(5, 3, g);
        var x = Tensor.Randn(g, [2, 4, 5]);                                         // (B, T, I)
        var y = layer.Forward(x);
        Assert.Equal([2, 4, 3], y.ShapeArray());
        var expected = new float[2 * 4 * 3];
        for (int r = 0; r < 8; r++)
            for (int o = 0; o < 3; o++)
            {
                double s = layer.Bias!.Data[o];
                for (int i = 0; i < 5; i++) s += x.Data[r * 5 + i] * layer.Weight[o, i];
                expected[r * 3 + o] = (float)s;
            }
        GradCheck.AssertClose(expected, y.Data, 1e-5f, 1e-5f);
    }

    [Fact]
    public void DefaultInit_IsWithinPyTorchBound()
    {
        var layer = new Linear(16, 4, new Generator(2));
        Assert.All(layer.Weight.ToArray(), v => Assert.InRange(v, -0.25f, 0.25f));
        Assert.All(layer.Bias!.ToArray(), v => Assert.InRange(v, -0.25f, 0.25f));
        Assert.Equal(["weight", "bias"], layer.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void Gradients_MatchFiniteDifferences()
    {
        var g = new Generator(3);
        var x = GradCheck.Param(g, 1f, 3, 4);
        var w = GradCheck.Param(g, 1f, 2, 4);
        var b = GradCheck.Param(g, 1f, 2);
        GradCheck.Check(t => Functional.Linear(t[0], t[1], t[2]), [x, w, b]);
        var v = GradCheck.Param(g, 1f, 4);                                          // rank-1 input
        GradCheck.Check(t => Functional.Linear(t[0], t[1]), [v, w]);
    }

    [Fact]
    public void WithoutBias_HasOnlyWeight_AndRejectsWrongWidth()
    {
        var layer = new Linear(3, 2, new Generator(4), bias: false);
        Assert.Null(layer.Bias);
        Assert.Single(layer.NamedParameters());
        Assert.Throws<ShapeMismatchException>(() => layer.Forward(Tensor.Zeros(2, 4)));
    }
}
