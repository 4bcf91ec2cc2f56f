// LSTM caption decoder with soft attention ("Show, Attend and Tell", Xu et al. 2015, §3.1.2 and §4.2.1):
//   h_0 = tanh(W_h·ā + b_h),  c_0 = tanh(W_c·ā + b_c)            ā = (1/R)·Σ_r a_r   (mean region feature)
//   per step t (attention mode):
//     (z_t, α_t) = AdditiveAttention(a, h_{t−1})                  α_t ∈ Δ^R, z_t = Σ_r α_tr a_r
//     β_t = σ(W_β·h_{t−1} + b_β)                                  gate on the context ("selector", §4.2.1)
//     (h_t, c_t) = LSTM([E·y_{t−1}; β_t ⊙ z_t], (h_{t−1}, c_{t−1}))
//   p(y_t | …) = softmax(W_o·dropout(h_t) + b_o)
//   baseline (UseAttention = false): no attention and no gate; LSTM input = E·y_{t−1}; the image enters
//   only through h_0, c_0.
// Training (teacher forcing) minimises  CE over non-pad targets + λ·(1/M)·Σ_m Σ_r (1 − Σ_t α_mtr)²  (eq. 14).
// Speed: the attention projection W_f·a is computed once per image (not per caption or step), each step's
// attention is one fused op (FusedAttentionStep, checked against AdditiveAttention.Attend), the word half
// of the LSTM input gates (all of them in baseline mode) is one GEMM over all steps, and the vocabulary projection is one
// (T·M, H)×(H, V) GEMM on the stacked hidden states.
// Checkpoint keys: embedding.weight, init_h.*, init_c.*, attention.*, gate.*, lstm.*, output.*.
// Thread safety: the inference path (Begin/Step) reads parameters only and never applies dropout.
// Shape key: N = images, M = captions, R = regions, F = feature dims, T = time, V = vocabulary,
//            E = embedding dims, H = hidden size, A = attention dims, K = rows being decoded.
using Pipeline.Models.Nn;
using Pipeline.Models.Nn.Attention;
using Pipeline.Models.Nn.Recurrent;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Captioning;

/// <summary>The word-by-word decoder: initial state, attention, gated context, fused LSTM cell and output projection.</summary>
public sealed class AttentionDecoder : Module
{
    private readonly CaptionerConfig config;

    /// <summary>Creates the decoder for features of <paramref name="featureSize"/> channels.</summary>
    public AttentionDecoder(CaptionerConfig config, int featureSize, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureSize, 1);
        this.config = config.Validated();
        FeatureSize = featureSize;
        int vocab = config.VocabularySize, embed = config.EmbeddingDim, hidden = config.HiddenSize;
        Embedding = RegisterModule("embedding", new Embedding(vocab, embed, generator, paddingIndex: config.PadId));
        InitHidden = RegisterModule("init_h", new Linear(featureSize, hidden, generator));
        InitCell = RegisterModule("init_c", new Linear(featureSize, hidden, generator));
        if (config.UseAttention)
        {
            Attention = RegisterModule("attention", new AdditiveAttention(featureSize, hidden, config.AttentionDim, generator));
            Gate = RegisterModule("gate", new Linear(hidden, featureSize, generator));
        }
        Lstm = RegisterModule("lstm", new LSTMCell(config.UseAttention ? embed + featureSize : embed, hidden, generator));
        Output = RegisterModule("output", new Linear(hidden, vocab, generator));
    }

    /// <summary>Feature channels F.</summary>
    public int FeatureSize { get; }
    /// <summary>Word embeddings (V, E); row PadId stays zero.</summary>
    public Embedding Embedding { get; }
    /// <summary>ā → h_0 (before tanh).</summary>
    public Linear InitHidden { get; }
    /// <summary>ā → c_0 (before tanh).</summary>
    public Linear InitCell { get; }
    /// <summary>Additive attention, or null in baseline mode.</summary>
    public AdditiveAttention? Attention { get; }
    /// <summary>h → β pre-activation (F), or null in baseline mode.</summary>
    public Linear? Gate { get; }
    /// <summary>The recurrent cell; input E (+ F with attention).</summary>
    public LSTMCell Lstm { get; }
    /// <summary>h → vocabulary logits (V).</summary>
    public Linear Output { get; }

    /// <summary>
    /// Teacher-forced loss. <paramref name="features"/> (N, R, F) holds each image once; caption m belongs to image
    /// <paramref name="featureIndexPerCaption"/>[m] and is a token list &lt;start&gt; … &lt;end&gt; (length ≥ 2).
    /// Dropout is active only in training mode and draws from <paramref name="generator"/>.
    /// </summary>
    public CaptionLoss Loss(Tensor features, int[] featureIndexPerCaption, int[][] captions, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(featureIndexPerCaption);
        ArgumentNullException.ThrowIfNull(captions);
        CheckFeatures(features, "caption_loss");
        int images = features.Size(0), count = captions.Length;
        if (count == 0) throw new ArgumentException("caption loss: no captions.", nameof(captions));
        if (featureIndexPerCaption.Length != count)
            throw new ArgumentException($"caption loss: {featureIndexPerCaption.Length} feature indices for {count} captions.", nameof(featureIndexPerCaption));
        int steps = 0;
        for (int m = 0; m < count; m++)
        {
            if (captions[m] is null || captions[m].Length < 2)
                throw new ArgumentException($"caption loss: caption {m} has fewer than 2 tokens (<start> … <end>).", nameof(captions));
            if ((uint)featureIndexPerCaption[m] >= (uint)images)
                throw new ArgumentException($"caption loss: caption {m} refers to image {featureIndexPerCaption[m]}, but there are {images}.", nameof(featureIndexPerCaption));
            steps = Math.Max(steps, captions[m].Length - 1);
        }

        // Time-major token layout (T, M): step t's inputs and targets are contiguous rows.
        var inputs = new int[steps * count];
        var targets = new int[steps * count];
        var active = new int[steps];                                   // captions still running at step t
        int tokens = 0;
        for (int t = 0; t < steps; t++)
            for (int m = 0; m < count; m++)
            {
                var caption = captions[m];
                bool live = t < caption.Length - 1;
                inputs[t * count + m] = live ? caption[t] : config.PadId;
                targets[t * count + m] = live ? caption[t + 1] : config.PadId;
                if (live) { active[t]++; if (caption[t + 1] != config.PadId) tokens++; }
            }

        var (hidden, cell) = InitialState(Tensor.Mean(features, 1), featureIndexPerCaption);     // (M, H) each
        var embedded = Embedding.Forward(inputs, [steps * count]);                               // (T·M, E)
        var states = new List<Tensor>(steps);
        Tensor? alphaSum = null;                                                                 // (M, R)
        if (Attention is { } attention)
        {
            var projected = Tensor.IndexSelect(attention.ProjectFeatures(features), 0, featureIndexPerCaption);  // (M, R, A)
            var captionFeatures = Tensor.IndexSelect(features, 0, featureIndexPerCaption);                     // (M, R, F)
            // W_ih·[w; βz] = W_word·w + W_context·(βz): the word half of every step's input gates is one
            // (T·M, E)×(E, 4H) GEMM; only the context half stays in the loop (no per-step concat).
            int embed = config.EmbeddingDim;
            var wordGates = Functional.Linear(embedded, Lstm.WeightIh.Narrow(1, 0, embed), Lstm.BiasIh);          // (T·M, 4H)
            var contextWeight = Lstm.WeightIh.Narrow(1, embed, FeatureSize);                                       // (4H, F)
            for (int t = 0; t < steps; t++)
            {
                var (context, alpha) = FusedAttentionStep.Attend(attention, projected, captionFeatures, hidden);   // (M, F), (M, R)
                var gated = Tensor.Sigmoid(Gate!.Forward(hidden)) * context;                     // (M, F)
                var inputGates = wordGates.Narrow(0, t * count, count) + Tensor.MatMul(gated, contextWeight, transposeB: true);  // (M, 4H)
                (hidden, cell) = FusedLstmCell.Forward(inputGates, hidden, cell, Lstm.WeightHh, Lstm.BiasHh);
                states.Add(hidden);
                // Finished captions must not add attention mass, as in the paper's Σ over a caption's own steps.
                if (active[t] < count) alpha = alpha * StepMask(captions, t);
                alphaSum = alphaSum is null ? alpha : alphaSum + alpha;
            }
        }
        else
        {
            // Without attention the LSTM input depends only on the words: one GEMM for every step's input gates.
            var inputGates = Functional.Linear(embedded, Lstm.WeightIh, Lstm.BiasIh);            // (T·M, 4H)
            for (int t = 0; t < steps; t++)
            {
                (hidden, cell) = FusedLstmCell.Forward(inputGates.Narrow(0, t * count, count), hidden, cell, Lstm.WeightHh, Lstm.BiasHh);
                states.Add(hidden);
            }
        }

        var stacked = Tensor.Stack(states, 0).Reshape(steps * count, config.HiddenSize);        // (T·M, H)
        stacked = Functional.Dropout(stacked, config.Dropout, generator, IsTraining);
        var logits = Output.Forward(stacked);                                                   // (T·M, V)
        var crossEntropy = Functional.CrossEntropy(logits, targets, new CrossEntropyOptions { IgnoreIndex = config.PadId });
        if (alphaSum is null || config.DoublyStochasticLambda == 0f)
            return new CaptionLoss(crossEntropy, crossEntropy.Item(), 0.0, tokens);
        var deficit = 1f - alphaSum;                                                            // (M, R)
        var penalty = Tensor.SumAll(Tensor.Square(deficit)) * (config.DoublyStochasticLambda / count);
        var loss = crossEntropy + penalty;
        return new CaptionLoss(loss, crossEntropy.Item(), penalty.Item(), tokens);
    }

    /// <summary>(M, 1) constant: 1 for captions still running at step <paramref name="t"/>, 0 for finished ones.</summary>
    private static Tensor StepMask(int[][] captions, int t)
    {
        var mask = new float[captions.Length];
        for (int m = 0; m < captions.Length; m++) mask[m] = t < captions[m].Length - 1 ? 1f : 0f;
        return Tensor.FromArray(mask, captions.Length, 1);
    }

    /// <summary>h_0 = tanh(W_h·ā + b_h), c_0 = tanh(W_c·ā + b_c) from per-image means (N, F), gathered per row.</summary>
    private (Tensor Hidden, Tensor Cell) InitialState(Tensor meanFeatures, int[] rowImage)
    {
        var mean = Tensor.IndexSelect(meanFeatures, 0, rowImage);                               // (K, F)
        return (Tensor.Tanh(InitHidden.Forward(mean)), Tensor.Tanh(InitCell.Forward(mean)));
    }

    // ---- inference path (used by CaptionDecoding under NoGrad; no dropout, no mutable state) ----

    /// <summary>Per-row decoding inputs: features and their attention projection gathered per row, and the initial state.</summary>
    internal DecoderState Begin(Tensor features, int[] rowImage)
    {
        CheckFeatures(features, "caption_generate");
        var (hidden, cell) = InitialState(Tensor.Mean(features, 1), rowImage);                 // (K, H)
        if (Attention is null) return new DecoderState(null, null, hidden, cell);
        var projected = Tensor.IndexSelect(Attention.ProjectFeatures(features), 0, rowImage);  // (K, R, A)
        return new DecoderState(Tensor.IndexSelect(features, 0, rowImage), projected, hidden, cell);
    }

    /// <summary>One decoding step for K rows fed <paramref name="previous"/> tokens: log-probabilities (K, V), new state, α (K, R) or null.</summary>
    internal (Tensor LogProbs, Tensor Hidden, Tensor Cell, Tensor? Alpha) Step(int[] previous, DecoderState state)
    {
        var embedded = Embedding.Forward(previous);                                             // (K, E)
        Tensor x = embedded;
        Tensor? alpha = null;
        if (Attention is { } attention)
        {
            var (context, weights) = FusedAttentionStep.Attend(attention, state.Projected!, state.Features!, state.Hidden);
            x = Tensor.Concat([embedded, Tensor.Sigmoid(Gate!.Forward(state.Hidden)) * context], 1);  // (K, E + F)
            alpha = weights;
        }
        var (hidden, cell) = Lstm.Forward(x, (state.Hidden, state.Cell));
        var logProbs = Tensor.LogSoftmax(Output.Forward(hidden), 1);                           // (K, V)
        return (logProbs, hidden, cell, alpha);
    }

    private void CheckFeatures(Tensor features, string op)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Rank != 3 || features.Size(2) != FeatureSize || features.Size(0) < 1 || features.Size(1) < 1)
            throw new ShapeMismatchException(op, $"features {TensorShape.Format(features.Shape)} are not (N, R, {FeatureSize})");
    }
}

/// <summary>Decoding state of K rows: gathered features (K, R, F) and projection (K, R, A) (null in baseline mode), h and c (K, H).</summary>
internal sealed record DecoderState(Tensor? Features, Tensor? Projected, Tensor Hidden, Tensor Cell);
