// Elementwise functions of one tensor. Forward runs through TensorPrimitives (or, where it has no such function,
// an operator struct through Elementwise.Map); each backward is an operator struct run by Elementwise.Accumulate
// (Ops/Elementwise.cs, Ops/ElementwiseOperators.cs) and reads whichever of input or output makes the derivative
// cheapest (e.g. tanh' = 1 − y²). pow and gelu keep scalar loops: their derivatives need MathF.Pow / erf, which
// have no Vector<float> form.
using System.Numerics.Tensors;
using Pipeline.Models.Ops;

namespace Pipeline.Models.Tensors;

public sealed partial class Tensor
{
    private delegate void SpanMap(ReadOnlySpan<float> x, Span<float> y);

    private static Tensor Map(Tensor x, SpanMap forward)
    {
        var y = Uninitialized(x.shape);
        forward(x.Data, y.Data);
        return y;
    }

    /// <summary>e^x.</summary>
    public static Tensor Exp(Tensor x)
    {
        var y = Map(x, TensorPrimitives.Exp);
        return y.Record("exp", [x], g => { var gx = x.GradBuffer(); TensorPrimitives.MultiplyAdd(g.Data, y.Data, gx, gx); });
    }

    /// <summary>Natural logarithm.</summary>
    public static Tensor Log(Tensor x)
    {
        var y = Map(x, TensorPrimitives.Log);
        return y.Record("log", [x], g => Elementwise.Accumulate(new LogGradient(), g.Data, x.Data, x.GradBuffer()));
    }

    /// <summary>Square root.</summary>
    public static Tensor Sqrt(Tensor x)
    {
        var y = Map(x, TensorPrimitives.Sqrt);
        return y.Record("sqrt", [x], g => Elementwise.Accumulate(new SqrtGradient(), g.Data, y.Data, x.GradBuffer()));
    }

    /// <summary>x².</summary>
    public static Tensor Square(Tensor x)
    {
        var y = Uninitialized(x.shape);
        TensorPrimitives.Multiply(x.Data, x.Data, y.Data);
        return y.Record("square", [x], g => Elementwise.Accumulate(new SquareGradient(), g.Data, x.Data, x.GradBuffer()));
    }

    /// <summary>x^p for a constant exponent.</summary>
    public static Tensor Pow(Tensor x, float p)
    {
        var y = Uninitialized(x.shape);
        TensorPrimitives.Pow(x.Data, p, y.Data);
        return y.Record("pow", [x], g =>
        {
            var gx = x.GradBuffer(); var gd = g.Data; var xd = x.Data;
            for (int i = 0; i < gx.Length; i++) gx[i] += gd[i] * p * MathF.Pow(xd[i], p - 1f);
        });
    }

    /// <summary>|x| (gradient 0 at 0).</summary>
    public static Tensor Abs(Tensor x)
    {
        var y = Map(x, TensorPrimitives.Abs);
        return y.Record("abs", [x], g => Elementwise.Accumulate(new AbsGradient(), g.Data, x.Data, x.GradBuffer()));
    }

    /// <summary>Hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor x)
    {
        var y = Map(x, TensorPrimitives.Tanh);
        return y.Record("tanh", [x], g => Elementwise.Accumulate(new TanhGradient(), g.Data, y.Data, x.GradBuffer()));
    }

    /// <summary>Logistic sigmoid 1/(1+e^−x).</summary>
    public static Tensor Sigmoid(Tensor x)
    {
        var y = Map(x, TensorPrimitives.Sigmoid);
        return y.Record("sigmoid", [x], g => Elementwise.Accumulate(new SigmoidGradient(), g.Data, y.Data, x.GradBuffer()));
    }

    /// <summary>max(x, 0).</summary>
    public static Tensor Relu(Tensor x)
    {
        var y = Uninitialized(x.shape);
        TensorPrimitives.Max(x.Data, 0f, y.Data);
        return y.Record("relu", [x], g => Elementwise.Accumulate(new ReluGradient(), g.Data, y.Data, x.GradBuffer()));
    }

    /// <summary>x for x &gt; 0, slope·x otherwise.</summary>
    public static Tensor LeakyRelu(Tensor x, float slope = 0.01f)
    {
        var y = Uninitialized(x.shape);
        Elementwise.Map(new LeakyReluOperator(slope), x.Data, y.Data);
        return y.Record("leaky_relu", [x], g => Elementwise.Accumulate(new LeakyReluGradient(slope), g.Data, x.Data, x.GradBuffer()));
    }

    /// <summary>Exact GELU, x·Φ(x), with Φ the standard normal CDF.</summary>
    public static Tensor Gelu(Tensor x)
    {
        var y = Uninitialized(x.shape);
        var xd = x.Data; var yd = y.Data;
        for (int i = 0; i < xd.Length; i++) yd[i] = xd[i] * NormalCdf(xd[i]);
        return y.Record("gelu", [x], g =>
        {
            var gx = x.GradBuffer(); var gd = g.Data; var xs = x.Data;
            const float invSqrt2Pi = 0.3989422804014327f;
            for (int i = 0; i < gx.Length; i++)
            {
                float v = xs[i];
                gx[i] += gd[i] * (NormalCdf(v) + v * invSqrt2Pi * MathF.Exp(-0.5f * v * v));
            }
        });
    }

    private static float NormalCdf(float x) => 0.5f * (1f + Erf(x * 0.70710678118654752f));

    /// <summary>erf with |error| below 1.2e-7 (Numerical Recipes' erfc Chebyshev fit), enough for float32.</summary>
    internal static float Erf(float x)
    {
        double z = Math.Abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
                   t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
                   t * (-0.82215223 + t * 0.17087277)))))))));
        return (float)(x >= 0 ? 1.0 - r : r - 1.0);
    }

    /// <summary>Clamps to [<paramref name="min"/>, <paramref name="max"/>]; gradient passes only inside the range.</summary>
    public static Tensor Clamp(Tensor x, float min, float max)
    {
        var y = Uninitialized(x.shape);
        TensorPrimitives.Clamp(x.Data, min, max, y.Data);
        return y.Record("clamp", [x], g => Elementwise.Accumulate(new ClampGradient(min, max), g.Data, x.Data, x.GradBuffer()));
    }
}
