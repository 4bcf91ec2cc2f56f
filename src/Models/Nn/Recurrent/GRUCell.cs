// A single GRU cell (Cho et al. 2014) with PyTorch's parameters and exactly PyTorch's equations:
//   r = σ(W_ir x + b_ir + W_hr h + b_hr)
//   z = σ(W_iz x + b_iz + W_hz h + b_hz)
//   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))      (the reset gate multiplies the *projected* h)
//   h' = (1 − z) ⊙ n + z ⊙ h
// weight_ih (3H, I), weight_hh (3H, H), bias_ih (3H), bias_hh (3H); gate blocks r, z, n.
// The step is the fused op in FusedGruCell.cs (checked in the tests against the same cell composed from
// Tensor ops); initialisation is PyTorch's U(−1/√H, 1/√H) for every parameter.
// Shape key: B = batch, I = input features, H = hidden size.
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn.Recurrent;

/// <summary>One GRU step: (x, h) → h'.</summary>
public sealed class GRUCell : RecurrentCell
{
    /// <summary>Creates the cell, drawing parameters from U(−1/√H, 1/√H) with <paramref name="generator"/> (gate blocks r, z, n).</summary>
    public GRUCell(int inputSize, int hiddenSize, Generator generator) : base(inputSize, hiddenSize, gateCount: 3, generator) { }

    /// <summary>One step from <paramref name="x"/> (B, I) and <paramref name="hidden"/> (B, H).</summary>
    public Tensor Forward(Tensor x, Tensor hidden)
    {
        if (x.Rank != 2 || x.Size(1) != InputSize)
            throw new ShapeMismatchException("gru_cell", $"input {TensorShape.Format(x.Shape)} is not (B, {InputSize})");
        return FusedGruCell.Forward(x, hidden, WeightIh, WeightHh, BiasIh, BiasHh);
    }

    /// <summary>One step from a zero state.</summary>
    public Tensor Forward(Tensor x) => Forward(x, Tensor.ZerosTracked([x.Size(0), HiddenSize]));
}
