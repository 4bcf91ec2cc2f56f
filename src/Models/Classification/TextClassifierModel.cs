// Common base of the text classifiers: token ids of a padded batch → class logits (B, K).
// It owns what both architectures share: the word-vector table(s) for the four embedding modes of
// Kim (2014, §3.1) with their U(−a, a) initialisation, word dropout (training tokens → <unk>), the optional
// NB-weighted n-gram branch whose logits are added to the network's (NaiveBayesNgrams.cs), input validation
// and length masking of the ids, the (class-weighted) cross-entropy loss, pre-trained vector loading and a
// thread-safe probability helper for inference.
//
// Masking: every id at or beyond its sequence's length is replaced by the padding id, whose embedding row
// is zero and never trained, before the lookup. Whatever a caller leaves in the padding (pad tokens or
// garbage), the network therefore sees the same input, and the architectures only pool over valid steps.
// Multichannel: Kim applies each filter to both channels and adds the results; every first layer here is
// linear in its input (convolution, RNN input projection), so this equals applying it once to the sum of
// the two channels' vectors, which is what is computed.
//
// Thread safety: in eval mode (Eval()) Forward and PredictProbabilities only read the parameters; the
// tensor scope and grad mode are per-thread, so several threads may run inference on one model at once.
// Training (Train() mode, Backward, optimizer steps) must stay on one thread.
// Shape key: B = batch, T = time (padded length), E = embedding dim, K = classes.
using Pipeline.Models.Autograd;
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Classification;

/// <summary>A text classifier over padded batches of token ids; build one with <see cref="Create"/>.</summary>
public abstract class TextClassifierModel : Module
{
    private readonly CrossEntropyOptions lossOptions;

    /// <summary>Builds the embedding table(s) for <paramref name="config"/>'s mode; called by the architectures.</summary>
    private protected TextClassifierModel(ClassifierConfig config, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(generator);
        Config = config.Validate();
        DropoutGenerator = generator;
        lossOptions = new CrossEntropyOptions { ClassWeights = config.ClassWeights?.ToArray() };
        Embedding = RegisterModule("embedding", new Embedding(config.VocabularySize, config.EmbeddingDim, generator, config.PaddingId));
        if (config.EmbeddingInitRange > 0f)
        {
            // Kim (2014): random vectors U(−a, a); N(0, 1) rows would dwarf every Adam step for many epochs.
            float a = config.EmbeddingInitRange;
            var w = Embedding.Weight.Data;
            for (int i = 0; i < w.Length; i++) w[i] = (2f * generator.NextFloat() - 1f) * a;
            w.Slice(config.PaddingId * config.EmbeddingDim, config.EmbeddingDim).Clear();
        }
        if (config.NgramOrder > 0)
            Ngrams = RegisterModule("ngram", new NaiveBayesNgrams(config.NgramFeatures, config.NgramOrder, config.NumClasses, config.NgramScale, config.NgramDropout, config.NgramNormalization));
        switch (config.EmbeddingMode)
        {
            case EmbeddingMode.Static:
                Embedding.Freeze();
                break;
            case EmbeddingMode.Multichannel:
                // The frozen channel starts as a copy of the tuned one (LoadPretrained later fills both).
                StaticEmbedding = RegisterModule("embedding_static", new Embedding(config.VocabularySize, config.EmbeddingDim, generator, config.PaddingId));
                Embedding.Weight.Data.CopyTo(StaticEmbedding.Weight.Data);
                StaticEmbedding.Freeze();
                break;
        }
    }

    /// <summary>Draws the dropout masks (and dropped words) during training; the generator that initialised the model.</summary>
    private protected Generator DropoutGenerator { get; }

    /// <summary>The NB-weighted n-gram branch (Wang &amp; Manning 2012), or null when <see cref="ClassifierConfig.NgramOrder"/> is 0.</summary>
    public NaiveBayesNgrams? Ngrams { get; }

    /// <summary>The validated configuration this model was built from.</summary>
    public ClassifierConfig Config { get; }

    /// <summary>The main word-vector table (V, E): trained unless the mode is <see cref="EmbeddingMode.Static"/>.</summary>
    public Embedding Embedding { get; }

    /// <summary>The frozen second channel (V, E) of <see cref="EmbeddingMode.Multichannel"/>; null in the other modes.</summary>
    public Embedding? StaticEmbedding { get; }

    /// <summary>Every word-vector table: one, or two in multichannel mode (tuned first).</summary>
    public IReadOnlyList<Embedding> Embeddings => StaticEmbedding is null ? [Embedding] : [Embedding, StaticEmbedding];

    /// <summary>Number of classes K.</summary>
    public int NumClasses => Config.NumClasses;

    /// <summary>Builds the architecture named by <paramref name="config"/>, initialised from <paramref name="generator"/>,
    /// which also draws the dropout masks during training.</summary>
    public static TextClassifierModel Create(ClassifierConfig config, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Validate().Architecture switch
        {
            ClassifierArchitecture.TextCnn => new TextCnnClassifier(config, generator),
            ClassifierArchitecture.BiRnn => new BiRnnClassifier(config, generator),
            _ => throw new ArgumentException($"classifier config: unknown architecture {config.Architecture}.", nameof(config)),
        };
    }

    /// <summary>
    /// Logits (B, K) of a batch: the network's plus the n-gram branch's. <paramref name="tokenIds"/> holds B rows of
    /// <paramref name="length"/> ids, row-major (B·T), padded with the padding id; <paramref name="lengths"/> (B) gives
    /// each row's number of real tokens (0..T). Ids past a row's length are ignored, so their values do not matter.
    /// <paramref name="targets"/> (B), the classes of training texts, matter only in training mode with an n-gram
    /// branch: each text then sees the leave-one-out NB ratios of its own text (see <see cref="NaiveBayesNgrams"/>).
    /// <paramref name="ngramRows"/> (B rows), when given, is what the n-gram branch reads instead of the network's ids:
    /// the texts up to the longer n-gram length (ClassifierPreprocessing), while the network reads the first T tokens.
    /// </summary>
    public Tensor Forward(int[] tokenIds, int batchSize, int length, int[] lengths, int[]? targets = null, TokenRows? ngramRows = null) =>
        ForwardParts(tokenIds, batchSize, length, lengths, targets, ngramRows).Logits();

    /// <summary>Like <see cref="Forward"/>, with the network's and the n-gram branch's logits kept apart.</summary>
    public abstract ClassifierLogits ForwardParts(int[] tokenIds, int batchSize, int length, int[] lengths, int[]? targets = null, TokenRows? ngramRows = null);

    /// <summary>Mean cross-entropy of <paramref name="logits"/> (B, K) against class indices, weighted by
    /// <see cref="ClassifierConfig.ClassWeights"/> when set: Σ_b w[y_b]·(−log p_b[y_b]) / Σ_b w[y_b].</summary>
    public Tensor Loss(Tensor logits, int[] targets) => Functional.CrossEntropy(logits, targets, lossOptions);

    /// <summary>
    /// What training minimises for a batch with classes <paramref name="targets"/>: the loss of the summed logits, plus,
    /// with an n-gram branch, <paramref name="networkLossWeight"/> λ times the loss of the network's logits alone. Without
    /// that second term a branch that already fits the training texts (NB n-grams on e-mails: leave-one-out training
    /// accuracy 98 %) leaves the network almost no gradient, and the sum stays near the branch's accuracy.
    /// <c>Loss</c> is the first term, for reporting.
    /// </summary>
    public (Tensor Objective, Tensor Loss) TrainingLoss(int[] tokenIds, int batchSize, int length, int[] lengths, int[] targets, float networkLossWeight = 0f,
        TokenRows? ngramRows = null)
    {
        if (!(networkLossWeight >= 0f && float.IsFinite(networkLossWeight)))
            throw new ArgumentOutOfRangeException(nameof(networkLossWeight), networkLossWeight, "the network's loss weight must be finite and ≥ 0.");
        var parts = ForwardParts(tokenIds, batchSize, length, lengths, targets, ngramRows);
        var loss = Loss(parts.Logits(), targets);
        return parts.Ngram is null || networkLossWeight == 0f ? (loss, loss) : (loss + Loss(parts.Network, targets) * networkLossWeight, loss);
    }

    /// <summary>Enforces weight constraints after an optimizer step (TextCNN: max-norm of the output rows). No-op by default.</summary>
    public virtual void ApplyConstraints() { }

    /// <summary>
    /// Copies a pre-trained matrix (<paramref name="rows"/> × <paramref name="dims"/>, row-major, row i = vector of
    /// token id i) into every embedding table. The padding row is set to zero so padding stays neutral.
    /// </summary>
    public void LoadPretrained(float[] matrix, int rows, int dims)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (rows != Config.VocabularySize || dims != Config.EmbeddingDim)
            throw new ArgumentException($"pre-trained matrix is {rows} × {dims}, but the model's embedding is {Config.VocabularySize} × {Config.EmbeddingDim} (vocabulary × dim).", nameof(matrix));
        if (matrix.Length != rows * dims)
            throw new ArgumentException($"pre-trained matrix has {matrix.Length} values, expected {rows} × {dims} = {rows * dims}.", nameof(matrix));
        using var _ = GradMode.NoGrad();
        foreach (var table in Embeddings)
        {
            var w = table.Weight.Data;
            matrix.AsSpan().CopyTo(w);
            w.Slice(Config.PaddingId * dims, dims).Clear();
        }
    }

    /// <summary>
    /// Class probabilities (B·K, row-major) without building a graph; a plain array that outlives every tensor scope.
    /// Call <see cref="Module.Eval"/> first; in eval mode this is safe to call from several threads at once.
    /// </summary>
    public float[] PredictProbabilities(int[] tokenIds, int batchSize, int length, int[] lengths, TokenRows? ngramRows = null)
    {
        using var scope = new TensorScope();
        using var _ = GradMode.NoGrad();
        var probabilities = Tensor.Softmax(Forward(tokenIds, batchSize, length, lengths, ngramRows: ngramRows), 1);   // (B, K)
        return probabilities.ToArray();
    }

    /// <summary>
    /// Validates a batch and returns its ids laid out (B, <paramref name="paddedLength"/>) with every position at or
    /// past its row's length set to the padding id (paddedLength ≥ <paramref name="length"/>).
    /// </summary>
    private protected int[] MaskIds(int[] tokenIds, int batchSize, int length, int[] lengths, int paddedLength)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        ArgumentNullException.ThrowIfNull(lengths);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "classifier: the batch needs at least one sequence.");
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "classifier: the padded length must be ≥ 0.");
        if (tokenIds.Length != batchSize * length)
            throw new ArgumentException($"classifier: {tokenIds.Length} token ids do not fill {batchSize} rows of length {length}.", nameof(tokenIds));
        if (lengths.Length != batchSize)
            throw new ArgumentException($"classifier: {lengths.Length} lengths for a batch of {batchSize}.", nameof(lengths));
        int vocabulary = Config.VocabularySize, pad = Config.PaddingId;
        var ids = new int[batchSize * paddedLength];
        for (int b = 0; b < batchSize; b++)
        {
            int len = lengths[b];
            if (len < 0 || len > length)
                throw new ArgumentOutOfRangeException(nameof(lengths), len, $"classifier: length of row {b} must be in [0, {length}].");
            var row = ids.AsSpan(b * paddedLength, paddedLength);
            for (int t = 0; t < len; t++)
            {
                int id = tokenIds[b * length + t];
                if ((uint)id >= (uint)vocabulary)
                    throw new ArgumentOutOfRangeException(nameof(tokenIds), id, $"classifier: token id at row {b}, position {t} is outside the vocabulary [0, {vocabulary}).");
                row[t] = id;
            }
            row[len..].Fill(pad);
        }
        return ids;
    }

    /// <summary>
    /// Word vectors (B, T, E) of masked ids laid out (B, T); the two channels are summed in multichannel mode. In
    /// training mode each real token is first replaced by the unknown id with probability
    /// <see cref="ClassifierConfig.WordDropout"/> (on a copy: the n-gram branch sees the words as they are).
    /// </summary>
    private protected Tensor Embed(int[] maskedIds, int batchSize, int paddedLength, int[] lengths)
    {
        int[] shape = [batchSize, paddedLength];
        var ids = maskedIds;
        if (IsTraining && Config.WordDropout > 0f)
        {
            ids = (int[])maskedIds.Clone();
            float p = Config.WordDropout;
            int unknown = Config.UnknownId;
            for (int b = 0; b < batchSize; b++)
                for (int t = 0, len = lengths[b]; t < len; t++)
                    if (DropoutGenerator.NextFloat() < p) ids[b * paddedLength + t] = unknown;
        }
        var vectors = Embedding.Forward(ids, shape);                                   // (B, T, E)
        return StaticEmbedding is null ? vectors : vectors + StaticEmbedding.Forward(ids, shape);
    }

    /// <summary>
    /// The network's <paramref name="logits"/> (B, K) with the n-gram branch's, when the model has one: of
    /// <paramref name="ngramRows"/> when given, else of the network's own (masked) ids.
    /// </summary>
    private protected ClassifierLogits WithNgramLogits(Tensor logits, int[] maskedIds, int batchSize, int paddedLength, int[] lengths, int[]? targets, TokenRows? ngramRows)
    {
        if (Ngrams is null) return new(logits, null);
        if (ngramRows is not null && ngramRows.Count != batchSize)
            throw new ArgumentException($"classifier: {ngramRows.Count} n-gram rows for a batch of {batchSize}.", nameof(ngramRows));
        var rows = ngramRows ?? TokenRows.FromPadded(maskedIds, batchSize, paddedLength, lengths);
        return new(logits, Ngrams.Forward(rows, DropoutGenerator, targets));
    }
}

/// <summary>The two parts of a classifier's logits, each (B, K).</summary>
/// <param name="Network">The network's logits (TextCNN or BiRNN).</param>
/// <param name="Ngram">The NB n-gram branch's logits, or null when the model has no branch.</param>
public readonly record struct ClassifierLogits(Tensor Network, Tensor? Ngram)
{
    /// <summary>The classifier's logits: Network + Ngram.</summary>
    public Tensor Logits() => Ngram is null ? Network : Network + Ngram;
}
