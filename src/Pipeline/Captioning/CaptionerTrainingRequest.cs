// Everything `pipeline train captioner` was asked to do, as one immutable record: data and optimisation
// settings, the model architecture, the Trainer's loop settings and what to run (train, evaluate, or both).
// The CLI only parses into it; CaptionerExperiment runs it (and tests build it directly).
using Pipeline.Models.Captioning;
using Pipeline.Models.Optim;
using Pipeline.Models.Training;

namespace Pipeline.Captioning;

/// <summary>A complete captioner training request.</summary>
/// <param name="Data">Dataset, cache and optimisation settings.</param>
/// <param name="Architecture">Model configuration (its vocabulary size is replaced by the training corpus's).</param>
/// <param name="OutputDirectory">Model directory to write (best model at its root, <c>checkpoints/last</c> for resume).</param>
/// <param name="Trainer">Loop settings; null = <see cref="DefaultTrainer"/>.</param>
/// <param name="Seed">Seed of initialisation, shuffling and dropout.</param>
/// <param name="Resume">Continue exactly from <c>checkpoints/last</c>.</param>
/// <param name="EvaluateOnly">Skip training; score the model already in <paramref name="OutputDirectory"/> on the test split.</param>
/// <param name="TimeLimit">Stop training after this long; the run still counts as done (best model kept, last checkpoint resumable).</param>
public sealed record CaptionerTrainingRequest(
    CaptioningTrainingOptions Data,
    CaptionerConfig Architecture,
    string OutputDirectory,
    TrainerOptions? Trainer = null,
    ulong Seed = 1,
    bool Resume = false,
    bool EvaluateOnly = false,
    TimeSpan? TimeLimit = null)
{
    /// <summary>Default maximum epochs.</summary>
    public const int DefaultEpochs = 20;

    /// <summary>Default early-stopping patience: epochs without BLEU-4 improvement.</summary>
    public const int DefaultPatience = 4;

    /// <summary>
    /// The captioner's loop settings: gradients clipped to norm 5 and the learning rate halved after each epoch
    /// without an absolute BLEU-4 gain of 1e-3 (floor 1e-5), both watching the monitored BLEU-4 (higher is better).
    /// </summary>
    public static TrainerOptions DefaultTrainer(int epochs = DefaultEpochs, int patience = DefaultPatience) => new(
        Epochs: epochs,
        Patience: patience,
        GradientClipNorm: 5.0,
        HigherIsBetter: true,
        LrDecay: new ReduceOnPlateauOptions(Mode: PlateauMode.Max, Factor: 0.5, Patience: 1, Threshold: 1e-3, ThresholdMode: ThresholdMode.Absolute, MinLearningRate: 1e-5));

    /// <summary>The loop settings actually used.</summary>
    public TrainerOptions EffectiveTrainer => Trainer ?? DefaultTrainer();

    /// <summary>Throws when the request is inconsistent.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Data);
        ArgumentNullException.ThrowIfNull(Architecture);
        ArgumentException.ThrowIfNullOrWhiteSpace(OutputDirectory);
        Data.Validate();
        Architecture.Validated();
        EffectiveTrainer.Validate();
    }
}
