// Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization") with PyTorch's torch.optim.Adam
// semantics, and the shared core of AdamW (Loshchilov & Hutter 2019, decoupled weight decay).
// For parameter p with gradient ∇ at its t-th update:
//   Adam  : g = ∇ + λ·p            (L2 decay folded into the gradient)
//   AdamW : p ← p·(1 − η·λ), g = ∇ (decay applied to the weights, not seen by the moments)
//   m ← β1·m + (1−β1)·g,   v ← β2·v + (1−β2)·g²
//   p ← p − (η / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε)
//
// Shape key: every span has the parameter's shape.
using Pipeline.Models.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Pipeline.Models.Optim;

/// <summary>Options of <see cref="Adam"/> and <see cref="AdamW"/>.</summary>
/// <param name="LearningRate">Step size η.</param>
/// <param name="Beta1">Decay of the first-moment average.</param>
/// <param name="Beta2">Decay of the second-moment average.</param>
/// <param name="Epsilon">Added to the denominator for stability.</param>
/// <param name="WeightDecay">λ: L2 for Adam, decoupled for AdamW.</param>
public sealed record AdamOptions(double LearningRate = 1e-3, double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8, double WeightDecay = 0)
{
    internal void Validate()
    {
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta1), $"beta1 must be in [0, 1), got {Beta1}");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta2), $"beta2 must be in [0, 1), got {Beta2}");
        if (!(Epsilon >= 0) || !double.IsFinite(Epsilon)) throw new ArgumentOutOfRangeException(nameof(Epsilon), $"epsilon must be finite and >= 0, got {Epsilon}");
    }
}

/// <summary>Adam with bias correction and L2 weight decay added to the gradient (torch.optim.Adam).</summary>
public class Adam : Optimizer
{
    private readonly bool decoupled;

    /// <summary>Optimizes <paramref name="parameters"/> as one group.</summary>
    public Adam(IEnumerable<Tensor> parameters, AdamOptions options)
        : this([new ParameterGroup(parameters, options.LearningRate, options.WeightDecay)], options) { }

    /// <summary>Optimizes several groups; each group's learning rate and weight decay override the options.</summary>
    public Adam(IEnumerable<ParameterGroup> groups, AdamOptions options) : this(groups, options, decoupledWeightDecay: false) { }

    /// <summary>For <see cref="AdamW"/>: chooses how weight decay is applied.</summary>
    private protected Adam(IEnumerable<ParameterGroup> groups, AdamOptions options, bool decoupledWeightDecay) : base(groups)
    {
        options.Validate();
        Options = options;
        decoupled = decoupledWeightDecay;
    }

    /// <summary>The options (betas and epsilon apply to every group).</summary>
    public AdamOptions Options { get; }

    /// <inheritdoc />
    protected sealed override void Update(ParameterSlot slot, ParameterGroup group, long step)
    {
        var p = slot.Data;
        double lr = group.LearningRate, wd = group.WeightDecay;
        float beta1 = (float)Options.Beta1, beta2 = (float)Options.Beta2;
        // 1 − β in double before rounding: 1 − (float)0.999 would carry a 1e-5 relative error into v.
        float oneMinusBeta1 = (float)(1 - Options.Beta1), oneMinusBeta2 = (float)(1 - Options.Beta2);
        if (decoupled && wd != 0)
            TP.Multiply(p, (float)(1 - lr * wd), p);      // AdamW: decay the weights, not the gradient
        var g = decoupled ? slot.Grad : slot.GradWithWeightDecay((float)wd);
        var m = slot.State("exp_avg", out _);
        var v = slot.State("exp_avg_sq", out _);
        var work = slot.ScratchB;
        // m ← β1·m + (1−β1)·g
        TP.Multiply(m, beta1, m);
        TP.MultiplyAdd(g, oneMinusBeta1, m, m);
        // v ← β2·v + ((1−β2)·g)·g
        TP.Multiply(v, beta2, v);
        TP.Multiply(g, oneMinusBeta2, work);
        TP.MultiplyAdd(work, g, v, v);
        // Bias corrections in double: β^t underflows gracefully and keeps early steps exact.
        double correction1 = 1 - Math.Pow(Options.Beta1, step);
        double correction2 = 1 - Math.Pow(Options.Beta2, step);
        float stepSize = (float)(lr / correction1);
        float inverseSqrtCorrection2 = (float)(1 / Math.Sqrt(correction2));
        // denominator = √v / √(1−β2ᵗ) + ε, then p ← p − stepSize · m / denominator
        TP.Sqrt(v, work);
        TP.Multiply(work, inverseSqrtCorrection2, work);
        TP.Add(work, (float)Options.Epsilon, work);
        TP.Divide(m, work, work);
        TP.MultiplyAdd(work, -stepSize, p, p);
    }
}

/// <summary>Adam with decoupled weight decay (torch.optim.AdamW): p ← p·(1 − η·λ) before the Adam step.</summary>
public sealed class AdamW : Adam
{
    /// <summary>Optimizes <paramref name="parameters"/> as one group (PyTorch's default λ for AdamW is 0.01).</summary>
    public AdamW(IEnumerable<Tensor> parameters, AdamOptions options)
        : this([new ParameterGroup(parameters, options.LearningRate, options.WeightDecay)], options) { }

    /// <summary>Optimizes several groups.</summary>
    public AdamW(IEnumerable<ParameterGroup> groups, AdamOptions options) : base(groups, options, decoupledWeightDecay: true) { }
}
