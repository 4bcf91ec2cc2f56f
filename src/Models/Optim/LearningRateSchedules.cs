// Closed-form learning-rate schedules as small immutable records: each maps (base rate η₀, step t) to
// the rate for step t, where t counts scheduler steps (epochs or batches — the caller decides):
//   StepLr          η = η₀ · γ^⌊t / stepSize⌋
//   CosineAnnealing η = η_min + (η₀ − η_min) · (1 + cos(π · min(t, T) / T)) / 2   (SGDR without restarts,
//                   Loshchilov & Hutter 2017; stays at η_min after T)
//   LinearWarmup    η = η₀ · (f₀ + (1 − f₀) · t / W) for t < W, then the wrapped schedule at t − W
//                   (Goyal et al. 2017, "Accurate, Large Minibatch SGD")
// The stateful part (which step we are at) lives in LearningRateScheduler.
namespace Pipeline.Models.Optim;

/// <summary>A pure function from (base learning rate, step index) to the learning rate at that step.</summary>
public interface ILearningRateSchedule
{
    /// <summary>The learning rate at <paramref name="step"/> (0 = before any scheduler step) for base rate <paramref name="baseRate"/>.</summary>
    double RateAt(double baseRate, int step);
}

/// <summary>Multiplies the rate by <paramref name="Gamma"/> every <paramref name="StepSize"/> steps.</summary>
public sealed record StepLr(int StepSize, double Gamma = 0.1) : ILearningRateSchedule
{
    /// <inheritdoc />
    public double RateAt(double baseRate, int step)
    {
        if (StepSize <= 0) throw new ArgumentOutOfRangeException(nameof(StepSize), $"StepLr: step size must be positive, got {StepSize}");
        return baseRate * Math.Pow(Gamma, step / StepSize);
    }
}

/// <summary>Half-cosine decay from the base rate to <paramref name="MinLearningRate"/> over <paramref name="Period"/> steps.</summary>
public sealed record CosineAnnealing(int Period, double MinLearningRate = 0) : ILearningRateSchedule
{
    /// <inheritdoc />
    public double RateAt(double baseRate, int step)
    {
        if (Period <= 0) throw new ArgumentOutOfRangeException(nameof(Period), $"CosineAnnealing: period must be positive, got {Period}");
        int t = Math.Min(step, Period);
        return MinLearningRate + (baseRate - MinLearningRate) * (1 + Math.Cos(Math.PI * t / Period)) / 2;
    }
}

/// <summary>Linear ramp from <paramref name="StartFactor"/>·η₀ to η₀ over <paramref name="WarmupSteps"/> steps, then <paramref name="After"/>.</summary>
public sealed record LinearWarmup(int WarmupSteps, ILearningRateSchedule After, double StartFactor = 0) : ILearningRateSchedule
{
    /// <inheritdoc />
    public double RateAt(double baseRate, int step)
    {
        if (WarmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(WarmupSteps), $"LinearWarmup: warm-up steps must be >= 0, got {WarmupSteps}");
        if (step < WarmupSteps) return baseRate * (StartFactor + (1 - StartFactor) * step / WarmupSteps);
        return After.RateAt(baseRate, step - WarmupSteps);
    }
}
