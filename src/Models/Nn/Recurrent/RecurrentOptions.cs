// Settings shared by the multi-step LSTM and GRU layers, validated once up front (PyTorch's nn.LSTM /
// nn.GRU arguments: input_size, hidden_size, num_layers, bidirectional, dropout, batch_first).
namespace Pipeline.Models.Nn.Recurrent;

/// <summary>Configuration of a stacked, optionally bidirectional recurrent layer.</summary>
/// <param name="InputSize">Features per time step of the input (I).</param>
/// <param name="HiddenSize">Hidden units per direction (H).</param>
/// <param name="NumLayers">Stacked layers; layer l &gt; 0 reads the D·H outputs of layer l − 1.</param>
/// <param name="Bidirectional">Adds a reverse-time direction (D = 2); outputs are concatenated [forward, reverse].</param>
/// <param name="Dropout">Dropout probability on the outputs of every layer but the last (training only).</param>
/// <param name="BatchFirst">Input/output layout (B, T, ·) when true, (T, B, ·) when false.</param>
public sealed record RecurrentOptions(int InputSize, int HiddenSize, int NumLayers = 1, bool Bidirectional = false, float Dropout = 0f, bool BatchFirst = true)
{
    /// <summary>Number of directions D (1 or 2).</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    public RecurrentOptions Validate()
    {
        if (InputSize < 1) throw new ArgumentOutOfRangeException(nameof(InputSize), InputSize, "InputSize must be at least 1.");
        if (HiddenSize < 1) throw new ArgumentOutOfRangeException(nameof(HiddenSize), HiddenSize, "HiddenSize must be at least 1.");
        if (NumLayers < 1) throw new ArgumentOutOfRangeException(nameof(NumLayers), NumLayers, "NumLayers must be at least 1.");
        if (!(Dropout >= 0f && Dropout < 1f)) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "Dropout must be in [0, 1).");
        return this;
    }
}
