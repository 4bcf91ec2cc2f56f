// Reduce the learning rate when a validation metric stops improving, with the semantics of PyTorch's
// ReduceLROnPlateau: after each epoch's metric m,
//   improved = m < best·(1 − θ)  (mode min, relative threshold θ)  or  m > best·(1 + θ)  (mode max)
//              (absolute thresholds compare against best ∓ θ instead)
//   improved → best = m, bad = 0;  else bad += 1
//   during cooldown: cooldown −= 1, bad = 0
//   bad > patience → every group's rate η ← max(η·factor, η_min) (skipped if the change is < 1e-8),
//                    cooldown = cooldownEpochs, bad = 0
namespace Pipeline.Models.Optim;

/// <summary>Whether a larger or a smaller metric is better.</summary>
public enum PlateauMode
{
    /// <summary>Lower is better (loss).</summary>
    Min,
    /// <summary>Higher is better (accuracy).</summary>
    Max,
}

/// <summary>How the improvement threshold is measured.</summary>
public enum ThresholdMode
{
    /// <summary>Relative to the best value: best·(1 ∓ θ).</summary>
    Relative,
    /// <summary>Absolute: best ∓ θ.</summary>
    Absolute,
}

/// <summary>Options of <see cref="ReduceOnPlateau"/> (PyTorch defaults).</summary>
public sealed record ReduceOnPlateauOptions(
    PlateauMode Mode = PlateauMode.Min,
    double Factor = 0.1,
    int Patience = 10,
    double Threshold = 1e-4,
    ThresholdMode ThresholdMode = ThresholdMode.Relative,
    double MinLearningRate = 0,
    int Cooldown = 0)
{
    internal void Validate()
    {
        if (!(Factor > 0 && Factor < 1)) throw new ArgumentOutOfRangeException(nameof(Factor), $"factor must be in (0, 1), got {Factor}");
        if (Patience < 0) throw new ArgumentOutOfRangeException(nameof(Patience), $"patience must be >= 0, got {Patience}");
        if (Cooldown < 0) throw new ArgumentOutOfRangeException(nameof(Cooldown), $"cooldown must be >= 0, got {Cooldown}");
        if (!(Threshold >= 0)) throw new ArgumentOutOfRangeException(nameof(Threshold), $"threshold must be >= 0, got {Threshold}");
        if (!(MinLearningRate >= 0)) throw new ArgumentOutOfRangeException(nameof(MinLearningRate), $"min learning rate must be >= 0, got {MinLearningRate}");
    }
}

/// <summary>Lowers an optimizer's learning rates when a monitored metric plateaus.</summary>
public sealed class ReduceOnPlateau : ILearningRateScheduler
{
    private const double MinChange = 1e-8;
    private readonly Optimizer optimizer;

    /// <summary>Monitors a metric for <paramref name="optimizer"/>.</summary>
    public ReduceOnPlateau(Optimizer optimizer, ReduceOnPlateauOptions options)
    {
        this.optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        options.Validate();
        Options = options;
        Best = options.Mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <summary>The options.</summary>
    public ReduceOnPlateauOptions Options { get; }

    /// <summary>Best metric seen so far (±∞ before the first step).</summary>
    public double Best { get; private set; }

    /// <summary>Consecutive epochs without improvement.</summary>
    public int BadEpochs { get; private set; }

    /// <summary>Epochs of cooldown left.</summary>
    public int CooldownLeft { get; private set; }

    /// <summary>Number of <see cref="Step"/> calls.</summary>
    public int StepCount { get; private set; }

    /// <summary>Current rate of the first group.</summary>
    public double CurrentLearningRate => optimizer.Groups[0].LearningRate;

    /// <summary>Records one epoch's metric; returns true when the rates were reduced.</summary>
    public bool Step(double metric)
    {
        if (double.IsNaN(metric)) throw new ArgumentException("ReduceOnPlateau: metric is NaN", nameof(metric));
        StepCount++;
        if (IsBetter(metric)) { Best = metric; BadEpochs = 0; }
        else BadEpochs++;
        if (CooldownLeft > 0) { CooldownLeft--; BadEpochs = 0; }
        if (BadEpochs <= Options.Patience) return false;
        foreach (var group in optimizer.Groups)
        {
            double reduced = Math.Max(group.LearningRate * Options.Factor, Options.MinLearningRate);
            if (group.LearningRate - reduced > MinChange) group.LearningRate = reduced;
        }
        CooldownLeft = Options.Cooldown;
        BadEpochs = 0;
        return true;
    }

    private bool IsBetter(double metric) => (Options.Mode, Options.ThresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Relative) => metric < Best * (1 - Options.Threshold),
        (PlateauMode.Min, ThresholdMode.Absolute) => metric < Best - Options.Threshold,
        (PlateauMode.Max, ThresholdMode.Relative) => metric > Best * (1 + Options.Threshold),
        _ => metric > Best + Options.Threshold,
    };

    /// <inheritdoc />
    public SchedulerState GetState() => new(nameof(ReduceOnPlateau), StepCount, new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["best"] = Best,
        ["bad_epochs"] = BadEpochs,
        ["cooldown_left"] = CooldownLeft,
    });

    /// <inheritdoc />
    /// <remarks>The learning rates themselves are part of the optimizer state.</remarks>
    public void LoadState(SchedulerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Kind != nameof(ReduceOnPlateau)) throw new InvalidDataException($"scheduler state of kind '{state.Kind}' cannot be loaded into {nameof(ReduceOnPlateau)}");
        double Get(string key) => state.Values.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"ReduceOnPlateau state lacks '{key}'");
        double best = Get("best"), bad = Get("bad_epochs"), cooldown = Get("cooldown_left");
        if (bad < 0 || cooldown < 0 || bad != Math.Floor(bad) || cooldown != Math.Floor(cooldown) || state.StepCount < 0)
            throw new InvalidDataException("ReduceOnPlateau state has negative or fractional counters");
        (Best, BadEpochs, CooldownLeft, StepCount) = (best, (int)bad, (int)cooldown, state.StepCount);
    }
}
