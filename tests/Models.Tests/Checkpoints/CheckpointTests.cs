// Model directories: weights + config round-trip through a small module defined here, strict loading
// lists mismatches, atomic writes survive a failing writer, and an interrupted training run resumed
// from a checkpoint (model, optimizer, RNG and scheduler state) matches an uninterrupted one bit for bit.
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Nn;
using Pipeline.Models.Optim;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Checkpoints;

public sealed class CheckpointTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "pipeline-ckpt-" + Guid.NewGuid().ToString("N"));

    public CheckpointTests() => Directory.CreateDirectory(root);

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>Configuration of <see cref="TinyModel"/>.</summary>
    public sealed record TinyConfig(int InFeatures, int OutFeatures, string Activation = "tanh");

    /// <summary>y = tanh(x·Wᵀ + b) ⊙ scale with a registered buffer. Shapes: x (B, I), W (O, I), b (O), scale (O).</summary>
    private sealed class TinyModel : Module
    {
        public readonly Tensor Weight, Bias, Scale;

        public TinyModel(TinyConfig config, Generator generator)
        {
            Weight = RegisterParameter("weight", Tensor.Randn(generator, [config.OutFeatures, config.InFeatures], 0, 0.5f));
            Bias = RegisterParameter("bias", Tensor.Randn(generator, [config.OutFeatures], 0, 0.1f));
            Scale = RegisterBuffer("scale", Tensor.Rand(generator, [config.OutFeatures], 0.5f, 1.5f));
        }

        public Tensor Forward(Tensor x) => Tensor.Tanh(Tensor.MatMul(x, Weight, transposeB: true) + Bias) * Scale;   // (B, O)
    }

    /// <summary>Same names, different shape of the bias: for mismatch tests.</summary>
    private sealed class OtherModel : Module
    {
        public OtherModel(bool extra)
        {
            RegisterParameter("weight", Tensor.Zeros(2, 3));
            RegisterParameter("bias", Tensor.Zeros(5));
            if (extra) RegisterParameter("gate", Tensor.Zeros(2));
        }
    }

    [Fact]
    public void ModuleAndConfigRoundTrip()
    {
        var config = new TinyConfig(3, 2);
        var model = new TinyModel(config, new Generator(1));
        var dir = Path.Combine(root, "model");
        Checkpoint.Save(dir, model, config);
        Assert.True(File.Exists(Path.Combine(dir, Checkpoint.ModelFile)));
        Assert.False(File.Exists(Path.Combine(dir, Checkpoint.OptimizerFile)));

        var loadedConfig = Checkpoint.LoadConfig<TinyConfig>(dir);
        Assert.Equal(config, loadedConfig);
        var restored = new TinyModel(loadedConfig, new Generator(99));   // different initial weights
        Checkpoint.LoadModel(dir, restored);

        var x = Tensor.Randn(new Generator(2), [4, 3]);
        Assert.Equal(model.Forward(x).ToArray(), restored.Forward(x).ToArray());
        Assert.Equal(model.Scale.ToArray(), restored.Scale.ToArray());
        Assert.Empty(Directory.GetFiles(dir, "*.tmp-*"));
    }

    [Fact]
    public void StrictLoadListsNameAndShapeMismatches()
    {
        var config = new TinyConfig(3, 2);
        var dir = Path.Combine(root, "strict");
        Checkpoint.Save(dir, new TinyModel(config, new Generator(1)), config);

        var ex = Assert.Throws<CheckpointFormatException>(() => Checkpoint.LoadModel(dir, new OtherModel(extra: true)));
        Assert.Contains(Checkpoint.ModelFile, ex.Message);
        Assert.Contains("'bias': checkpoint shape [2], model shape [5]", ex.Message);
        Assert.Contains("missing 'gate'", ex.Message);
        Assert.Contains("unexpected 'scale'", ex.Message);

        // Non-strict loading tolerates missing/unexpected names but never a shape mismatch.
        ex = Assert.Throws<CheckpointFormatException>(() => Checkpoint.LoadModel(dir, new OtherModel(extra: false), strict: false));
        Assert.Contains("'bias'", ex.Message);
        Assert.DoesNotContain("unexpected", ex.Message);
    }

    [Fact]
    public void AtomicWriteKeepsTheOldFileWhenTheWriterFails()
    {
        var path = Path.Combine(root, "file.bin");
        AtomicFile.Write(path, s => s.Write([1, 2, 3]));
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s => { s.Write([9, 9]); throw new InvalidOperationException("disk on fire"); }));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(root));
    }

    [Fact]
    public void MissingOptionalFilesAreReportedAsAbsent()
    {
        var config = new TinyConfig(3, 2);
        var model = new TinyModel(config, new Generator(1));
        var dir = Path.Combine(root, "bare");
        Checkpoint.Save(dir, model, config);
        Assert.Null(Checkpoint.LoadTrainerState(dir));
        Assert.False(Checkpoint.LoadOptimizer(dir, new Adam(model.Parameters(), new AdamOptions())));
    }

    [Fact]
    public void OptimizerOfAnotherKindIsRejectedNamingTheFile()
    {
        var config = new TinyConfig(3, 2);
        var model = new TinyModel(config, new Generator(1));
        var adam = new Adam(model.Parameters(), new AdamOptions());
        var dir = Path.Combine(root, "kind");
        Checkpoint.Save(dir, model, config, adam);
        var ex = Assert.Throws<CheckpointFormatException>(() => Checkpoint.LoadOptimizer(dir, new Sgd(model.Parameters(), new SgdOptions(0.1))));
        Assert.Contains(Checkpoint.OptimizerFile, ex.Message);
        Assert.Contains("saved by Adam", ex.Message);
    }

    // One training step on a batch drawn from the generator (so the RNG state matters for resuming).
    private static void TrainStep(TinyModel model, Optimizer optimizer, LearningRateScheduler scheduler, Generator data)
    {
        using var scope = new TensorScope();
        var x = Tensor.Randn(data, [5, 3]);                  // (B, I)
        var target = Tensor.Randn(data, [5, 2]);             // (B, O)
        optimizer.ZeroGrad();
        var loss = Tensor.MeanAll(Tensor.Square(model.Forward(x) - target));
        loss.Backward();
        GradientClipping.ClipGlobalNorm(model.Parameters(), 1.0);
        optimizer.Step();
        scheduler.Step();
    }

    [Theory]
    [InlineData("adamw")]
    [InlineData("sgd")]
    public void ResumingFromACheckpointIsBitExact(string kind)
    {
        var config = new TinyConfig(3, 2);
        Optimizer MakeOptimizer(TinyModel m) => kind == "sgd"
            ? new Sgd(m.Parameters(), new SgdOptions(0.1, Momentum: 0.9, Nesterov: true, WeightDecay: 0.01))
            : new AdamW(m.Parameters(), new AdamOptions(0.05, WeightDecay: 0.01));
        var schedule = new LinearWarmup(2, new CosineAnnealing(6, 0.001));

        // Uninterrupted: 6 steps.
        var straight = new TinyModel(config, new Generator(7));
        var straightOpt = MakeOptimizer(straight);
        var straightSched = new LearningRateScheduler(straightOpt, schedule);
        var straightData = new Generator(11);
        for (int i = 0; i < 6; i++) TrainStep(straight, straightOpt, straightSched, straightData);

        // Interrupted: 3 steps, save everything, rebuild from the checkpoint alone, 3 more steps.
        var first = new TinyModel(config, new Generator(7));
        var firstOpt = MakeOptimizer(first);
        var firstSched = new LearningRateScheduler(firstOpt, schedule);
        var firstData = new Generator(11);
        for (int i = 0; i < 3; i++) TrainStep(first, firstOpt, firstSched, firstData);
        var dir = Path.Combine(root, "resume");
        Checkpoint.Save(dir, first, config, firstOpt, new TrainerState(Epoch: 0, Step: 3, BestMetric: double.NegativeInfinity, firstData.GetState(), firstSched.GetState()));

        var loadedConfig = Checkpoint.LoadConfig<TinyConfig>(dir);
        var resumed = new TinyModel(loadedConfig, new Generator(12345));
        Checkpoint.LoadModel(dir, resumed);
        var resumedOpt = MakeOptimizer(resumed);
        resumedOpt.LearningRate = 123;                         // must be overwritten by the saved rates
        Assert.True(Checkpoint.LoadOptimizer(dir, resumedOpt));
        var trainer = Checkpoint.LoadTrainerState(dir)!;
        Assert.Equal(3, trainer.Step);
        Assert.Equal(double.NegativeInfinity, trainer.BestMetric);
        var resumedData = new Generator(0);
        resumedData.SetState(trainer.Generator!);
        var resumedSched = new LearningRateScheduler(resumedOpt, schedule);
        resumedSched.LoadState(trainer.Scheduler!);
        Assert.Equal(3, resumedOpt.StepCount);
        for (int i = 0; i < 3; i++) TrainStep(resumed, resumedOpt, resumedSched, resumedData);

        Assert.Equal(straight.Weight.ToArray(), resumed.Weight.ToArray());
        Assert.Equal(straight.Bias.ToArray(), resumed.Bias.ToArray());
        Assert.Equal(straightOpt.LearningRate, resumedOpt.LearningRate);
        Assert.Equal(straightOpt.GetState().Tensors.Keys.Order(), resumedOpt.GetState().Tensors.Keys.Order());
        foreach (var (name, t) in straightOpt.GetState().Tensors) Assert.Equal(t.ToArray(), resumedOpt.GetState().Tensors[name].ToArray());
    }
}
