// Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay, with PyTorch's
// torch.optim.SGD semantics (dampening 0). For each parameter p with gradient ∇:
//   g = ∇ + λ·p                           (weight decay λ, coupled L2)
//   b = g                   on the first step, else  b = μ·b + g      (momentum μ)
//   d = g + μ·b  (Nesterov)  or  d = b  (classical)      — d = g when μ = 0
//   p ← p − η·d                           (learning rate η)
// Sutskever et al. 2013, "On the importance of initialization and momentum in deep learning".
//
// Shape key: every span has the parameter's shape.
using Pipeline.Models.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Pipeline.Models.Optim;

/// <summary>Options of <see cref="Sgd"/>.</summary>
/// <param name="LearningRate">Step size η.</param>
/// <param name="Momentum">Momentum μ (0 disables the buffer).</param>
/// <param name="WeightDecay">L2 coefficient λ added to the gradient.</param>
/// <param name="Nesterov">Use Nesterov's look-ahead form (requires μ &gt; 0).</param>
public sealed record SgdOptions(double LearningRate, double Momentum = 0, double WeightDecay = 0, bool Nesterov = false)
{
    internal void Validate()
    {
        if (!double.IsFinite(Momentum) || Momentum < 0) throw new ArgumentOutOfRangeException(nameof(Momentum), $"momentum must be finite and >= 0, got {Momentum}");
        if (Nesterov && Momentum <= 0) throw new ArgumentException("Nesterov momentum requires momentum > 0", nameof(Nesterov));
    }
}

/// <summary>SGD with optional (Nesterov) momentum and L2 weight decay, as torch.optim.SGD with dampening 0.</summary>
public sealed class Sgd : Optimizer
{
    /// <summary>Optimizes <paramref name="parameters"/> as one group.</summary>
    public Sgd(IEnumerable<Tensor> parameters, SgdOptions options)
        : this([new ParameterGroup(parameters, options.LearningRate, options.WeightDecay)], options) { }

    /// <summary>Optimizes several groups; each group's learning rate and weight decay override the options.</summary>
    public Sgd(IEnumerable<ParameterGroup> groups, SgdOptions options) : base(groups)
    {
        options.Validate();
        Options = options;
    }

    /// <summary>The options (momentum and Nesterov apply to every group).</summary>
    public SgdOptions Options { get; }

    /// <inheritdoc />
    protected override void Update(ParameterSlot slot, ParameterGroup group, long step)
    {
        var p = slot.Data;
        float lr = (float)group.LearningRate, mu = (float)Options.Momentum;
        var g = slot.GradWithWeightDecay((float)group.WeightDecay);
        if (mu != 0)
        {
            var buffer = slot.State("momentum_buffer", out bool created);
            if (created) g.CopyTo(buffer);
            else TP.MultiplyAdd(buffer, mu, g, buffer);   // μ·b + g
            if (Options.Nesterov)
            {
                var look = slot.ScratchB;
                TP.MultiplyAdd(buffer, mu, g, look);      // g + μ·b
                g = look;
            }
            else g = buffer;
        }
        TP.MultiplyAdd(g, -lr, p, p);                     // p − η·d
    }
}
