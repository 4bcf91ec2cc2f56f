// Multi-step, stacked, optionally bidirectional GRU over padded batches (PyTorch nn.GRU semantics and
// parameter names weight_ih_l0, ..., ..._reverse). Each step is the fused cell op (FusedGruCell.cs); the time
// loop and length masking live in RecurrentLayer.cs.
// Shape key: B = batch, T = time, I = input features, H = hidden size, D = directions, L = layers.
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn.Recurrent;

/// <summary>A stacked (bi)directional GRU with per-sequence lengths.</summary>
public sealed class GRU : RecurrentLayer
{
    /// <summary>Creates the layer with PyTorch's U(−1/√H, 1/√H) initialisation drawn from <paramref name="generator"/>.</summary>
    public GRU(RecurrentOptions options, Generator generator) : base(options, 3, generator) { }

    private protected override int StateCount => 1;

    private protected override Tensor[] Step(Tensor inputGates, Tensor[] state, Tensor weightHh, Tensor biasHh)
        => [FusedGruCell.Forward(inputGates, state[0], weightHh, biasHh)];

    /// <summary>
    /// Runs the GRU. <paramref name="input"/> (B, T, I) (or (T, B, I) without BatchFirst), optional
    /// <paramref name="lengths"/> (B) and initial h0 (L·D, B, H). Returns the output (B, T, D·H), zero past each
    /// sequence's length, and the final h (L·D, B, H) taken at each sequence's last valid step.
    /// </summary>
    public (Tensor Output, Tensor Hidden) Forward(Tensor input, int[]? lengths = null, Tensor? initialHidden = null)
    {
        var (output, final) = Run(input, lengths, initialHidden is null ? null : [initialHidden]);
        return (output, final[0]);
    }
}
