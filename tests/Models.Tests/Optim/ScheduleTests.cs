// Learning-rate schedules against sequences computed by hand from their definitions, and exact
// save/restore of scheduler state.
using Pipeline.Models.Optim;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Optim;

public class ScheduleTests
{
    private static Sgd MakeOptimizer(double lr = 1.0) => new([Tensor.Zeros(1).WithGrad()], new SgdOptions(lr));

    private static double[] Run(LearningRateScheduler scheduler, int steps)
    {
        var rates = new List<double> { scheduler.CurrentLearningRate };
        for (int i = 0; i < steps; i++) { scheduler.Step(); rates.Add(scheduler.CurrentLearningRate); }
        return rates.ToArray();
    }

    private static void AssertSequence(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-12, $"step {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void StepLrDecaysEveryStepSizeSteps()
    {
        var rates = Run(new LearningRateScheduler(MakeOptimizer(0.1), new StepLr(StepSize: 2, Gamma: 0.5)), 6);
        AssertSequence([0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125], rates);
    }

    [Fact]
    public void CosineAnnealingFollowsTheHalfCosineAndStaysAtTheMinimum()
    {
        // T = 4, η₀ = 1, η_min = 0.2: 0.2 + 0.8·(1 + cos(πt/4))/2.
        var rates = Run(new LearningRateScheduler(MakeOptimizer(1.0), new CosineAnnealing(4, 0.2)), 5);
        double h = Math.Sqrt(2) / 2;
        AssertSequence([1.0, 0.2 + 0.4 * (1 + h), 0.6, 0.2 + 0.4 * (1 - h), 0.2, 0.2], rates);
    }

    [Fact]
    public void LinearWarmupRampsThenHandsOver()
    {
        // 2 warm-up steps from factor 0 then StepLr(1, 0.5) on base 0.4.
        var schedule = new LinearWarmup(2, new StepLr(1, 0.5));
        var rates = Run(new LearningRateScheduler(MakeOptimizer(0.4), schedule), 4);
        AssertSequence([0.0, 0.2, 0.4, 0.2, 0.1], rates);
    }

    [Fact]
    public void SchedulerStateRoundTrips()
    {
        var schedule = new CosineAnnealing(10);
        var original = new LearningRateScheduler(MakeOptimizer(0.3), schedule);
        for (int i = 0; i < 3; i++) original.Step();
        var state = original.GetState();

        var fresh = new LearningRateScheduler(MakeOptimizer(0.3), schedule);
        fresh.LoadState(state);
        Assert.Equal(original.CurrentLearningRate, fresh.CurrentLearningRate);
        original.Step(); fresh.Step();
        Assert.Equal(original.CurrentLearningRate, fresh.CurrentLearningRate);
        Assert.Throws<InvalidDataException>(() => fresh.LoadState(state with { Kind = "Other" }));
    }

    [Fact]
    public void ReduceOnPlateauMinModeWithPatienceAndCooldown()
    {
        // patience 1, cooldown 1, factor 0.5, min lr 0.3, relative threshold 0.1 (better = below 0.9·best).
        var optimizer = MakeOptimizer(1.0);
        var plateau = new ReduceOnPlateau(optimizer, new ReduceOnPlateauOptions(PlateauMode.Min, Factor: 0.5, Patience: 1, Threshold: 0.1, MinLearningRate: 0.3, Cooldown: 1));
        double[] metrics = [10, 9.5, 9.2, 9.1, 5, 5, 5, 5, 5, 5];
        // 10: best. 9.5: not < 9 → bad 1. 9.2: bad 2 > 1 → lr 0.5, cooldown 1.
        // 9.1: bad 1, cooldown → 0, bad 0. 5: best. 5: bad 1. 5: bad 2 → lr 0.3 (clamped), cooldown 1.
        // 5: bad 1 → cooldown → bad 0. 5: bad 1. 5: bad 2 → 0.3·0.5 clamps to 0.3: unchanged.
        double[] expected = [1, 1, 0.5, 0.5, 0.5, 0.5, 0.3, 0.3, 0.3, 0.3];
        for (int i = 0; i < metrics.Length; i++)
        {
            plateau.Step(metrics[i]);
            Assert.True(Math.Abs(expected[i] - optimizer.LearningRate) < 1e-12, $"epoch {i}: expected {expected[i]}, got {optimizer.LearningRate}");
        }
    }

    [Fact]
    public void ReduceOnPlateauMaxModeAbsoluteThresholdAndStateRoundTrip()
    {
        var optimizer = MakeOptimizer(1.0);
        var options = new ReduceOnPlateauOptions(PlateauMode.Max, Factor: 0.1, Patience: 0, Threshold: 0.01, ThresholdMode: ThresholdMode.Absolute);
        var plateau = new ReduceOnPlateau(optimizer, options);
        plateau.Step(0.50);                       // best 0.50
        plateau.Step(0.505);                      // not > 0.51: bad 1 > 0 → lr 0.1
        Assert.Equal(0.1, optimizer.LearningRate, 12);
        plateau.Step(0.52);                       // better → no change
        Assert.Equal(0.1, optimizer.LearningRate, 12);
        Assert.Equal(0.52, plateau.Best);

        var restored = new ReduceOnPlateau(optimizer, options);
        restored.LoadState(plateau.GetState());
        Assert.Equal(plateau.Best, restored.Best);
        Assert.Equal(plateau.BadEpochs, restored.BadEpochs);
        Assert.Equal(plateau.StepCount, restored.StepCount);
        restored.Step(0.525);                     // not > 0.53 → reduce to 0.01
        Assert.Equal(0.01, optimizer.LearningRate, 12);
    }
}
