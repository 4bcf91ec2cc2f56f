// The operator structs of the elementwise ops (driver: Elementwise.cs). Each backward operator names what it reads
// as `saved`: the op's output y where the derivative is cheapest through it (relu, tanh, sigmoid, sqrt), otherwise
// the input x. Scalar and vector forms are the same IEEE operations in the same order.
//   relu:       g·[y > 0]             tanh:    g·(1 − y²)          sigmoid: g·y·(1 − y)
//   log:        g / x                 sqrt:    0.5·g / y           square:  2·g·x
//   abs:        g·sign(x) (0 at 0)    leaky:   x > 0 ? g : a·g     clamp:   g·[min ≤ x ≤ max]
using System.Numerics;

namespace Pipeline.Models.Ops;

/// <summary>leaky_relu forward: x for x &gt; 0, slope·x otherwise.</summary>
internal readonly struct LeakyReluOperator(float slope) : IUnaryOperator
{
    public float Invoke(float x) => x > 0 ? x : slope * x;
    public Vector<float> Invoke(Vector<float> x) => Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero), x, x * slope);
}

/// <summary>relu backward from the output: g where y &gt; 0.</summary>
internal readonly struct ReluGradient : IGradientOperator
{
    public float Invoke(float g, float y) => y > 0f ? g : 0f;
    public Vector<float> Invoke(Vector<float> g, Vector<float> y) => Vector.ConditionalSelect(Vector.GreaterThan(y, Vector<float>.Zero), g, Vector<float>.Zero);
}

/// <summary>tanh backward from the output: g·(1 − y²).</summary>
internal readonly struct TanhGradient : IGradientOperator
{
    public float Invoke(float g, float y) => g * (1f - y * y);
    public Vector<float> Invoke(Vector<float> g, Vector<float> y) => g * (Vector<float>.One - y * y);
}

/// <summary>sigmoid backward from the output: g·y·(1 − y).</summary>
internal readonly struct SigmoidGradient : IGradientOperator
{
    public float Invoke(float g, float y) => g * y * (1f - y);
    public Vector<float> Invoke(Vector<float> g, Vector<float> y) => g * y * (Vector<float>.One - y);
}

/// <summary>log backward from the input: g / x.</summary>
internal readonly struct LogGradient : IGradientOperator
{
    public float Invoke(float g, float x) => g / x;
    public Vector<float> Invoke(Vector<float> g, Vector<float> x) => g / x;
}

/// <summary>sqrt backward from the output: 0.5·g / y.</summary>
internal readonly struct SqrtGradient : IGradientOperator
{
    public float Invoke(float g, float y) => 0.5f * g / y;
    public Vector<float> Invoke(Vector<float> g, Vector<float> y) => g * 0.5f / y;
}

/// <summary>square backward from the input: 2·g·x.</summary>
internal readonly struct SquareGradient : IGradientOperator
{
    public float Invoke(float g, float x) => 2f * g * x;
    public Vector<float> Invoke(Vector<float> g, Vector<float> x) => g * 2f * x;
}

/// <summary>abs backward from the input: g for x &gt; 0, −g for x &lt; 0, 0 at 0.</summary>
internal readonly struct AbsGradient : IGradientOperator
{
    public float Invoke(float g, float x) => x > 0 ? g : x < 0 ? -g : 0f;
    public Vector<float> Invoke(Vector<float> g, Vector<float> x) =>
        Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero), g,
            Vector.ConditionalSelect(Vector.LessThan(x, Vector<float>.Zero), -g, Vector<float>.Zero));
}

/// <summary>leaky_relu backward from the input: g for x &gt; 0, slope·g otherwise.</summary>
internal readonly struct LeakyReluGradient(float slope) : IGradientOperator
{
    public float Invoke(float g, float x) => x > 0 ? g : slope * g;
    public Vector<float> Invoke(Vector<float> g, Vector<float> x) => Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero), g, g * slope);
}

/// <summary>clamp backward from the input: g where min ≤ x ≤ max (NaN passes nothing).</summary>
internal readonly struct ClampGradient(float min, float max) : IGradientOperator
{
    public float Invoke(float g, float x) => x >= min && x <= max ? g : 0f;
    public Vector<float> Invoke(Vector<float> g, Vector<float> x) =>
        Vector.ConditionalSelect(Vector.BitwiseAnd(Vector.GreaterThanOrEqual(x, new Vector<float>(min)), Vector.LessThanOrEqual(x, new Vector<float>(max))), g, Vector<float>.Zero);
}
