// Hyper-parameters of one classifier training run, as one immutable record: what the CLI parses into
// and what the training task and the experiment runner read. The defaults were chosen on SST-2 dev (3 seeds
// each, docs/CLASSIFICATION.md, "Defaults and ablation") for both architectures and kept free of anything
// dataset-specific: Kim (2014)'s TextCNN (widths 3/4/5 × 100 maps, dropout 0.5 on the penultimate layer,
// max-norm 3, batch 50, U(±0.25) random word vectors), word dropout 0.1, Adam 1e-3 halved after every epoch
// without validation improvement, early stopping (ClassifierTrainingRequest), and the NB-weighted bigram
// branch of Wang & Manning (2012) with leave-one-out training ratios; the BiRNN is a one-layer BiLSTM (128
// per direction) with attention pooling.
using Pipeline.Models.Classification;

namespace Pipeline.Classification;

/// <summary>The optimizer of a classifier training run.</summary>
public enum ClassifierOptimizer
{
    /// <summary>Adam (Kingma &amp; Ba 2015); learning rate 1e-3 by default.</summary>
    Adam,

    /// <summary>Adadelta (Zeiler 2012) with ρ = 0.95, ε = 1e-6, as Kim (2014); learning rate 1.</summary>
    Adadelta,
}

/// <summary>Model and optimisation settings of a classifier training run.</summary>
/// <param name="Architecture">TextCNN or BiRNN.</param>
/// <param name="Embedding">rand / static / non-static / multichannel (pre-trained modes need vectors).</param>
/// <param name="EmbeddingDim">Embedding width (ignored when vectors are given: their dimension wins).</param>
/// <param name="Cell">BiRNN cell.</param>
/// <param name="Pooling">BiRNN pooling over time.</param>
/// <param name="CnnPooling">TextCNN pooling over time (max or k-max).</param>
/// <param name="HiddenSize">BiRNN hidden size per direction.</param>
/// <param name="Layers">BiRNN stacked layers.</param>
/// <param name="FilterWidths">TextCNN filter widths.</param>
/// <param name="FeatureMaps">TextCNN feature maps per width.</param>
/// <param name="MaxNorm">TextCNN max-norm bound of the output weights.</param>
/// <param name="Dropout">Dropout before the output layer.</param>
/// <param name="BatchSize">Examples per batch.</param>
/// <param name="LearningRate">Learning rate of the optimizer.</param>
/// <param name="Metric">Validation metric for model selection and early stopping.</param>
/// <param name="BalanceClasses">Weight the loss by inverse class frequency.</param>
/// <param name="WordDropout">Probability of replacing a training token by &lt;unk&gt; (word dropout).</param>
/// <param name="NgramOrder">Longest n-gram of the NB-weighted n-gram branch (0 = none).</param>
/// <param name="NgramScale">Initial weight β of every n-gram's NB log-count ratio.</param>
/// <param name="NgramDropout">Training-time drop probability of each present n-gram.</param>
/// <param name="NgramMinCount">Keep n-grams that occur in at least this many training texts.</param>
/// <param name="NgramNormalization">How the n-gram branch's sum is normalised by the number of n-grams in the text.</param>
/// <param name="NetworkLossWeight">With an n-gram branch, the weight λ of the network's own loss added to the training objective (0 = none).</param>
/// <param name="Optimizer">Adam or Adadelta.</param>
/// <param name="EmbeddingInitRange">Random word vectors start from U(−a, a) with this a (0 = N(0, 1)).</param>
/// <param name="LearningRateDecay">Factor the learning rate is multiplied by after an epoch without validation improvement (1 = constant).</param>
public sealed record ClassifierTrainingOptions(
    ClassifierArchitecture Architecture = ClassifierArchitecture.TextCnn,
    EmbeddingMode Embedding = EmbeddingMode.Rand,
    int EmbeddingDim = 128,
    RnnCellType Cell = RnnCellType.Lstm,
    RnnPooling Pooling = RnnPooling.Attention,
    CnnPooling CnnPooling = CnnPooling.Max,
    int HiddenSize = 128,
    int Layers = 1,
    int[]? FilterWidths = null,
    int FeatureMaps = 100,
    float MaxNorm = 3f,
    float Dropout = 0.5f,
    int BatchSize = 50,
    double LearningRate = 1e-3,
    ClassificationMetric Metric = ClassificationMetric.Accuracy,
    bool BalanceClasses = false,
    float WordDropout = 0.1f,
    double LearningRateDecay = 0.5,
    int NgramOrder = 2,
    float NgramScale = 0.3f,
    float NgramDropout = 0.5f,
    int NgramMinCount = 1,
    NgramNormalization NgramNormalization = NgramNormalization.None,
    float NetworkLossWeight = 0f,
    ClassifierOptimizer Optimizer = ClassifierOptimizer.Adam,
    float EmbeddingInitRange = ClassifierConfig.DefaultEmbeddingInitRange)
{
    /// <summary>TextCNN filter widths actually used (3, 4, 5 by default).</summary>
    public int[] EffectiveFilterWidths => FilterWidths ?? [3, 4, 5];

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (EmbeddingDim < 1) throw new ArgumentOutOfRangeException(nameof(EmbeddingDim), EmbeddingDim, "must be at least 1");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "must be at least 1");
        if (LearningRate <= 0) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "must be positive");
        if (Dropout is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "must be in [0, 1)");
        if (NgramMinCount < 1) throw new ArgumentOutOfRangeException(nameof(NgramMinCount), NgramMinCount, "must be at least 1");
        if (!(NetworkLossWeight >= 0 && float.IsFinite(NetworkLossWeight))) throw new ArgumentOutOfRangeException(nameof(NetworkLossWeight), NetworkLossWeight, "must be finite and >= 0");
        if (NgramOrder is < 0 or > 3) throw new ArgumentOutOfRangeException(nameof(NgramOrder), NgramOrder, "must be 0 (no n-gram branch) to 3");
        if (!(EmbeddingInitRange >= 0 && float.IsFinite(EmbeddingInitRange))) throw new ArgumentOutOfRangeException(nameof(EmbeddingInitRange), EmbeddingInitRange, "must be finite and >= 0");
        if (WordDropout is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(WordDropout), WordDropout, "must be in [0, 1)");
        if (!(LearningRateDecay > 0 && LearningRateDecay <= 1)) throw new ArgumentOutOfRangeException(nameof(LearningRateDecay), LearningRateDecay, "must be in (0, 1] (1 = constant learning rate)");
        if (HiddenSize < 1 || Layers < 1) throw new ArgumentOutOfRangeException(nameof(HiddenSize), "hidden size and layers must be at least 1");
        if (EffectiveFilterWidths.Length == 0 || EffectiveFilterWidths.Any(w => w < 1)) throw new ArgumentOutOfRangeException(nameof(FilterWidths), "filter widths must be positive");
    }

    /// <summary>Whether the embedding mode starts from pre-trained vectors.</summary>
    public bool NeedsVectors => Embedding != EmbeddingMode.Rand;

    /// <summary>Shortest padded batch the model accepts (TextCNN: its widest filter).</summary>
    public int MinimumLength => Architecture == ClassifierArchitecture.TextCnn ? EffectiveFilterWidths.Max() : 1;

    /// <summary>
    /// The model configuration for a vocabulary of <paramref name="vocabularySize"/> ids, <paramref name="classCount"/>
    /// classes and embeddings of width <paramref name="embeddingDim"/>.
    /// </summary>
    public ClassifierConfig ToModelConfig(int vocabularySize, int embeddingDim, int classCount, float[]? classWeights, int ngramFeatures = 0) =>
        new ClassifierConfig(Architecture, vocabularySize, classCount)
        {
            EmbeddingDim = embeddingDim,
            EmbeddingMode = Embedding,
            Dropout = Dropout,
            FilterWidths = EffectiveFilterWidths,
            FeatureMaps = FeatureMaps,
            CnnPooling = CnnPooling,
            MaxNorm = MaxNorm,
            RnnCell = Cell,
            RnnLayers = Layers,
            HiddenSize = HiddenSize,
            RnnPooling = Pooling,
            ClassWeights = classWeights,
            WordDropout = WordDropout,
            EmbeddingInitRange = EmbeddingInitRange,
            NgramOrder = NgramOrder,
            NgramFeatures = ngramFeatures,
            NgramScale = NgramScale,
            NgramDropout = NgramDropout,
            NgramNormalization = NgramNormalization,
        }.Validate();
}
