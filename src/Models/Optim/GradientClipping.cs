// Gradient-norm clipping (Pascanu et al. 2013, "On the difficulty of training recurrent neural
// networks") with torch.nn.utils.clip_grad_norm_ semantics: the global norm ‖g‖ = √Σ_p Σ_i g_pi² over
// all gradients; when ‖g‖ > maxNorm every gradient is scaled by maxNorm / (‖g‖ + 1e-6).
using Pipeline.Models.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Pipeline.Models.Optim;

/// <summary>Rescales gradients so that their joint L2 norm does not exceed a bound.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales the gradients of <paramref name="parameters"/> in place when their global L2 norm exceeds
    /// <paramref name="maxNorm"/>; returns the norm measured before clipping. Parameters without a gradient are skipped.
    /// </summary>
    public static double ClipGlobalNorm(IEnumerable<Tensor> parameters, double maxNorm)
    {
        if (!(maxNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"maxNorm must be >= 0, got {maxNorm}");
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToArray();
        // Per-tensor sums in float (vectorised), accumulated across tensors in double.
        double sumOfSquares = 0;
        foreach (var g in grads) sumOfSquares += TP.SumOfSquares(g.Data);
        double norm = Math.Sqrt(sumOfSquares);
        double scale = maxNorm / (norm + 1e-6);
        if (scale < 1)
            foreach (var g in grads) TP.Multiply(g.Data, (float)scale, g.Data);
        return norm;
    }
}
