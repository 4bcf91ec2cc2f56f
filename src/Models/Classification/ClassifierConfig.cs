// Immutable, validated configuration of a text classifier; saved as config.json beside the weights so a
// model can be rebuilt from its checkpoint directory alone (Checkpoint.Save / LoadConfig).
// Defaults follow Kim (2014) for the TextCNN (widths 3, 4, 5 × 100 maps, dropout 0.5, max-norm 3 on the
// output layer) and common practice for the BiRNN (128 hidden units per direction).
// Shape key used by the models: B = batch, T = time, E = embedding dim, C = feature maps per width,
// H = hidden units per direction, K = classes.
using System.Text.Json.Serialization;

namespace Pipeline.Models.Classification;

/// <summary>Architecture and hyper-parameters of a <see cref="TextClassifierModel"/>.</summary>
/// <param name="Architecture">TextCNN or BiRNN.</param>
/// <param name="VocabularySize">Rows V of the embedding table (including the padding id).</param>
/// <param name="NumClasses">Output classes K (at least 2).</param>
public sealed record ClassifierConfig(ClassifierArchitecture Architecture, int VocabularySize, int NumClasses)
{
    /// <summary>Default embedding dimension E.</summary>
    public const int DefaultEmbeddingDim = 128;
    /// <summary>Default dropout probability before the output layer (Kim 2014).</summary>
    public const float DefaultDropout = 0.5f;
    /// <summary>Default feature maps per filter width (Kim 2014).</summary>
    public const int DefaultFeatureMaps = 100;
    /// <summary>Default L2 bound on each output-layer weight row (Kim 2014).</summary>
    public const float DefaultMaxNorm = 3f;
    /// <summary>Default hidden units per direction of the BiRNN.</summary>
    public const int DefaultHiddenSize = 128;
    /// <summary>Default half-width a of the U(−a, a) initialisation of random word vectors (Kim 2014).</summary>
    public const float DefaultEmbeddingInitRange = 0.25f;

    /// <summary>Embedding dimension E (default 128).</summary>
    public int EmbeddingDim { get; init; } = DefaultEmbeddingDim;

    /// <summary>Random, static, non-static or multichannel word vectors (default random).</summary>
    public EmbeddingMode EmbeddingMode { get; init; } = EmbeddingMode.Rand;

    /// <summary>Dropout probability on the pooled sentence vector (default 0.5); also between stacked RNN layers.</summary>
    public float Dropout { get; init; } = DefaultDropout;

    /// <summary>Token id used for padding: its embedding row is zero and never trained (default 0).</summary>
    public int PaddingId { get; init; }

    /// <summary>Token id of unknown words (default 1, <c>Vocabulary.UnknownId</c>): what word dropout replaces tokens with.</summary>
    public int UnknownId { get; init; } = 1;

    /// <summary>
    /// Random word vectors start from U(−a, a) with this a (default 0.25: Kim 2014 matched the variance of word2vec
    /// vectors); 0 keeps the N(0, 1) of <c>Embedding</c>. Only initialisation: pre-trained vectors overwrite it.
    /// </summary>
    public float EmbeddingInitRange { get; init; } = DefaultEmbeddingInitRange;

    /// <summary>
    /// Word dropout: during training each real token is replaced by <see cref="UnknownId"/> with this probability
    /// (default 0), so the model cannot lean on single words and the unknown-word vector learns from varied contexts.
    /// </summary>
    public float WordDropout { get; init; }

    // ---- TextCNN ----

    /// <summary>TextCNN filter widths in tokens (default 3, 4, 5).</summary>
    public int[] FilterWidths { get; init; } = [3, 4, 5];

    /// <summary>TextCNN feature maps C per filter width (default 100).</summary>
    public int FeatureMaps { get; init; } = DefaultFeatureMaps;

    /// <summary>TextCNN pooling over time (default max).</summary>
    public CnnPooling CnnPooling { get; init; } = CnnPooling.Max;

    /// <summary>k of k-max pooling (used with <see cref="CnnPooling.KMax"/>; default 2).</summary>
    public int KMax { get; init; } = 2;

    /// <summary>L2 bound s on each output-layer weight row, enforced by ApplyConstraints (TextCNN; null disables; default 3).</summary>
    public float? MaxNorm { get; init; } = DefaultMaxNorm;

    // ---- BiRNN ----

    /// <summary>BiRNN cell (default LSTM).</summary>
    public RnnCellType RnnCell { get; init; } = RnnCellType.Lstm;

    /// <summary>BiRNN stacked layers, 1 or 2 (default 1).</summary>
    public int RnnLayers { get; init; } = 1;

    /// <summary>BiRNN hidden units H per direction (default 128); the sentence vector has 2·H entries.</summary>
    public int HiddenSize { get; init; } = DefaultHiddenSize;

    /// <summary>BiRNN pooling over time (default attention).</summary>
    public RnnPooling RnnPooling { get; init; } = RnnPooling.Attention;

    /// <summary>Size A of the attention pooling's hidden layer (default 128).</summary>
    public int AttentionSize { get; init; } = 128;

    // ---- NB-weighted n-gram branch (Wang & Manning 2012) ----

    /// <summary>Longest n-gram of the NB branch, 1..3 (default 0 = no branch).</summary>
    public int NgramOrder { get; init; }

    /// <summary>Number G of n-grams in the branch's table (fitted on the training set; needed when NgramOrder &gt; 0).</summary>
    public int NgramFeatures { get; init; }

    /// <summary>β: every n-gram's NB log-count ratio starts with this weight (default 0.3).</summary>
    public float NgramScale { get; init; } = 0.3f;

    /// <summary>Training-time drop probability of each present n-gram (default 0.5).</summary>
    public float NgramDropout { get; init; } = 0.5f;

    /// <summary>
    /// How the branch's sum over a text's n-grams is normalised by their number (NaiveBayesNgrams.cs). Default
    /// <see cref="NgramNormalization.None"/>, the plain sum, which is also what a config.json without this field means:
    /// the models saved before the setting existed. New models get the trainer's default (ClassifierTrainingOptions).
    /// </summary>
    public NgramNormalization NgramNormalization { get; init; } = NgramNormalization.None;

    // ---- loss ----

    /// <summary>Optional per-class loss weights (K entries, each &gt; 0), e.g. inverse class frequencies.</summary>
    public float[]? ClassWeights { get; init; }

    /// <summary>Width of the widest TextCNN filter: the shortest input the convolutions need (shorter ones are padded).</summary>
    [JsonIgnore]
    public int MaxFilterWidth => FilterWidths.Length == 0 ? 1 : FilterWidths.Max();

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting; returns this config.</summary>
    public ClassifierConfig Validate()
    {
        static void Fail(string name, object? value, string expected) =>
            throw new ArgumentException($"classifier config: {name} = {value} is invalid; expected {expected}.", name);

        if (!Enum.IsDefined(Architecture)) Fail(nameof(Architecture), Architecture, "TextCnn or BiRnn");
        if (!Enum.IsDefined(EmbeddingMode)) Fail(nameof(EmbeddingMode), EmbeddingMode, "Rand, Static, NonStatic or Multichannel");
        if (VocabularySize < 2) Fail(nameof(VocabularySize), VocabularySize, "at least 2 (padding plus one token)");
        if (NumClasses < 2) Fail(nameof(NumClasses), NumClasses, "at least 2");
        if (EmbeddingDim < 1) Fail(nameof(EmbeddingDim), EmbeddingDim, "at least 1");
        if (!(Dropout >= 0f && Dropout < 1f)) Fail(nameof(Dropout), Dropout, "a probability in [0, 1)");
        if (PaddingId < 0 || PaddingId >= VocabularySize) Fail(nameof(PaddingId), PaddingId, $"an id in [0, {VocabularySize})");
        if (UnknownId < 0 || UnknownId >= VocabularySize) Fail(nameof(UnknownId), UnknownId, $"an id in [0, {VocabularySize})");
        if (!(EmbeddingInitRange >= 0f && float.IsFinite(EmbeddingInitRange))) Fail(nameof(EmbeddingInitRange), EmbeddingInitRange, "a finite value ≥ 0");
        if (!(WordDropout >= 0f && WordDropout < 1f)) Fail(nameof(WordDropout), WordDropout, "a probability in [0, 1)");
        if (NgramOrder is < 0 or > 3) Fail(nameof(NgramOrder), NgramOrder, "0 (no n-gram branch) to 3");
        if (NgramOrder > 0 && NgramFeatures < 1) Fail(nameof(NgramFeatures), NgramFeatures, "at least 1 when NgramOrder > 0");
        if (NgramOrder > 0 && VocabularySize - 1 > NaiveBayesNgrams.MaxTokenId) Fail(nameof(VocabularySize), VocabularySize, $"at most {NaiveBayesNgrams.MaxTokenId + 1} with an n-gram branch");
        if (!(NgramScale >= 0f && float.IsFinite(NgramScale))) Fail(nameof(NgramScale), NgramScale, "a finite value ≥ 0");
        if (!(NgramDropout >= 0f && NgramDropout < 1f)) Fail(nameof(NgramDropout), NgramDropout, "a probability in [0, 1)");
        if (!Enum.IsDefined(NgramNormalization)) Fail(nameof(NgramNormalization), NgramNormalization, "None, L2 or L1");
        if (ClassWeights is { } w)
        {
            if (w.Length != NumClasses) Fail(nameof(ClassWeights), $"{w.Length} weights", $"{NumClasses} weights (one per class)");
            foreach (var x in w)
                if (!(x > 0f) || !float.IsFinite(x)) Fail(nameof(ClassWeights), x, "finite weights > 0");
        }
        if (Architecture == ClassifierArchitecture.TextCnn)
        {
            if (FilterWidths is null || FilterWidths.Length == 0) Fail(nameof(FilterWidths), "[]", "at least one width");
            foreach (var width in FilterWidths!)
                if (width < 1) Fail(nameof(FilterWidths), width, "widths ≥ 1");
            if (FeatureMaps < 1) Fail(nameof(FeatureMaps), FeatureMaps, "at least 1");
            if (!Enum.IsDefined(CnnPooling)) Fail(nameof(CnnPooling), CnnPooling, "Max or KMax");
            if (CnnPooling == CnnPooling.KMax && KMax < 1) Fail(nameof(KMax), KMax, "at least 1");
            if (MaxNorm is { } s && !(s > 0f && float.IsFinite(s))) Fail(nameof(MaxNorm), s, "a finite bound > 0, or null for none");
        }
        else
        {
            if (!Enum.IsDefined(RnnCell)) Fail(nameof(RnnCell), RnnCell, "Lstm or Gru");
            if (RnnLayers is < 1 or > 2) Fail(nameof(RnnLayers), RnnLayers, "1 or 2");
            if (HiddenSize < 1) Fail(nameof(HiddenSize), HiddenSize, "at least 1");
            if (!Enum.IsDefined(RnnPooling)) Fail(nameof(RnnPooling), RnnPooling, "Last, Mean, Max or Attention");
            if (RnnPooling == RnnPooling.Attention && AttentionSize < 1) Fail(nameof(AttentionSize), AttentionSize, "at least 1");
        }
        return this;
    }
}
