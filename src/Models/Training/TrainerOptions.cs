using Pipeline.Models.Optim;

namespace Pipeline.Models.Training;

/// <summary>Settings of the generic training loop.</summary>
/// <param name="Epochs">Maximum epochs.</param>
/// <param name="Patience">Stop after this many epochs without improvement of the monitored metric (0 = never).</param>
/// <param name="GradientClipNorm">Global-norm gradient clipping bound (null = off).</param>
/// <param name="HigherIsBetter">Whether a larger monitored value is an improvement (BLEU, accuracy) or a smaller one (loss).</param>
/// <param name="LrDecay">Reduce-on-plateau settings applied to the monitored value each epoch (null = constant LR).</param>
/// <param name="MinDelta">Smallest change that counts as an improvement.</param>
public sealed record TrainerOptions(
    int Epochs = 20,
    int Patience = 5,
    double? GradientClipNorm = 5.0,
    bool HigherIsBetter = true,
    ReduceOnPlateauOptions? LrDecay = null,
    double MinDelta = 1e-6)
{
    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "must be at least 1");
        if (Patience < 0) throw new ArgumentOutOfRangeException(nameof(Patience), Patience, "must be non-negative");
        if (GradientClipNorm is <= 0) throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), GradientClipNorm, "must be positive");
    }
}

/// <summary>Reported after every batch.</summary>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double RunningLoss, double ItemsPerSecond, TimeSpan EpochEta);

/// <summary>One line of the metrics log (JSONL), written after each epoch.</summary>
public sealed record EpochSummary(int Epoch, double TrainLoss, double ValidMetric, IReadOnlyDictionary<string, double> ValidMetrics, double LearningRate, double Seconds, double ItemsPerSecond, bool Improved);

/// <summary>How a training run ended.</summary>
/// <param name="EpochsCompleted">Epochs fully trained (including those of earlier, resumed runs).</param>
/// <param name="BestMetric">Best validation value seen.</param>
/// <param name="Interrupted">True when cancelled; the last checkpoint then holds the exact position.</param>
/// <param name="StoppedEarly">True when early stopping ended the run.</param>
/// <param name="History">Per-epoch summaries (also in the metrics log).</param>
public sealed record TrainingResult(int EpochsCompleted, double? BestMetric, bool Interrupted, bool StoppedEarly, IReadOnlyList<EpochSummary> History);
