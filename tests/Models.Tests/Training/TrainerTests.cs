// The generic Trainer on a small softmax-regression task with shuffling and dropout, so every source
// of randomness the real models have is exercised: it learns, logs, checkpoints, stops early, and an
// interrupted-then-resumed run (also mid-epoch) ends bit-identical to an uninterrupted one.
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Nn;
using Pipeline.Models.Optim;
using Pipeline.Models.Tensors;
using Pipeline.Models.Training;

namespace Pipeline.Models.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("trainer-tests").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    private sealed record ToyConfig(int Inputs, int Classes);

    private sealed class ToyModel : Module
    {
        public readonly Linear Layer;
        public readonly Dropout Drop;
        public ToyModel(Generator g) { Layer = RegisterModule("linear", new Linear(4, 3, g)); Drop = RegisterModule("dropout", new Dropout(0.2f, g)); }
    }

    /// <summary>3 classes separable by the sign pattern of the first two inputs; 48 examples, batches of 8.</summary>
    private sealed class ToyTask : ITrainingTask
    {
        private readonly ToyModel model;
        private readonly float[] inputs;
        private readonly int[] labels;
        private int[] order = [];
        public ToyTask(ulong seed, float lr = 0.1f)
        {
            Generator = new Generator(seed);
            model = new ToyModel(Generator);
            Optimizer = new Adam(model.Parameters(), new AdamOptions(LearningRate: lr));
            inputs = Tensor.Randn(new Generator(99), [48, 4]).ToArray();
            labels = Enumerable.Range(0, 48).Select(i => inputs[i * 4] > 0 ? (inputs[i * 4 + 1] > 0 ? 0 : 1) : 2).ToArray();
        }
        public Module Model => model;
        public Optimizer Optimizer { get; }
        public Generator Generator { get; }
        public int ValidationCalls;
        public int PlanEpoch(int epoch, Generator generator)
        {
            order = Enumerable.Range(0, 48).ToArray();
            generator.Shuffle(order);
            return 6;
        }
        public BatchResult TrainBatch(int batchIndex, Generator generator)
        {
            var idx = order.Skip(batchIndex * 8).Take(8).ToArray();
            var x = Tensor.FromArray(idx.SelectMany(i => inputs.AsSpan(i * 4, 4).ToArray()).ToArray(), 8, 4);
            var logits = model.Layer.Forward(model.Drop.Forward(x));
            var loss = Functional.CrossEntropy(logits, idx.Select(i => labels[i]).ToArray(), new CrossEntropyOptions());
            loss.Backward();
            return new BatchResult(loss.Item(), 8);
        }
        public ValidationResult Validate(CancellationToken cancellationToken)
        {
            ValidationCalls++;
            using var scope = new TensorScope();
            var logits = model.Layer.Forward(Tensor.FromArray(inputs, 48, 4));
            var predicted = Tensor.Argmax(logits, 1);
            double accuracy = predicted.Zip(labels).Count(p => p.First == p.Second) / 48.0;
            return new ValidationResult(accuracy, new Dictionary<string, double> { ["accuracy"] = accuracy });
        }
        /// <summary>When set, the Nth save with trainer state dies after writing the weights (what a kill -9 there leaves).</summary>
        public int DieInSave { get; set; }
        private int saves;
        public void Save(string directory, Optimizer? optimizer, TrainerState? state)
        {
            if (state is not null && ++saves == DieInSave)
            {
                Checkpoint.Save(directory, model, new ToyConfig(4, 3));   // model.safetensors of the new step, nothing else
                throw new SimulatedKill();
            }
            Checkpoint.Save(directory, model, new ToyConfig(4, 3), optimizer, state);
        }
        public void LoadWeights(string directory) => Checkpoint.LoadModel(directory, model);
        public float[] Weights() => model.Layer.NamedParameters().SelectMany(p => p.Tensor.ToArray()).ToArray();
    }

    [Fact]
    public void LearnsLogsAndCheckpoints()
    {
        var task = new ToyTask(1);
        var result = new Trainer(new TrainerOptions(Epochs: 8, Patience: 0), task, dir).Fit();
        Assert.Equal(8, result.EpochsCompleted);
        Assert.True(result.BestMetric >= 0.9, $"best accuracy {result.BestMetric}");
        Assert.True(result.History[^1].TrainLoss < result.History[0].TrainLoss);
        Assert.Equal(8, File.ReadAllLines(Path.Combine(dir, Trainer.MetricsLogFile)).Length);
        Assert.True(File.Exists(Path.Combine(dir, Checkpoint.ModelFile)));
        Assert.True(File.Exists(Path.Combine(dir, "checkpoints", "last", Checkpoint.TrainerStateFile)));
        Assert.Equal(8, Trainer.ReadLog(Path.Combine(dir, Trainer.MetricsLogFile)).Count);
    }

    [Theory]
    [InlineData(9)]    // mid-epoch (epoch 2, batch 3)
    [InlineData(12)]   // exactly at an epoch boundary
    public void InterruptedAndResumedEqualsUninterrupted(int cancelAfterBatches)
    {
        var options = new TrainerOptions(Epochs: 4, Patience: 0, LrDecay: new ReduceOnPlateauOptions(Patience: 0, Factor: 0.5));
        var reference = new ToyTask(7);
        var full = new Trainer(options, reference, Path.Combine(dir, "full")).Fit();

        var outDir = Path.Combine(dir, "resumed");
        using var cts = new CancellationTokenSource();
        int seen = 0;
        var progress = new SynchronousProgress(_ => { if (++seen == cancelAfterBatches) cts.Cancel(); });
        var first = new Trainer(options, new ToyTask(7), outDir).Fit(progress: progress, cancellationToken: cts.Token);
        Assert.True(first.Interrupted);

        var resumedTask = new ToyTask(1234);   // different init: everything must come from the checkpoint
        var second = new Trainer(options, resumedTask, outDir).Fit(resume: true);
        Assert.False(second.Interrupted);
        Assert.Equal(reference.Weights(), resumedTask.Weights());
        Assert.Equal(full.History.Select(h => h.TrainLoss), second.History.Select(h => h.TrainLoss));
        Assert.Equal(full.History.Select(h => h.LearningRate), second.History.Select(h => h.LearningRate));
    }

    [Fact]
    public void StopsEarlyWhenTheMetricStalls()
    {
        var task = new ToyTask(2, lr: 0f);   // never improves after the first evaluation
        var result = new Trainer(new TrainerOptions(Epochs: 20, Patience: 2), task, dir).Fit();
        Assert.True(result.StoppedEarly);
        Assert.Equal(3, result.EpochsCompleted);
        Assert.Equal(3, task.ValidationCalls);
    }

    private sealed class SimulatedKill : Exception;

    // Issue 18, item 9: the last checkpoint is one unit. A run killed between model.safetensors and trainer_state.json
    // resumes from the previous complete checkpoint and ends exactly where an uninterrupted run ends.
    [Fact]
    public void AKillBetweenWeightsAndTrainerStateLeavesTheLastCheckpointWhole()
    {
        var options = new TrainerOptions(Epochs: 4, Patience: 0);
        var reference = new ToyTask(7);
        new Trainer(options, reference, Path.Combine(dir, "full")).Fit();

        var outDir = Path.Combine(dir, "killed");
        var killed = new ToyTask(7) { DieInSave = 3 };   // dies while saving the checkpoint of epoch 3
        Assert.Throws<SimulatedKill>(() => new Trainer(options, killed, outDir).Fit());
        var last = Path.Combine(outDir, "checkpoints", "last");
        Assert.Equal(2, Checkpoint.LoadTrainerState(last)!.Epoch);   // still the whole epoch-2 checkpoint
        Assert.Single(Directory.GetDirectories(Path.Combine(outDir, "checkpoints")), d => new DirectoryInfo(d).LinkTarget is null);

        var resumed = new ToyTask(1234);
        new Trainer(options, resumed, outDir).Fit(resume: true);

        Assert.Equal(reference.Weights(), resumed.Weights());
        // The interrupted save's folder was swept; only the current version remains beside the link.
        Assert.Single(Directory.GetDirectories(Path.Combine(outDir, "checkpoints")), d => new DirectoryInfo(d).LinkTarget is null);
    }

    [Fact]
    public void ResumeWithoutCheckpointSaysWhatToDo()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new Trainer(new TrainerOptions(), new ToyTask(1), dir).Fit(resume: true));
        Assert.Contains("--resume", ex.Message);
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> onReport) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => onReport(value);
    }
}
