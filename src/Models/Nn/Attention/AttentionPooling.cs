// Attention pooling of a padded sequence into one vector (the word-level attention of Yang et al. 2016,
// "Hierarchical Attention Networks", whose context vector u_w plays the role of v here):
//   s_t = vᵀ tanh(W x_t + b)      α = softmax_t(s) over t < length (padding gets α = 0)
//   pooled = Σ_t α_t x_t
// Used by the BiRNN text classifier on top of the recurrent outputs.
// Parameters: weight (A, C), bias (A), score_weight (1, A) — Linear layouts.
// Shape key: B = batch, T = time, C = channels of each step, A = attention size.
using Pipeline.Models.Init;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn.Attention;

/// <summary>Masked attention-weighted average over time.</summary>
public sealed class AttentionPooling : Module
{
    /// <summary>Creates the module with U(−1/√fan_in, 1/√fan_in) weights drawn from <paramref name="generator"/>.</summary>
    public AttentionPooling(int channels, int attentionSize, Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(attentionSize, 1);
        Channels = channels; AttentionSize = attentionSize;
        Weight = RegisterParameter("weight", Initializers.DefaultUniform(generator, [attentionSize, channels], channels));              // (A, C)
        Bias = RegisterParameter("bias", Initializers.DefaultUniform(generator, [attentionSize], channels));                          // (A)
        ScoreWeight = RegisterParameter("score_weight", Initializers.DefaultUniform(generator, [1, attentionSize], attentionSize));    // (1, A)
    }

    /// <summary>Channels C per step.</summary>
    public int Channels { get; }
    /// <summary>Attention size A.</summary>
    public int AttentionSize { get; }
    /// <summary>W (A, C).</summary>
    public Tensor Weight { get; }
    /// <summary>b (A).</summary>
    public Tensor Bias { get; }
    /// <summary>vᵀ (1, A).</summary>
    public Tensor ScoreWeight { get; }

    /// <summary>
    /// Pools <paramref name="sequence"/> (B, T, C) with optional <paramref name="lengths"/> (B, each in 1..T; null = all T).
    /// Returns pooled (B, C) and weights α (B, T), zero past each length.
    /// </summary>
    public (Tensor Pooled, Tensor Alpha) Forward(Tensor sequence, int[]? lengths = null)
    {
        const string op = "attention_pooling";
        if (sequence.Rank != 3 || sequence.Size(2) != Channels)
            throw new ShapeMismatchException(op, $"sequence {TensorShape.Format(sequence.Shape)} is not (B, T, {Channels})");
        int batch = sequence.Size(0), steps = sequence.Size(1);
        var energy = Tensor.Tanh(Tensor.MatMul(sequence, Weight, transposeB: true) + Bias);      // (B, T, A)
        var scores = Tensor.MatMul(energy, ScoreWeight, transposeB: true).Reshape(batch, steps);  // (B, T)
        if (lengths is not null)
        {
            if (lengths.Length != batch) throw new ArgumentException($"{op}: {lengths.Length} lengths for a batch of {batch}.", nameof(lengths));
            var bias = new float[batch * steps];
            for (int b = 0; b < batch; b++)
            {
                if (lengths[b] < 1 || lengths[b] > steps) throw new ArgumentOutOfRangeException(nameof(lengths), $"{op}: length {lengths[b]} outside [1, {steps}].");
                for (int t = lengths[b]; t < steps; t++) bias[b * steps + t] = AdditiveAttention.MaskedScore;
            }
            scores = scores + Tensor.FromArray(bias, batch, steps);
        }
        var alpha = Tensor.Softmax(scores, 1);                                                    // (B, T)
        var pooled = Tensor.MatMul(alpha.Unsqueeze(1), sequence).Reshape(batch, Channels);       // (B, C)
        return (pooled, alpha);
    }
}
