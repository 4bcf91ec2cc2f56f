// A single LSTM cell module with PyTorch's parameters (weight_ih (4H, I), weight_hh (4H, H), bias_ih (4H),
// bias_hh (4H); gate blocks i, f, g, o) so checkpoints interoperate. The step itself is the fused op in
// FusedLstmCell.cs; initialisation is PyTorch's U(−1/√H, 1/√H) for every parameter.
// Shape key: B = batch, I = input features, H = hidden size.
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn.Recurrent;

/// <summary>One LSTM step: (x, (h, c)) → (h', c').</summary>
public sealed class LSTMCell : RecurrentCell
{
    /// <summary>Creates the cell, drawing parameters from U(−1/√H, 1/√H) with <paramref name="generator"/> (gate blocks i, f, g, o).</summary>
    public LSTMCell(int inputSize, int hiddenSize, Generator generator) : base(inputSize, hiddenSize, gateCount: 4, generator) { }

    /// <summary>One step from <paramref name="x"/> (B, I) and the state (h, c), each (B, H).</summary>
    public (Tensor Hidden, Tensor Cell) Forward(Tensor x, (Tensor Hidden, Tensor Cell) state)
    {
        if (x.Rank != 2 || x.Size(1) != InputSize)
            throw new ShapeMismatchException("lstm_cell", $"input {TensorShape.Format(x.Shape)} is not (B, {InputSize})");
        return FusedLstmCell.Forward(x, state.Hidden, state.Cell, WeightIh, WeightHh, BiasIh, BiasHh);
    }

    /// <summary>One step from a zero state.</summary>
    public (Tensor Hidden, Tensor Cell) Forward(Tensor x)
    {
        var zeros = Tensor.ZerosTracked([x.Size(0), HiddenSize]);         // (B, H)
        return Forward(x, (zeros, zeros));
    }
}
