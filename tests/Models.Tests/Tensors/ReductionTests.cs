// Reductions along every axis of a rank-3 tensor against naive loops, and their gradients.
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Tensors;

public class ReductionTests
{
    private static Tensor Sample(ulong seed) => Tensor.Randn(new Generator(seed), [3, 4, 5]).WithGrad();

    /// <summary>Naive reduction of a [3,4,5] tensor along <paramref name="axis"/>.</summary>
    private static float[] Reduce(Tensor x, int axis, Func<IReadOnlyList<float>, float> f)
    {
        var shape = x.ShapeArray();
        var result = new List<float>();
        int[] idx = new int[3];
        var outShape = shape.Where((_, i) => i != axis).ToArray();
        for (int p = 0; p < outShape[0]; p++)
            for (int q = 0; q < outShape[1]; q++)
            {
                var values = new List<float>();
                for (int k = 0; k < shape[axis]; k++)
                {
                    int o = 0;
                    for (int d = 0; d < 3; d++) idx[d] = d == axis ? k : (o++ == 0 ? p : q);
                    values.Add(x[idx]);
                }
                result.Add(f(values));
            }
        return result.ToArray();
    }

    [Theory]
    [InlineData(0)] [InlineData(1)] [InlineData(2)] [InlineData(-1)]
    public void AxisReductionsMatchNaive(int axis)
    {
        var x = Sample(1);
        int a = axis < 0 ? axis + 3 : axis;
        GradCheck.AssertClose(Reduce(x, a, v => v.Sum()), Tensor.Sum(x, axis).Data, 1e-5f, 1e-5f);
        GradCheck.AssertClose(Reduce(x, a, v => v.Average()), Tensor.Mean(x, axis).Data, 1e-5f, 1e-5f);
        GradCheck.AssertClose(Reduce(x, a, v => v.Max()), Tensor.Max(x, axis).Values.Data, 0, 0);
        GradCheck.AssertClose(Reduce(x, a, v => (float)Math.Log(v.Sum(e => Math.Exp(e)))), Tensor.LogSumExp(x, axis).Data, 1e-5f, 1e-5f);
        var argmax = Tensor.Argmax(x, axis);
        var expectedArgmax = Reduce(x, a, v => v.ToList().IndexOf(v.Max()));
        Assert.Equal(expectedArgmax.Select(v => (int)v), argmax);
    }

    [Theory]
    [InlineData(0)] [InlineData(1)] [InlineData(2)]
    public void AxisReductionGradients(int axis)
    {
        GradCheck.Check(t => Tensor.Sum(t[0], axis), [Sample(2)]);
        GradCheck.Check(t => Tensor.Mean(t[0], axis, keepDim: true), [Sample(3)]);
        GradCheck.Check(t => Tensor.Max(t[0], axis).Values, [Sample(4)]);
        GradCheck.Check(t => Tensor.LogSumExp(t[0], axis), [Sample(5)]);
    }

    [Fact]
    public void WholeTensorReductions()
    {
        var x = Sample(6);
        Assert.Equal(x.Data.ToArray().Sum(), Tensor.SumAll(x).Item(), 4);
        Assert.Equal(x.Data.ToArray().Average(), Tensor.MeanAll(x).Item(), 5);
        GradCheck.Check(t => Tensor.SumAll(t[0]), [Sample(7)]);
        GradCheck.Check(t => Tensor.MeanAll(t[0]), [Sample(8)]);
    }

    [Fact]
    public void KeepDimKeepsRankAndLogSumExpIsStable()
    {
        var x = Sample(9);
        Assert.Equal([3, 1, 5], Tensor.Sum(x, 1, keepDim: true).ShapeArray());
        var big = Tensor.FromArray([1000f, 1000f], 1, 2);
        Assert.Equal(1000f + MathF.Log(2f), Tensor.LogSumExp(big, 1).Item(), 3);
    }
}
