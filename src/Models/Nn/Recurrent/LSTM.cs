// Multi-step, stacked, optionally bidirectional LSTM over padded batches (PyTorch nn.LSTM semantics and
// parameter names weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, ..._reverse). Each step is the
// fused cell op (FusedLstmCell.cs); the time loop and length masking live in RecurrentLayer.cs.
// Shape key: B = batch, T = time, I = input features, H = hidden size, D = directions, L = layers.
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn.Recurrent;

/// <summary>A stacked (bi)directional LSTM with per-sequence lengths.</summary>
public sealed class LSTM : RecurrentLayer
{
    /// <summary>Creates the layer with PyTorch's U(−1/√H, 1/√H) initialisation drawn from <paramref name="generator"/>.</summary>
    public LSTM(RecurrentOptions options, Generator generator) : base(options, 4, generator) { }

    private protected override int StateCount => 2;

    private protected override Tensor[] Step(Tensor inputGates, Tensor[] state, Tensor weightHh, Tensor biasHh)
    {
        var (h, c) = FusedLstmCell.Forward(inputGates, state[0], state[1], weightHh, biasHh);
        return [h, c];
    }

    /// <summary>
    /// Runs the LSTM. <paramref name="input"/> (B, T, I) (or (T, B, I) without BatchFirst), optional
    /// <paramref name="lengths"/> (B) and initial (h0, c0), each (L·D, B, H). Returns the output (B, T, D·H),
    /// zero past each sequence's length, and the final (h, c), each (L·D, B, H), taken at each sequence's last valid step.
    /// </summary>
    public (Tensor Output, Tensor Hidden, Tensor Cell) Forward(Tensor input, int[]? lengths = null, (Tensor Hidden, Tensor Cell)? initialState = null)
    {
        var (output, final) = Run(input, lengths, initialState is { } s ? [s.Hidden, s.Cell] : null);
        return (output, final[0], final[1]);
    }
}
