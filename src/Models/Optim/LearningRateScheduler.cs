// Drives an optimizer's learning rates from an ILearningRateSchedule: remembers each group's base rate
// and how many steps have been taken, and writes schedule.RateAt(base, t) into every group on each
// Step(). Its state (step count + base rates) is a small serializable record for exact resume.
using System.Globalization;

namespace Pipeline.Models.Optim;

/// <summary>Serializable state of a scheduler: a kind tag, a step count and named numbers.</summary>
/// <param name="Kind">Scheduler type; loading into another type is rejected.</param>
/// <param name="StepCount">Number of scheduler steps taken.</param>
/// <param name="Values">Named real-valued state (base rates, best metric, counters).</param>
public sealed record SchedulerState(string Kind, int StepCount, IReadOnlyDictionary<string, double> Values);

/// <summary>A stateful learning-rate scheduler whose state can be saved and restored.</summary>
public interface ILearningRateScheduler
{
    /// <summary>Snapshot of the scheduler's state.</summary>
    SchedulerState GetState();

    /// <summary>Restores a snapshot taken by <see cref="GetState"/> (also re-applies the current rate).</summary>
    void LoadState(SchedulerState state);
}

/// <summary>Applies a closed-form <see cref="ILearningRateSchedule"/> to an optimizer, step by step.</summary>
public sealed class LearningRateScheduler : ILearningRateScheduler
{
    private readonly Optimizer optimizer;
    private readonly double[] baseRates;

    /// <summary>Takes the optimizer's current group rates as base rates and applies the rate for step 0.</summary>
    public LearningRateScheduler(Optimizer optimizer, ILearningRateSchedule schedule)
    {
        this.optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        baseRates = optimizer.Groups.Select(g => g.LearningRate).ToArray();
        Apply();
    }

    /// <summary>The schedule being followed.</summary>
    public ILearningRateSchedule Schedule { get; }

    /// <summary>Number of <see cref="Step"/> calls so far.</summary>
    public int StepCount { get; private set; }

    /// <summary>Current rate of the first group.</summary>
    public double CurrentLearningRate => optimizer.Groups[0].LearningRate;

    /// <summary>Advances one step (call after each epoch or batch) and updates the optimizer's rates.</summary>
    public void Step()
    {
        StepCount++;
        Apply();
    }

    private void Apply()
    {
        for (int g = 0; g < baseRates.Length; g++) optimizer.Groups[g].LearningRate = Schedule.RateAt(baseRates[g], StepCount);
    }

    /// <inheritdoc />
    public SchedulerState GetState()
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int g = 0; g < baseRates.Length; g++) values[BaseKey(g)] = baseRates[g];
        return new SchedulerState(nameof(LearningRateScheduler), StepCount, values);
    }

    /// <inheritdoc />
    public void LoadState(SchedulerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Kind != nameof(LearningRateScheduler)) throw new InvalidDataException($"scheduler state of kind '{state.Kind}' cannot be loaded into {nameof(LearningRateScheduler)}");
        if (state.StepCount < 0) throw new InvalidDataException($"scheduler state has negative step count {state.StepCount}");
        var rates = new double[baseRates.Length];
        for (int g = 0; g < rates.Length; g++)
            if (!state.Values.TryGetValue(BaseKey(g), out rates[g])) throw new InvalidDataException($"scheduler state lacks '{BaseKey(g)}' ({baseRates.Length} groups expected)");
        if (state.Values.Count != rates.Length) throw new InvalidDataException($"scheduler state has {state.Values.Count} values, expected {rates.Length} base rates");
        rates.CopyTo(baseRates, 0);
        StepCount = state.StepCount;
        Apply();
    }

    private static string BaseKey(int group) => "base_lr." + group.ToString(CultureInfo.InvariantCulture);
}
