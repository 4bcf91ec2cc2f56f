// Hyper-parameters of word2vec training (Mikolov et al. 2013, "Efficient Estimation of Word Representations
// in Vector Space" and "Distributed Representations of Words and Phrases and their Compositionality").
// One immutable record, validated before any work starts, so the CLI, tests and library share one source of
// defaults and a bad value fails with the option's name instead of deep inside the training loop.
namespace Pipeline.Models.Embeddings;

/// <summary>Which word2vec model to train.</summary>
public enum Word2VecArchitecture
{
    /// <summary>Skip-gram: the centre word predicts each word of its context window.</summary>
    SkipGram,
    /// <summary>Continuous bag of words: the mean of the context vectors predicts the centre word.</summary>
    Cbow,
}

/// <summary>
/// Immutable word2vec hyper-parameters. Defaults follow the reference implementation: 100 dimensions,
/// window 5 (randomly shrunk per centre word), 5 negative samples, min count 5, sub-sampling threshold 1e-3,
/// 5 epochs, learning rate 0.025 (skip-gram) or 0.05 (CBOW) decayed linearly to
/// <see cref="MinLearningRateFraction"/> of its start value.
/// </summary>
/// <param name="Architecture">Skip-gram or CBOW.</param>
/// <param name="Dimensions">Length of each word vector.</param>
/// <param name="Window">Maximum distance between centre and context word; each centre word draws an effective window in [1, Window].</param>
/// <param name="NegativeSamples">Noise words drawn from the unigram^0.75 distribution per positive pair.</param>
/// <param name="MinCount">Words seen fewer times are dropped from the vocabulary (and from the training text).</param>
/// <param name="SubsamplingThreshold">The paper's <c>t</c>: a word of corpus frequency f is kept with probability min(1, √(t/f)); 0 disables sub-sampling.</param>
/// <param name="Epochs">Passes over the corpus.</param>
/// <param name="LearningRate">Initial SGD step; null picks 0.025 for skip-gram and 0.05 for CBOW.</param>
/// <param name="MinLearningRateFraction">The linear decay stops at this fraction of the initial rate (the reference uses 1e-4).</param>
/// <param name="Threads">Worker threads; null uses <see cref="Environment.ProcessorCount"/>. Only 1 thread is bit-reproducible.</param>
/// <param name="Seed">Seed of initialisation, window shrinking, sub-sampling and negative sampling.</param>
/// <param name="MaxSentenceLength">Longer sentences are cut into pieces of this many words (bounds per-sentence memory and work).</param>
public sealed record Word2VecOptions(
    Word2VecArchitecture Architecture = Word2VecArchitecture.SkipGram,
    int Dimensions = Word2VecOptions.DefaultDimensions,
    int Window = Word2VecOptions.DefaultWindow,
    int NegativeSamples = Word2VecOptions.DefaultNegativeSamples,
    int MinCount = Word2VecOptions.DefaultMinCount,
    double SubsamplingThreshold = Word2VecOptions.DefaultSubsamplingThreshold,
    int Epochs = Word2VecOptions.DefaultEpochs,
    float? LearningRate = null,
    float MinLearningRateFraction = Word2VecOptions.DefaultMinLearningRateFraction,
    int? Threads = null,
    ulong Seed = Word2VecOptions.DefaultSeed,
    int MaxSentenceLength = Word2VecOptions.DefaultMaxSentenceLength)
{
    /// <summary>Default vector length.</summary>
    public const int DefaultDimensions = 100;
    /// <summary>Default maximum window.</summary>
    public const int DefaultWindow = 5;
    /// <summary>Default number of negative samples.</summary>
    public const int DefaultNegativeSamples = 5;
    /// <summary>Default minimum word count.</summary>
    public const int DefaultMinCount = 5;
    /// <summary>Default sub-sampling threshold t.</summary>
    public const double DefaultSubsamplingThreshold = 1e-3;
    /// <summary>Default number of epochs.</summary>
    public const int DefaultEpochs = 5;
    /// <summary>Default initial learning rate of skip-gram.</summary>
    public const float DefaultSkipGramLearningRate = 0.025f;
    /// <summary>Default initial learning rate of CBOW (its gradient is shared by several context words, so it can take larger steps).</summary>
    public const float DefaultCbowLearningRate = 0.05f;
    /// <summary>Default floor of the decayed learning rate, as a fraction of the initial rate.</summary>
    public const float DefaultMinLearningRateFraction = 1e-4f;
    /// <summary>Default seed.</summary>
    public const ulong DefaultSeed = 1;
    /// <summary>Default sentence cut length (the reference implementation's MAX_SENTENCE_LENGTH).</summary>
    public const int DefaultMaxSentenceLength = 1000;

    /// <summary>The initial learning rate after applying the architecture-dependent default.</summary>
    public float EffectiveLearningRate =>
        LearningRate ?? (Architecture == Word2VecArchitecture.Cbow ? DefaultCbowLearningRate : DefaultSkipGramLearningRate);

    /// <summary>The worker count after applying the processor-count default.</summary>
    public int EffectiveThreads => Threads ?? Environment.ProcessorCount;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Architecture))
            throw new ArgumentOutOfRangeException(nameof(Architecture), Architecture, "Unknown word2vec architecture.");
        if (Dimensions < 1)
            throw new ArgumentOutOfRangeException(nameof(Dimensions), Dimensions, "Dimensions must be at least 1.");
        if (Window < 1)
            throw new ArgumentOutOfRangeException(nameof(Window), Window, "Window must be at least 1.");
        if (NegativeSamples < 1)
            throw new ArgumentOutOfRangeException(nameof(NegativeSamples), NegativeSamples, "Negative sampling needs at least 1 noise word per pair.");
        if (MinCount < 1)
            throw new ArgumentOutOfRangeException(nameof(MinCount), MinCount, "Min count must be at least 1.");
        if (!(SubsamplingThreshold >= 0) || double.IsInfinity(SubsamplingThreshold))
            throw new ArgumentOutOfRangeException(nameof(SubsamplingThreshold), SubsamplingThreshold, "Sub-sampling threshold must be a finite number ≥ 0 (0 disables it).");
        if (Epochs < 1)
            throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be at least 1.");
        if (LearningRate is { } rate && !(rate > 0 && float.IsFinite(rate)))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), rate, "Learning rate must be a finite number > 0.");
        if (!(MinLearningRateFraction >= 0 && MinLearningRateFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(MinLearningRateFraction), MinLearningRateFraction, "Must be in [0, 1].");
        if (Threads is { } threads && threads < 1)
            throw new ArgumentOutOfRangeException(nameof(Threads), threads, "Threads must be at least 1.");
        if (MaxSentenceLength < 2)
            throw new ArgumentOutOfRangeException(nameof(MaxSentenceLength), MaxSentenceLength, "Max sentence length must be at least 2.");
    }
}
