// Layer normalisation (Ba et al. 2016) over the last axes of x, fused forward and backward.
// For each row r of D = Π normalized-shape elements:
//   x̂ = (x − μ_r)/√(σ²_r + ε) (biased σ²),  y = γ ⊙ x̂ + β (γ, β of the normalized shape),
//   dx̂ = dy ⊙ γ,  dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂ ⊙ x̂)) / √(σ²_r + ε),
//   dγ = Σ_r dy ⊙ x̂,  dβ = Σ_r dy.
// Shapes: x (..., D...) with R rows of D elements.
using System.Numerics.Tensors;
using Tensor = Pipeline.Models.Tensors.Tensor;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn;

public static partial class Functional
{
    /// <summary>Normalises over the trailing axes given by <paramref name="normalizedShape"/>, then applies γ, β if given.</summary>
    public static Tensor LayerNorm(Tensor input, int[] normalizedShape, Tensor? weight = null, Tensor? bias = null, float eps = 1e-5f)
    {
        int k = normalizedShape.Length;
        if (k == 0 || k > input.Rank || !input.Shape[^k..].SequenceEqual(normalizedShape))
            throw new ShapeMismatchException("layer_norm", $"input {TensorShape.Format(input.Shape)} does not end in normalized shape {TensorShape.Format(normalizedShape)}");
        foreach (var t in new[] { weight, bias })
            if (t is not null && !t.Shape.SequenceEqual(normalizedShape))
                throw new ShapeMismatchException("layer_norm", $"affine tensor {TensorShape.Format(t.Shape)} differs from normalized shape {TensorShape.Format(normalizedShape)}");
        int d = TensorShape.Numel(normalizedShape), rows = d == 0 ? 0 : input.Length / d;
        var mean = new float[rows];
        var invStd = new float[rows];
        var x = input.Data;
        var y = Tensor.Uninitialized(input.ShapeArray());
        var yd = y.Data;
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * d, d);
            float mu = TensorPrimitives.Sum(row) / d;
            double sq = 0;
            for (int i = 0; i < d; i++) { double dv = row[i] - mu; sq += dv * dv; }
            float inv = (float)(1.0 / Math.Sqrt(sq / d + eps));
            mean[r] = mu; invStd[r] = inv;
            var dst = yd.Slice(r * d, d);
            TensorPrimitives.Subtract(row, mu, dst);
            TensorPrimitives.Multiply(dst, inv, dst);                               // x̂
            if (weight is not null) TensorPrimitives.Multiply(dst, weight.Data, dst);
            if (bias is not null) TensorPrimitives.Add(dst, bias.Data, dst);
        }
        var inputs = new List<Tensor> { input };
        if (weight is not null) inputs.Add(weight);
        if (bias is not null) inputs.Add(bias);
        return y.Record("layer_norm", [.. inputs], g =>
        {
            var gd = g.Data; var xs = input.Data;
            var xhat = new float[d];
            var dxhat = new float[d];
            for (int r = 0; r < rows; r++)
            {
                var gr = gd.Slice(r * d, d);
                TensorPrimitives.Subtract(xs.Slice(r * d, d), mean[r], xhat);
                TensorPrimitives.Multiply(xhat, invStd[r], xhat);
                if (weight is not null && weight.RequiresGrad) TensorPrimitives.MultiplyAdd(gr, xhat, weight.GradBuffer(), weight.GradBuffer());
                if (bias is not null && bias.RequiresGrad) TensorPrimitives.Add(bias.GradBuffer(), gr, bias.GradBuffer());
                if (!input.RequiresGrad) continue;
                if (weight is not null) TensorPrimitives.Multiply(gr, weight.Data, dxhat); else gr.CopyTo(dxhat);
                float meanD = TensorPrimitives.Sum(dxhat) / d, meanDx = TensorPrimitives.Dot(dxhat, xhat) / d;
                var gx = input.GradBuffer().Slice(r * d, d);
                for (int i = 0; i < d; i++) gx[i] += (dxhat[i] - meanD - xhat[i] * meanDx) * invStd[r];
            }
        });
    }
}

/// <summary>Layer normalisation over the trailing axes, with γ = 1, β = 0 initially.</summary>
public sealed class LayerNorm : Module, ITensorModule
{
    /// <summary>Creates the layer for inputs ending in <paramref name="normalizedShape"/>.</summary>
    public LayerNorm(int[] normalizedShape, float eps = 1e-5f, bool elementwiseAffine = true)
    {
        if (normalizedShape.Length == 0 || normalizedShape.Any(v => v < 1))
            throw new ArgumentException($"layer_norm: normalized shape {TensorShape.Format(normalizedShape)} must be non-empty and positive.", nameof(normalizedShape));
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), "layer_norm: eps must be > 0.");
        NormalizedShape = (int[])normalizedShape.Clone();
        Eps = eps;
        if (elementwiseAffine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(NormalizedShape));
            Bias = RegisterParameter("bias", Tensor.Zeros(NormalizedShape));
        }
    }

    /// <summary>Normalisation over the last axis of size <paramref name="features"/>.</summary>
    public LayerNorm(int features, float eps = 1e-5f) : this([features], eps) { }

    /// <summary>Trailing shape normalised over.</summary>
    public int[] NormalizedShape { get; }

    /// <summary>Added to the variance.</summary>
    public float Eps { get; }

    /// <summary>γ, or null without affine.</summary>
    public Tensor? Weight { get; }

    /// <summary>β, or null without affine.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public Tensor Forward(Tensor input) => Functional.LayerNorm(input, NormalizedShape, Weight, Bias, Eps);
}
