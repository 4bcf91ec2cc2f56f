// Finite-difference gradient checking for any differentiable function of tensors.
// The scalar probed is L = Σ w ⊙ f(x) with fixed random weights w, so every output element
// contributes with a distinct weight (a plain sum would hide errors that cancel).
// Central differences in float32 carry O(eps²) truncation plus O(ulp/eps) rounding error; with
// eps = 1e-2 on O(1) inputs both stay near 1e-4, hence the default tolerances of 1e-2 (abs + rel).
using Pipeline.Models.Autograd;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Support;

public static class GradCheck
{
    /// <summary>Compares autograd gradients of every input that requires grad against central differences.</summary>
    public static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, float eps = 1e-2f, float atol = 1e-2f, float rtol = 1e-2f, ulong seed = 7)
    {
        foreach (var x in inputs) { x.Grad = null; }
        var output = f(inputs);
        var weights = Tensor.Randn(new Generator(seed), output.ShapeArray());
        var loss = Tensor.SumAll(output * weights);
        loss.Backward();
        var analytic = inputs.Select(x => x.RequiresGrad ? (x.Grad?.ToArray() ?? new float[x.Length]) : null).ToArray();

        using var _ = GradMode.NoGrad();
        double Eval()
        {
            var y = f(inputs).Data;
            var w = weights.Data;
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += (double)y[i] * w[i];
            return s;
        }
        for (int t = 0; t < inputs.Length; t++)
        {
            if (analytic[t] is not { } grad) continue;
            var data = inputs[t].Data;
            for (int i = 0; i < data.Length; i++)
            {
                float original = data[i];
                data[i] = original + eps; double plus = Eval();
                data[i] = original - eps; double minus = Eval();
                data[i] = original;
                double numeric = (plus - minus) / (2 * eps);
                double diff = Math.Abs(numeric - grad[i]);
                Assert.True(diff <= atol + rtol * Math.Abs(numeric),
                    $"input {t} element {i}: analytic {grad[i]:G6} vs numeric {numeric:G6} (|diff| {diff:G3})");
            }
        }
    }

    /// <summary>
    /// Two implementations of one function (e.g. a fused kernel and the same math composed from ops) agree in their
    /// outputs and in the gradient of every input: each runs on <paramref name="inputs"/> with gradients cleared
    /// first and backpropagates Σᵢ sum(outputᵢ · <paramref name="upstream"/>ᵢ).
    /// </summary>
    public static void AssertSameValuesAndGradients(Tensor[] inputs, Tensor[] upstream, Func<Tensor[]> reference, Func<Tensor[]> candidate,
        float atol, float rtol)
    {
        float[][] Run(Func<Tensor[]> f)
        {
            foreach (var t in inputs) t.Grad = null;
            var outputs = f();
            Assert.Equal(upstream.Length, outputs.Length);
            var loss = Tensor.SumAll(outputs[0] * upstream[0]);
            for (int i = 1; i < outputs.Length; i++) loss = loss + Tensor.SumAll(outputs[i] * upstream[i]);
            loss.Backward();
            return [.. outputs.Select(o => o.ToArray()), .. inputs.Select(t => t.Grad!.ToArray())];
        }
        var expected = Run(reference);
        var actual = Run(candidate);
        for (int i = 0; i < expected.Length; i++)
            AssertClose(expected[i], actual[i], atol, rtol);
    }

    /// <summary>Asserts two float sequences agree within abs + rel tolerance, naming the first bad index.</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float atol = 1e-5f, float rtol = 1e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float diff = MathF.Abs(expected[i] - actual[i]);
            if (!(diff <= atol + rtol * MathF.Abs(expected[i])) && !(float.IsNaN(expected[i]) && float.IsNaN(actual[i])))
                Assert.Fail($"element {i}: expected {expected[i]:G8}, got {actual[i]:G8} (|diff| {diff:G3})");
        }
    }

    /// <summary>A leaf with normal(0, scale) entries that requires grad.</summary>
    public static Tensor Param(Generator g, float scale, params int[] shape)
    {
        var t = Tensor.Randn(g, shape, 0f, scale);
        t.RequiresGrad = true;
        return t;
    }
}
