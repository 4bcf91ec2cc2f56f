// The elementwise driver (Ops/Elementwise.cs) with every operator struct, at every length 0..67: with 4-, 8- and
// 16-float vectors that covers empty input, inputs shorter than one vector, and every tail length after one or
// more vector bodies. Each result is compared bit for bit with the formula written here in scalar C#: the vector
// and scalar forms use the same IEEE operations in the same order, so any difference is a bug in a vector form or
// in the driver's tail handling. Inputs include exact zeros and the clamp bounds, where the branches switch.
using Pipeline.Models.Ops;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Tensors;

public class ElementwiseTests
{
    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        for (int n = 0; n <= 67; n++) data.Add(n);
        return data;
    }

    private const float Slope = 0.1f, Min = -0.5f, Max = 0.7f;

    /// <summary>Normal values with zeros, ±0.5/0.7 (clamp bounds) and a negative zero mixed in; positive when asked (log, sqrt).</summary>
    private static float[] Values(Generator gen, int length, bool positive)
    {
        var v = new float[length];
        for (int i = 0; i < length; i++)
        {
            v[i] = positive ? 0.1f + 2f * gen.NextFloat() : gen.NextNormal();
            if (!positive && i % 7 == 3) v[i] = (i / 7 % 4) switch { 0 => 0f, 1 => Min, 2 => Max, _ => -0f };
        }
        return v;
    }

    private static void CheckGradient<TOperator>(TOperator op, int length, bool positive, Func<float, float, float> scalar)
        where TOperator : struct, IGradientOperator
    {
        var gen = new Generator((ulong)length + 1);
        var g = Values(gen, length, false); var saved = Values(gen, length, positive); var start = Values(gen, length, false);
        var gx = (float[])start.Clone();
        Elementwise.Accumulate(op, g, saved, gx);
        for (int i = 0; i < length; i++)
            Assert.True(gx[i].Equals(start[i] + scalar(g[i], saved[i])),
                $"{typeof(TOperator).Name} at length {length}, element {i}: {gx[i]:R} vs scalar {start[i] + scalar(g[i], saved[i]):R}");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void GradientOperatorsMatchScalarFormulasAtEveryTailLength(int length)
    {
        CheckGradient(new ReluGradient(), length, false, (g, y) => y > 0 ? g : 0f);
        CheckGradient(new TanhGradient(), length, false, (g, y) => g * (1f - y * y));
        CheckGradient(new SigmoidGradient(), length, false, (g, y) => g * y * (1f - y));
        CheckGradient(new LogGradient(), length, true, (g, x) => g / x);
        CheckGradient(new SqrtGradient(), length, true, (g, y) => 0.5f * g / y);
        CheckGradient(new SquareGradient(), length, false, (g, x) => 2f * g * x);
        CheckGradient(new AbsGradient(), length, false, (g, x) => x > 0 ? g : x < 0 ? -g : 0f);
        CheckGradient(new LeakyReluGradient(Slope), length, false, (g, x) => x > 0 ? g : Slope * g);
        CheckGradient(new ClampGradient(Min, Max), length, false, (g, x) => x >= Min && x <= Max ? g : 0f);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void MapOperatorsMatchScalarFormulasAtEveryTailLength(int length)
    {
        var x = Values(new Generator((ulong)length + 100), length, false);
        var y = new float[length];
        Elementwise.Map(new LeakyReluOperator(Slope), x, y);
        for (int i = 0; i < length; i++) Assert.Equal(x[i] > 0 ? x[i] : Slope * x[i], y[i]);
        Elementwise.Map(new LeakyReluOperator(Slope), x, x);                        // in place
        Assert.Equal(y, x);
    }

    [Fact]
    public void MismatchedLengthsThrow()
    {
        Assert.Throws<ArgumentException>(() => Elementwise.Accumulate(new ReluGradient(), new float[3], new float[4], new float[3]));
        Assert.Throws<ArgumentException>(() => Elementwise.Map(new LeakyReluOperator(Slope), new float[3], new float[2]));
    }
}
