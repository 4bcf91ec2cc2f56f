// Max-norm weight constraint (Srivastava et al. 2014; used on the output layer by Kim 2014,
// "Convolutional Neural Networks for Sentence Classification", s = 3): after each update, every weight
// vector w_i whose L2 norm exceeds s is rescaled to norm s:  w_i ← w_i · s / (‖w_i‖ + 1e-7).
// The vectors are the slices obtained by fixing one index along `axis` (torch.renorm's `dim`), so for a
// Linear weight [out, in] axis 0 constrains each output unit's incoming weights.
//
// Shape key: weight (O, S, I) around `axis`: O = product of dims before it, S = its size, I = after it.
using Pipeline.Models.Autograd;
using Pipeline.Models.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Pipeline.Models.Optim;

/// <summary>Renormalises weight slices whose L2 norm exceeds a bound.</summary>
public static class MaxNormConstraint
{
    /// <summary>
    /// Rescales in place each slice <c>weight[.., i, ..]</c> (index i along <paramref name="axis"/>) whose L2
    /// norm exceeds <paramref name="maxNorm"/>; returns how many slices were rescaled.
    /// </summary>
    public static int Apply(Tensor weight, double maxNorm, int axis = 0)
    {
        if (!(maxNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"maxNorm must be >= 0, got {maxNorm}");
        int a = TensorShape.NormalizeAxis(axis, weight.Rank, "max_norm_constraint");
        var (outer, size, inner) = TensorShape.AroundAxis(weight.Shape, a);
        using var _ = GradMode.NoGrad();
        var w = weight.Data;   // (O, S, I)
        int rescaled = 0;
        for (int s = 0; s < size; s++)
        {
            // Slice s is the O blocks w[o, s, :], each contiguous of length I.
            double sumOfSquares = 0;
            for (int o = 0; o < outer; o++) sumOfSquares += TP.SumOfSquares(w.Slice((o * size + s) * inner, inner));
            double norm = Math.Sqrt(sumOfSquares);
            if (norm <= maxNorm) continue;
            float scale = (float)(maxNorm / (norm + 1e-7));
            for (int o = 0; o < outer; o++)
            {
                var block = w.Slice((o * size + s) * inner, inner);
                TP.Multiply(block, scale, block);
            }
            rescaled++;
        }
        return rescaled;
    }
}
