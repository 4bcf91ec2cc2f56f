// Bidirectional recurrent sentence classifier:
//   x = embed(ids)                                        (B, T, E)   (two channels summed in multichannel mode)
//   o_t = [→h_t ; ←h_t] = BiLSTM/BiGRU(x, lengths)        (B, T, 2H)  1 or 2 stacked layers, length-masked
//   s = pool(o):  last      [→h_{L−1} ; ←h_0]             (B, 2H)     final state of each direction
//                 mean      Σ_{t<L} o_t / L
//                 max       max_{t<L} o_t                 (element-wise, Collobert et al. 2011)
//                 attention Σ_t α_t o_t, α = softmax_t(vᵀ tanh(W o_t + b))   (Yang et al. 2016)
//   logits = W_out dropout(s) + b_out (+ NB n-gram logits) (B, K)   the n-gram branch: NaiveBayesNgrams.cs
// Masking: the recurrent layer keeps each sequence's state through its padding (RecurrentLayer.cs), the
// reverse direction starts at each sequence's own last token, and all poolings look at t < L only, so the
// logits do not depend on what follows a sequence. An empty sequence (L = 0) is read as one padding token.
// Parameter names: embedding.weight, embedding_static.weight, rnn.weight_ih_l0 (PyTorch nn.LSTM / nn.GRU names),
// attention.weight / bias / score_weight, fc.weight (K, 2H), fc.bias.
// Shape key: B = batch, T = time, E = embedding dim, H = hidden units per direction, K = classes.
using Pipeline.Models.Nn;
using Pipeline.Models.Nn.Attention;
using Pipeline.Models.Nn.Recurrent;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Classification;

/// <summary>Embedding → bidirectional LSTM/GRU → last/mean/max/attention pooling → dropout → linear.</summary>
public sealed class BiRnnClassifier : TextClassifierModel
{
    private readonly LSTM? lstm;
    private readonly GRU? gru;

    /// <summary>Builds the network for <paramref name="config"/> (architecture BiRnn); <paramref name="generator"/>
    /// initialises the weights and later draws the dropout masks.</summary>
    public BiRnnClassifier(ClassifierConfig config, Generator generator) : base(config, generator)
    {
        if (config.Architecture != ClassifierArchitecture.BiRnn)
            throw new ArgumentException($"BiRnnClassifier needs a BiRnn config, got {config.Architecture}.", nameof(config));
        var options = new RecurrentOptions(config.EmbeddingDim, config.HiddenSize, config.RnnLayers, Bidirectional: true,
            Dropout: config.RnnLayers > 1 ? config.Dropout : 0f);
        if (config.RnnCell == RnnCellType.Lstm) lstm = RegisterModule("rnn", new LSTM(options, generator));
        else gru = RegisterModule("rnn", new GRU(options, generator));
        if (config.RnnPooling == RnnPooling.Attention)
            Attention = RegisterModule("attention", new AttentionPooling(2 * config.HiddenSize, config.AttentionSize, generator));
        Output = RegisterModule("fc", new Linear(2 * config.HiddenSize, config.NumClasses, generator));
    }

    /// <summary>The attention pooling (attention mode only).</summary>
    public AttentionPooling? Attention { get; }

    /// <summary>The output layer (K, 2H).</summary>
    public Linear Output { get; }

    /// <inheritdoc />
    public override ClassifierLogits ForwardParts(int[] tokenIds, int batchSize, int length, int[] lengths, int[]? targets = null, TokenRows? ngramRows = null)
        => Run(tokenIds, batchSize, length, lengths, targets, ngramRows).Logits;

    /// <summary>
    /// Like <see cref="TextClassifierModel.Forward"/>, also returning the attention weights α (B, T') of attention pooling
    /// (zero past each length; T' = max(T, 1)), or null for the other poolings — e.g. to show which words decided the class.
    /// </summary>
    public (Tensor Logits, Tensor? Attention) ForwardWithAttention(int[] tokenIds, int batchSize, int length, int[] lengths, int[]? targets = null, TokenRows? ngramRows = null)
    {
        var (logits, alpha) = Run(tokenIds, batchSize, length, lengths, targets, ngramRows);
        return (logits.Logits(), alpha);
    }

    private (ClassifierLogits Logits, Tensor? Attention) Run(int[] tokenIds, int batchSize, int length, int[] lengths, int[]? targets, TokenRows? ngramRows)
    {
        int padded = Math.Max(length, 1);
        var ids = MaskIds(tokenIds, batchSize, length, lengths, padded);
        var steps = new int[batchSize];                                                  // L, with empty rows read as one pad
        for (int b = 0; b < batchSize; b++) steps[b] = Math.Max(lengths[b], 1);
        var x = Embed(ids, batchSize, padded, lengths);                                            // (B, T', E)

        Tensor outputs, finalHidden;                                                      // (B, T', 2H), (layers·2, B, H)
        if (lstm is not null) (outputs, finalHidden, _) = lstm.Forward(x, steps);
        else (outputs, finalHidden) = gru!.Forward(x, steps);

        int hidden = Config.HiddenSize;
        Tensor? alpha = null;
        Tensor sentence;                                                                  // (B, 2H)
        switch (Config.RnnPooling)
        {
            case RnnPooling.Last:
                int top = 2 * (Config.RnnLayers - 1);                                      // forward direction of the last layer
                sentence = Tensor.Concat(
                [
                    finalHidden.Narrow(0, top, 1).Reshape(batchSize, hidden),             // →h at each sequence's last step
                    finalHidden.Narrow(0, top + 1, 1).Reshape(batchSize, hidden),         // ←h after reading t = 0
                ], 1);
                break;
            case RnnPooling.Mean:
                // Outputs are zero past each length, so the plain sum over time is the masked sum.
                var inverse = new float[batchSize];
                for (int b = 0; b < batchSize; b++) inverse[b] = 1f / steps[b];
                sentence = Tensor.Sum(outputs, 1) * Tensor.FromArray(inverse, batchSize, 1);
                break;
            case RnnPooling.Max:
                sentence = Functional.MaxOverTime(outputs, steps);
                break;
            default:
                (sentence, alpha) = Attention!.Forward(outputs, steps);
                break;
        }
        sentence = Functional.Dropout(sentence, Config.Dropout, DropoutGenerator, IsTraining);
        return (WithNgramLogits(Output.Forward(sentence), ids, batchSize, padded, lengths, targets, ngramRows), alpha);     // (B, K) each
    }
}
