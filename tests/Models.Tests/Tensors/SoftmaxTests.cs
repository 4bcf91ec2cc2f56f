// Softmax / log-softmax on every axis: values against the definition, fused backward by finite differences.
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Tensors;

public class SoftmaxTests
{
    [Theory]
    [InlineData(0)] [InlineData(1)] [InlineData(2)]
    public void MatchesDefinitionAndGradients(int axis)
    {
        var g = new Generator(1);
        var x = GradCheck.Param(g, 2, 2, 3, 4);
        var sm = Tensor.Softmax(x, axis);
        var lsm = Tensor.LogSoftmax(x, axis);
        using (var e = Tensor.Exp(x))
        using (var s = Tensor.Sum(e, axis, keepDim: true))
        using (var expected = e / s)
        {
            GradCheck.AssertClose(expected.Data, sm.Data, 1e-6f, 1e-5f);
            GradCheck.AssertClose(expected.Data.ToArray().Select(v => MathF.Log(v)).ToArray(), lsm.Data, 1e-5f, 1e-5f);
        }
        GradCheck.Check(t => Tensor.Softmax(t[0], axis), [x]);
        GradCheck.Check(t => Tensor.LogSoftmax(t[0], axis), [x]);
    }

    [Fact]
    public void LargeLogitsStayFinite()
    {
        var x = Tensor.FromArray([1000f, 0f, -1000f], 1, 3);
        var lsm = Tensor.LogSoftmax(x);
        Assert.Equal(0f, lsm[0, 0], 5);
        Assert.Equal(-1000f, lsm[0, 1], 2);
        Assert.All(Tensor.Softmax(x).ToArray(), v => Assert.True(float.IsFinite(v)));
    }
}
