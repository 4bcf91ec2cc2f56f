// Everything `pipeline train classifier` was asked to do, as one immutable record: data locations,
// preprocessing, model hyper-parameters, loop settings and the optional evaluation steps. The CLI
// only parses into it; ClassifierExperiment runs it (and tests build it directly).
using Pipeline.Preprocessing.Datasets;
using Pipeline.Preprocessing.Text;

namespace Pipeline.Classification;

/// <summary>A complete classifier training request.</summary>
/// <param name="TrainPath">Training data (any <see cref="ClassificationFormat"/>).</param>
/// <param name="OutputDirectory">Model directory to write (best model at its root, <c>checkpoints/last</c> for resume).</param>
/// <param name="Model">Model and optimisation settings.</param>
/// <param name="ValidPath">Validation data; null = a seeded stratified split of the training data.</param>
/// <param name="TestPath">Test data evaluated at the end with ClassificationEvaluator; null = none.</param>
/// <param name="Format">Data format (Auto = detect).</param>
/// <param name="Tokenizer">Tokenizer (saved with the model).</param>
/// <param name="Preprocessing">Normalizer, max length, vocabulary settings (saved with the model).</param>
/// <param name="VectorsPath">word2vec/GloVe vectors for pre-trained embedding modes.</param>
/// <param name="Epochs">Maximum epochs.</param>
/// <param name="Patience">Early-stopping patience in epochs (0 = off).</param>
/// <param name="Seed">Seed of splits, initialisation, dropout and batch order.</param>
/// <param name="ValidationFraction">Share of each class held out when <paramref name="ValidPath"/> is null.</param>
/// <param name="Folds">K of K-fold cross-validation (null = one ordinary run).</param>
/// <param name="Resume">Continue from <c>checkpoints/last</c>.</param>
/// <param name="Baseline">Also train and evaluate the ML.NET baseline on the same split (needs a test set).</param>
public sealed record ClassifierTrainingRequest(
    string TrainPath,
    string OutputDirectory,
    ClassifierTrainingOptions Model,
    string? ValidPath = null,
    string? TestPath = null,
    ClassificationFormat Format = ClassificationFormat.Auto,
    TokenizerSpec? Tokenizer = null,
    ClassifierPreprocessing? Preprocessing = null,
    string? VectorsPath = null,
    int Epochs = ClassifierTrainingRequest.DefaultEpochs,
    int Patience = ClassifierTrainingRequest.DefaultPatience,
    ulong Seed = 42,
    double ValidationFraction = 0.1,
    int? Folds = null,
    bool Resume = false,
    bool Baseline = false)
{
    /// <summary>Default maximum epochs: a ceiling, early stopping normally ends training well before it.</summary>
    public const int DefaultEpochs = 30;

    /// <summary>Default early-stopping patience in epochs.</summary>
    public const int DefaultPatience = 5;

    /// <summary>The tokenizer actually used (lower-cased words by default).</summary>
    public TokenizerSpec EffectiveTokenizer => Tokenizer ?? TokenizerSpec.Word();

    /// <summary>The preprocessing actually used (by default the n-gram branch, if any, reads up to DefaultNgramMaxLength tokens).</summary>
    public ClassifierPreprocessing EffectivePreprocessing => Preprocessing ?? new ClassifierPreprocessing(TextNormalizerOptions.Default,
        NgramMaxLength: Model.NgramOrder > 0 ? ClassifierPreprocessing.DefaultNgramMaxLength : null);

    /// <summary>Throws when the request is inconsistent.</summary>
    public void Validate()
    {
        Model.Validate();
        EffectivePreprocessing.Validate();
        EffectiveTokenizer.Validate();
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "must be at least 1");
        if (Folds is < 2) throw new ArgumentOutOfRangeException(nameof(Folds), Folds, "K-fold needs at least 2 folds");
        if (Folds is not null && Resume) throw new ArgumentException("--resume is not supported together with --folds.");
        if (Model.NeedsVectors && VectorsPath is null)
            throw new ArgumentException($"--embedding {Model.Embedding} starts from pre-trained vectors: pass --vectors FILE.");
        if (Baseline && TestPath is null) throw new ArgumentException("--baseline compares test-set scores: pass --test FILE.");
    }
}
