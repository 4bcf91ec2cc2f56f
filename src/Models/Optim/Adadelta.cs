// Adadelta (Zeiler 2012, "ADADELTA: An Adaptive Learning Rate Method") with PyTorch's torch.optim.Adadelta
// semantics. Kim (2014) trained the sentence CNN with it (ρ = 0.95, ε = 1e-6). For parameter p with gradient ∇:
//   g = ∇ + λ·p                                         (coupled L2 weight decay)
//   E[g²]  ← ρ·E[g²] + (1−ρ)·g²
//   Δ      = √(E[Δ²] + ε) / √(E[g²] + ε) · g
//   E[Δ²]  ← ρ·E[Δ²] + (1−ρ)·Δ²
//   p      ← p − η·Δ                                    (η = 1 in the paper)
//
// Shape key: every span has the parameter's shape.
using Pipeline.Models.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Pipeline.Models.Optim;

/// <summary>Options of <see cref="Adadelta"/> (Kim 2014's values by default).</summary>
/// <param name="LearningRate">Scale η of the update (1 in Zeiler 2012 and Kim 2014).</param>
/// <param name="Rho">Decay ρ of both running averages.</param>
/// <param name="Epsilon">ε inside both square roots.</param>
/// <param name="WeightDecay">L2 coefficient λ added to the gradient.</param>
public sealed record AdadeltaOptions(double LearningRate = 1.0, double Rho = 0.95, double Epsilon = 1e-6, double WeightDecay = 0)
{
    internal void Validate()
    {
        if (!(Rho >= 0 && Rho < 1)) throw new ArgumentOutOfRangeException(nameof(Rho), $"rho must be in [0, 1), got {Rho}");
        if (!(Epsilon > 0) || !double.IsFinite(Epsilon)) throw new ArgumentOutOfRangeException(nameof(Epsilon), $"epsilon must be finite and > 0, got {Epsilon}");
    }
}

/// <summary>Adadelta, as torch.optim.Adadelta.</summary>
public sealed class Adadelta : Optimizer
{
    /// <summary>Optimizes <paramref name="parameters"/> as one group.</summary>
    public Adadelta(IEnumerable<Tensor> parameters, AdadeltaOptions options)
        : this([new ParameterGroup(parameters, options.LearningRate, options.WeightDecay)], options) { }

    /// <summary>Optimizes several groups; each group's learning rate and weight decay override the options.</summary>
    public Adadelta(IEnumerable<ParameterGroup> groups, AdadeltaOptions options) : base(groups)
    {
        options.Validate();
        Options = options;
    }

    /// <summary>The options (ρ and ε apply to every group).</summary>
    public AdadeltaOptions Options { get; }

    /// <inheritdoc />
    protected override void Update(ParameterSlot slot, ParameterGroup group, long step)
    {
        var p = slot.Data;
        float lr = (float)group.LearningRate;
        float rho = (float)Options.Rho, oneMinusRho = (float)(1 - Options.Rho), eps = (float)Options.Epsilon;
        var g = slot.GradWithWeightDecay((float)group.WeightDecay);
        var squareAverage = slot.State("square_avg", out _);
        var deltaAverage = slot.State("acc_delta", out _);
        var delta = slot.ScratchB;
        // E[g²] ← ρ·E[g²] + (1−ρ)·g²
        TP.Multiply(squareAverage, rho, squareAverage);
        TP.Multiply(g, oneMinusRho, delta);
        TP.MultiplyAdd(delta, g, squareAverage, squareAverage);
        // Δ = √(E[Δ²] + ε) / √(E[g²] + ε) · g, built in the scratch buffer.
        TP.Add(squareAverage, eps, delta);
        TP.Sqrt(delta, delta);
        TP.Divide(g, delta, delta);                       // g / √(E[g²] + ε)
        var scale = slot.ScratchA;                        // free again: g (possibly in ScratchA) is no longer read
        TP.Add(deltaAverage, eps, scale);
        TP.Sqrt(scale, scale);
        TP.Multiply(delta, scale, delta);                 // Δ
        // E[Δ²] ← ρ·E[Δ²] + (1−ρ)·Δ², then p ← p − η·Δ
        TP.Multiply(deltaAverage, rho, deltaAverage);
        TP.Multiply(delta, delta, scale);
        TP.MultiplyAdd(scale, oneMinusRho, deltaAverage, deltaAverage);
        TP.MultiplyAdd(delta, -lr, p, p);
    }
}
