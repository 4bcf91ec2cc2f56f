// Elementwise functions: values against System.Math, gradients by finite differences.
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Tensors;

public class UnaryTests
{
    public static TheoryData<string> Names => new() { "exp", "log", "sqrt", "square", "pow", "abs", "tanh", "sigmoid", "relu", "leaky_relu", "gelu", "clamp" };

    private static (Func<Tensor, Tensor> Op, Func<double, double> Reference, bool Positive) Case(string name) => name switch
    {
        "exp" => (Tensor.Exp, Math.Exp, false),
        "log" => (Tensor.Log, Math.Log, true),
        "sqrt" => (Tensor.Sqrt, Math.Sqrt, true),
        "square" => (Tensor.Square, v => v * v, false),
        "pow" => (x => Tensor.Pow(x, 1.7f), v => Math.Pow(v, 1.7), true),
        "abs" => (Tensor.Abs, Math.Abs, false),
        "tanh" => (Tensor.Tanh, Math.Tanh, false),
        "sigmoid" => (Tensor.Sigmoid, v => 1 / (1 + Math.Exp(-v)), false),
        "relu" => (Tensor.Relu, v => Math.Max(v, 0), false),
        "leaky_relu" => (x => Tensor.LeakyRelu(x, 0.1f), v => v > 0 ? v : 0.1 * v, false),
        "gelu" => (Tensor.Gelu, v => 0.5 * v * (1 + ErfReference(v / Math.Sqrt(2))), false),
        "clamp" => (x => Tensor.Clamp(x, -0.5f, 0.7f), v => Math.Clamp(v, -0.5, 0.7), false),
        _ => throw new ArgumentException(name),
    };

    // Series erf for the reference (converges fast for |x| < 3, the range used here).
    private static double ErfReference(double x)
    {
        double sum = 0, term = x;
        for (int n = 0; n < 60; n++) { sum += term / (2 * n + 1); term *= -x * x / (n + 1); }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    /// <summary>Inputs kept ≥ 0.05 away from kinks (0 for relu/abs, the clamp bounds) so finite differences are valid.</summary>
    private static Tensor Inputs(bool positive, ulong seed)
    {
        var g = new Generator(seed);
        var values = new float[24];
        for (int i = 0; i < values.Length; i++)
        {
            float v;
            do v = positive ? 0.2f + 2f * g.NextFloat() : -2f + 4f * g.NextFloat();
            while (MathF.Abs(v) < 0.05f || MathF.Abs(v + 0.5f) < 0.05f || MathF.Abs(v - 0.7f) < 0.05f);
            values[i] = v;
        }
        return Tensor.FromArray(values, 2, 3, 4).WithGrad();
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ForwardMatchesMath(string name)
    {
        var (op, reference, positive) = Case(name);
        var x = Inputs(positive, 11);
        var y = op(x);
        var expected = x.Data.ToArray().Select(v => (float)reference(v)).ToArray();
        GradCheck.AssertClose(expected, y.Data, 1e-6f, 2e-6f);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void GradientMatchesFiniteDifferences(string name)
    {
        var (op, _, positive) = Case(name);
        GradCheck.Check(t => op(t[0]), [Inputs(positive, 12)], eps: 1e-3f);
    }

    [Fact]
    public void ErfIsAccurateEnoughForFloat()
    {
        for (double v = -4; v <= 4; v += 0.01)
            Assert.True(Math.Abs(Tensor.Erf((float)v) - ErfReference(Math.Clamp(v, -3, 3))) < 3e-7 || Math.Abs(v) > 3, $"erf({v})");
    }
}
