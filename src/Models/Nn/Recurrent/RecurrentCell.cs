// The parameters both single-step cells share: PyTorch's weight_ih (G·H, I), weight_hh (G·H, H), bias_ih (G·H)
// and bias_hh (G·H), with G gate blocks (4 for LSTM, 3 for GRU), initialised from U(−1/√H, 1/√H) in that
// order so checkpoints and seeded initialisation match PyTorch's layout.
// Shape key: G = gate blocks, H = hidden size, I = input features.
using Pipeline.Models.Init;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn.Recurrent;

/// <summary>Base of <see cref="LSTMCell"/> and <see cref="GRUCell"/>: registers the gate weights and biases.</summary>
public abstract class RecurrentCell : Module
{
    /// <summary>Registers G·H-row parameters drawn from U(−1/√H, 1/√H) with <paramref name="generator"/>.</summary>
    private protected RecurrentCell(int inputSize, int hiddenSize, int gateCount, Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        int rows = gateCount * hiddenSize;
        WeightIh = RegisterParameter("weight_ih", Initializers.DefaultUniform(generator, [rows, inputSize], hiddenSize));   // (G·H, I)
        WeightHh = RegisterParameter("weight_hh", Initializers.DefaultUniform(generator, [rows, hiddenSize], hiddenSize));  // (G·H, H)
        BiasIh = RegisterParameter("bias_ih", Initializers.DefaultUniform(generator, [rows], hiddenSize));                  // (G·H)
        BiasHh = RegisterParameter("bias_hh", Initializers.DefaultUniform(generator, [rows], hiddenSize));                  // (G·H)
    }

    /// <summary>Input features I.</summary>
    public int InputSize { get; }
    /// <summary>Hidden size H.</summary>
    public int HiddenSize { get; }
    /// <summary>Input-to-hidden weights (G·H, I), one block per gate.</summary>
    public Tensor WeightIh { get; }
    /// <summary>Hidden-to-hidden weights (G·H, H).</summary>
    public Tensor WeightHh { get; }
    /// <summary>Input-side bias (G·H).</summary>
    public Tensor BiasIh { get; }
    /// <summary>Hidden-side bias (G·H).</summary>
    public Tensor BiasHh { get; }
}
