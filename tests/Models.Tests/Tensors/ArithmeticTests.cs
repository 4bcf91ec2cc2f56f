// Broadcasting arithmetic: forward against a naive index-by-index reference, gradients by finite differences.
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Tensors;

public class ArithmeticTests
{
    public static TheoryData<int[], int[]> Shapes => new()
    {
        { new[] { 2, 3 }, new[] { 2, 3 } },
        { new[] { 2, 3 }, new[] { 3 } },
        { new[] { 4, 1, 3 }, new[] { 2, 1 } },
        { new[] { 2, 1, 3, 1 }, new[] { 1, 4, 1, 5 } },
        { new int[0], new[] { 3, 2 } },
        { new[] { 1 }, new[] { 7 } },
        { new[] { 3, 0 }, new[] { 1 } },
    };

    private static float Naive(char op, float a, float b) => op switch { '+' => a + b, '-' => a - b, '*' => a * b, _ => a / b };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardMatchesNaiveBroadcast(int[] aShape, int[] bShape)
    {
        var g = new Generator(1);
        var a = Tensor.Randn(g, aShape);
        var b = Tensor.Rand(g, bShape, 0.5f, 2f);
        var outShape = TensorShape.Broadcast(aShape, bShape, "test");
        foreach (var op in "+-*/")
        {
            var y = op switch { '+' => a + b, '-' => a - b, '*' => a * b, _ => a / b };
            Assert.Equal(outShape, y.ShapeArray());
            var expected = new float[y.Length];
            var aStrides = TensorShape.BroadcastStrides(aShape, outShape);
            var bStrides = TensorShape.BroadcastStrides(bShape, outShape);
            var outStrides = TensorShape.Strides(outShape);
            for (int flat = 0; flat < expected.Length; flat++)
            {
                int ai = 0, bi = 0, rest = flat;
                for (int d = 0; d < outShape.Length; d++)
                {
                    int coord = rest / outStrides[d]; rest %= outStrides[d];
                    ai += coord * aStrides[d]; bi += coord * bStrides[d];
                }
                expected[flat] = Naive(op, a.Data[ai], b.Data[bi]);
            }
            GradCheck.AssertClose(expected, y.Data, 1e-6f, 1e-6f);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GradientsMatchFiniteDifferences(int[] aShape, int[] bShape)
    {
        var g = new Generator(2);
        var a = GradCheck.Param(g, 1f, aShape);
        var b = Tensor.Rand(g, bShape, 0.5f, 2f).WithGrad();
        GradCheck.Check(x => x[0] + x[1], [a, b]);
        GradCheck.Check(x => x[0] - x[1], [a, b]);
        GradCheck.Check(x => x[0] * x[1], [a, b]);
        GradCheck.Check(x => x[0] / x[1], [a, b]);
    }

    [Fact]
    public void ScalarFormsMatchAndDifferentiate()
    {
        var g = new Generator(3);
        var x = GradCheck.Param(g, 1f, 3, 4);
        GradCheck.AssertClose(x.Data.ToArray().Select(v => 2 * v + 1).ToArray(), Tensor.AffineScalar(x, 2, 1).Data);
        GradCheck.AssertClose(x.Data.ToArray().Select(v => 3 - v).ToArray(), (3f - x).Data);
        GradCheck.AssertClose(x.Data.ToArray().Select(v => v / 4).ToArray(), (x / 4f).Data);
        GradCheck.Check(t => 3f - t[0] * 2f + 1f, [x]);
        GradCheck.Check(t => -t[0] / 4f, [x]);
    }

    [Fact]
    public void IncompatibleShapesNameOpAndShapes()
    {
        var ex = Assert.Throws<ShapeMismatchException>(() => Tensor.Zeros(2, 3) + Tensor.Zeros(4));
        Assert.Contains("add", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[4]", ex.Message);
    }
}
