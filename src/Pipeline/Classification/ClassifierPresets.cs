// Named sets of hyper-parameters for `train classifier --preset NAME`, for comparison with published
// results. "kim" is CNN-rand of Kim (2014), "Convolutional Neural Networks for Sentence Classification",
// §3.1–3.2: random 300-d word vectors for every training word (U(−0.25, 0.25), ClassifierConfig's init),
// filter widths 3, 4, 5 with 100 maps each, dropout 0.5 on the penultimate layer, max-norm s = 3 on the
// output weights, mini-batches of 50, Adadelta (ρ = 0.95, ε = 1e-6), 25 epochs with the best dev epoch kept.
// Nothing beyond the paper: no word dropout, no n-gram branch, constant learning rate. The early-stopping
// patience is set to the whole run so all 25 epochs are trained, as in the paper.
using Pipeline.Models.Classification;

namespace Pipeline.Classification;

/// <summary>Hyper-parameter presets of the classifier trainer.</summary>
public static class ClassifierPresets
{
    /// <summary>Kim (2014) CNN-rand.</summary>
    public static ClassifierTrainingOptions KimCnnRand { get; } = new(
        Architecture: ClassifierArchitecture.TextCnn,
        Embedding: EmbeddingMode.Rand,
        EmbeddingDim: 300,
        FilterWidths: [3, 4, 5],
        FeatureMaps: 100,
        MaxNorm: 3f,
        Dropout: 0.5f,
        BatchSize: 50,
        LearningRate: 1.0,
        Optimizer: ClassifierOptimizer.Adadelta,
        WordDropout: 0f,
        LearningRateDecay: 1.0,
        NgramOrder: 0);

    /// <summary>Kim trained 25 epochs.</summary>
    public const int KimEpochs = 25;

    /// <summary>No early stop before the 25 epochs.</summary>
    public const int KimPatience = 0;

    /// <summary>Every training word gets a vector (no frequency cut-off).</summary>
    public const int KimMinFrequency = 1;
}
