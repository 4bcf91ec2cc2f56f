// Tape semantics: accumulation across backward calls, shared sub-expressions, NoGrad, detach,
// anomaly detection and the errors users hit most.
using Pipeline.Models.Autograd;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Autograd;

public class AutogradTests
{
    [Fact]
    public void GradientsAccumulateAcrossBackwardCalls()
    {
        var x = Tensor.FromArray([2f], 1).WithGrad();
        Tensor.SumAll(x * x).Backward();          // d/dx x² = 4
        Tensor.SumAll(x * 3f).Backward();         // + 3
        Assert.Equal(7f, x.Grad!.Item());
        x.ZeroGrad();
        Assert.Equal(0f, x.Grad!.Item());
    }

    [Fact]
    public void SharedSubexpressionsSumTheirContributions()
    {
        var x = Tensor.FromArray([3f], 1).WithGrad();
        var y = Tensor.Tanh(x);
        var z = Tensor.SumAll(y * y + y);          // dz/dx = (2y + 1)(1 − y²)
        z.Backward();
        float t = MathF.Tanh(3f);
        Assert.Equal((2 * t + 1) * (1 - t * t), x.Grad!.Item(), 6);
    }

    [Fact]
    public void NoGradRecordsNothingAndDetachCutsTheGraph()
    {
        var x = Tensor.FromArray([1f, 2f], 2).WithGrad();
        using (GradMode.NoGrad())
        {
            var y = x * 2f;
            Assert.False(y.RequiresGrad);
            Assert.Null(y.GradFn);
        }
        var d = (x * 2f).Detach();
        Assert.False(d.RequiresGrad);
        var z = Tensor.SumAll(d * x);
        z.Backward();
        Assert.Equal(new float[] { 2f, 4f }, x.Grad!.ToArray());   // d treated as a constant
    }

    [Fact]
    public void IntermediateGradsAreFreedUnlessRetained()
    {
        var x = Tensor.FromArray([1f, 2f], 2).WithGrad();
        var h = x * 3f;
        var kept = x * 2f;
        kept.RetainGrad = true;
        Tensor.SumAll(h + kept).Backward();
        Assert.Null(h.Grad);
        Assert.Equal(new float[] { 1f, 1f }, kept.Grad!.ToArray());
        Assert.Null(h.GradFn);   // graph released
    }

    [Fact]
    public void ErrorsAreExplicit()
    {
        var x = Tensor.FromArray([1f, 2f], 2);
        Assert.Contains("does not require grad", Assert.Throws<InvalidOperationException>(() => Tensor.SumAll(x).Backward()).Message);
        var v = x.WithGrad() * 2f;
        Assert.Contains("one-element", Assert.Throws<InvalidOperationException>(() => v.Backward()).Message);
        Assert.Throws<ShapeMismatchException>(() => v.Backward(Tensor.Ones(3)));
        v.Backward(Tensor.Ones(2));
        Assert.Equal(new float[] { 2f, 2f }, x.Grad!.ToArray());
    }

    [Fact]
    public void AnomalyModeNamesTheFirstBadOp()
    {
        var x = Tensor.FromArray([-1f, 4f], 2).WithGrad();
        GradMode.DetectAnomaly = true;
        try
        {
            var ex = Assert.Throws<AnomalyException>(() => Tensor.Log(x));
            Assert.StartsWith("log:", ex.Message);
            var ok = Tensor.Sqrt(Tensor.Abs(x));
            Assert.Equal(2f, ok[1]);
        }
        finally { GradMode.DetectAnomaly = false; }
    }

    [Fact]
    public void DeepChainsDoNotOverflowTheStack()
    {
        var x = Tensor.FromArray([1f], 1).WithGrad();
        var y = x;
        for (int i = 0; i < 20000; i++) y = y * 1f;
        Tensor.SumAll(y).Backward();
        Assert.Equal(1f, x.Grad!.Item());
    }
}
