// The benchmark's BiLSTM + attention classifier, as reference.py's BiLSTMAttention: Embedding(20000, 128)
// → bidirectional LSTM (128 per direction, batch first) → attention pooling (s_t = vᵀ tanh(W x_t + b),
// W 256→256 with bias, v without; softmax over T; weighted sum) → dropout 0.5 → Linear(256→2).
// Shape key: B = batch, T = tokens, E = embedding, H = hidden per direction.
using Pipeline.Models.Nn;
using Pipeline.Models.Nn.Attention;
using Pipeline.Models.Nn.Recurrent;
using Pipeline.Models.Tensors;

namespace Pipeline.Bench.Models;

/// <summary>Recurrent sentence classifier with attention pooling.</summary>
internal sealed class BiLstmAttention : Module
{
    private readonly Embedding embedding;
    private readonly LSTM lstm;
    private readonly AttentionPooling pooling;
    private readonly Dropout dropout;
    private readonly Linear fc;

    public BiLstmAttention(Generator generator)
    {
        embedding = RegisterModule("embedding", new Embedding(BenchSizes.TextVocab, BenchSizes.TextEmbed, generator));
        lstm = RegisterModule("lstm", new LSTM(new RecurrentOptions(BenchSizes.TextEmbed, BenchSizes.LstmHidden, Bidirectional: true), generator));
        pooling = RegisterModule("attention", new AttentionPooling(2 * BenchSizes.LstmHidden, BenchSizes.BiLstmAttentionDim, generator));
        dropout = RegisterModule("dropout", new Dropout(BenchSizes.Dropout, new Generator(13)));
        fc = RegisterModule("fc", new Linear(2 * BenchSizes.LstmHidden, BenchSizes.TextClasses, generator));
    }

    /// <summary>Token ids (B·T, row-major) → logits (B, 2).</summary>
    public Tensor Forward(int[] tokens, int batch, int length)
    {
        var (output, _, _) = lstm.Forward(embedding.Forward(tokens, [batch, length]));   // (B, T, 2H)
        var (pooled, _) = pooling.Forward(output);                                        // (B, 2H)
        return fc.Forward(dropout.Forward(pooled));                                       // (B, 2)
    }
}
