// The contract between the generic Trainer and a concrete model (captioner, classifier): the task owns
// the data, the forward pass and the validation metric; the trainer owns the loop, optimisation,
// checkpoints, early stopping, resume and logging, so both models share one implementation of those.
using Pipeline.Models.Nn;
using Pipeline.Models.Optim;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Training;

/// <summary>Loss and size of one training batch.</summary>
/// <param name="Loss">The scalar loss value (already back-propagated by the task).</param>
/// <param name="Items">Items processed (tokens for captioning, examples for classification) for throughput.</param>
public readonly record struct BatchResult(double Loss, int Items);

/// <summary>Validation outcome: the monitored value and every metric to log.</summary>
/// <param name="Monitored">The value early stopping and LR decay watch (e.g. BLEU-4 or accuracy).</param>
/// <param name="Metrics">All metrics by name (written to the metrics log).</param>
public sealed record ValidationResult(double Monitored, IReadOnlyDictionary<string, double> Metrics);

/// <summary>A model plus its data, trainable by <see cref="Trainer"/>.</summary>
public interface ITrainingTask
{
    /// <summary>The model being trained.</summary>
    Module Model { get; }

    /// <summary>The optimizer over <see cref="Model"/>'s parameters.</summary>
    Optimizer Optimizer { get; }

    /// <summary>
    /// The one generator behind every random choice of training (shuffling, dropout masks, augmentation). Modules
    /// with randomness must draw from it, so that saving its state makes resume exact.
    /// </summary>
    Generator Generator { get; }

    /// <summary>
    /// Orders the epoch's batches (shuffling with <paramref name="generator"/>) and returns how many there are.
    /// Called once per epoch, and again on resume with the generator rewound to the epoch's start.
    /// </summary>
    int PlanEpoch(int epoch, Generator generator);

    /// <summary>Forward and backward for batch <paramref name="batchIndex"/> of the planned epoch (gradients already zeroed).</summary>
    BatchResult TrainBatch(int batchIndex, Generator generator);

    /// <summary>Evaluates the model (in eval mode) on held-out data.</summary>
    ValidationResult Validate(CancellationToken cancellationToken);

    /// <summary>Writes weights, config and vocabularies (and the optimizer/trainer state when given) to <paramref name="directory"/>.</summary>
    void Save(string directory, Optimizer? optimizer, Checkpoints.TrainerState? state);

    /// <summary>Loads weights saved by <see cref="Save"/> into <see cref="Model"/>.</summary>
    void LoadWeights(string directory);
}
