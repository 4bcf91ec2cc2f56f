// CaptionerExperiment as a library entry point, without the CLI: a request trains the tiny captioner of
// TinyCaptionData exactly as the task + Trainer do (bit-identical weights), fits the in-domain density on the
// best weights, scores the test split with greedy and beam-3 decoding and writes test_metrics.json; a cancelled
// run saves a checkpoint, is reported as interrupted and skips evaluation, and resuming it finishes the job.
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pipeline.Captioning;
using Pipeline.Evaluation;
using Pipeline.Models.Captioning;
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Training;
using Pipeline.Preprocessing.Datasets;

namespace Pipeline.Tests.Captioning;

public sealed class CaptionerExperimentTests(TinyCaptionData data) : IClassFixture<TinyCaptionData>
{
    private CaptionerTrainingRequest Request(string name, int epochs, bool resume = false) => new(
        Data: new CaptioningTrainingOptions { DataPath = data.DatasetPath, CacheDirectory = Path.Combine(data.Root, "cache"), BatchSize = 4, LearningRate = 3e-3, MinWordFrequency = 1 },
        Architecture: TinyCaptionData.TinyArchitecture,
        OutputDirectory: Path.Combine(data.Root, name),
        Trainer: TinyCaptionData.Options(epochs),
        Seed: 5,
        Resume: resume);

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }

    [Fact]
    public void Run_trains_like_the_task_fits_the_density_and_writes_the_test_metrics()
    {
        var request = Request("experiment", epochs: 1);
        var logger = new ListLogger();
        var reports = new List<(int Epoch, int Batch)>();
        var epochs = new List<EpochSummary>();

        var result = CaptionerExperiment.Run(request, new InlineProgress<TrainingProgress>(p => reports.Add((p.Epoch, p.Batch))), epochs.Add, logger);

        Assert.False(result.Interrupted);
        Assert.False(result.TimeLimitReached);
        Assert.Equal(1, result.Training!.EpochsCompleted);
        Assert.Single(epochs);
        Assert.Equal(Enumerable.Range(1, 6).Select(b => (1, b)), reports);               // 24 images / 4 per batch, in order
        Assert.Contains(logger.Lines, l => l.Level == LogLevel.Information && l.Message.StartsWith("24 training / 3 validation images", StringComparison.Ordinal));

        // The same request through the task and the Trainer (TinyCaptionData's fixture) gives the same weights, bit for bit.
        var direct = SafeTensors.Read(Path.Combine(data.ModelDirectory, Checkpoint.ModelFile)).Tensors;
        var viaExperiment = SafeTensors.Read(Path.Combine(request.OutputDirectory, Checkpoint.ModelFile)).Tensors;
        Assert.Equal(direct.Keys.Order(), viaExperiment.Keys.Order());
        foreach (var (name, tensor) in direct)
            Assert.True(tensor.ToArray().AsSpan().SequenceEqual(viaExperiment[name].ToArray()), $"parameter {name} differs");

        // The density is fitted on the best weights and ships in the model directory.
        Assert.NotNull(result.Density);
        Assert.True(File.Exists(Path.Combine(request.OutputDirectory, FeatureDensity.FileName)));
        var captioner = ImageCaptioner.Load(request.OutputDirectory);
        Assert.True(captioner.HasConfidence);

        // Test scores: both decodings on the 3 test scenes, as returned, as written, and as the public evaluation path computes them.
        Assert.Equal(["greedy", "beam3"], result.Test!.Select(t => t.Decoding));
        Assert.All(result.Test!, t => Assert.Equal(3, t.Metrics.ImageCount));
        Assert.Equal(3, result.Test![1].Options.BeamSize);
        using var written = JsonDocument.Parse(File.ReadAllText(Path.Combine(request.OutputDirectory, MetricsJson.TestMetricsFile)));
        foreach (var scores in result.Test!)
        {
            var recomputed = CaptionerEvaluation.Evaluate(captioner, data.DatasetPath, DatasetSplit.Test, scores.Options);
            Assert.Equal(recomputed.Scores, scores.Metrics.Scores);
            foreach (var (metric, value) in scores.Metrics.Scores)
                Assert.Equal(value, written.RootElement.GetProperty(scores.Decoding).GetProperty(metric).GetDouble());
        }
    }

    [Fact]
    public void A_cancelled_run_saves_a_checkpoint_skips_evaluation_and_resumes()
    {
        var request = Request("cancelled", epochs: 2);
        CaptionerExperimentResult first;
        using (var cancel = new CancellationTokenSource())
            first = CaptionerExperiment.Run(request, new InlineProgress<TrainingProgress>(p => { if (p.Epoch == 2 && p.Batch == 3) cancel.Cancel(); }),
                cancellationToken: cancel.Token);

        Assert.True(first.Interrupted);
        Assert.Null(first.Test);
        Assert.Null(first.Density);
        Assert.True(File.Exists(Path.Combine(request.OutputDirectory, "checkpoints", "last", Checkpoint.ModelFile)));
        Assert.False(File.Exists(Path.Combine(request.OutputDirectory, MetricsJson.TestMetricsFile)));

        var resumed = CaptionerExperiment.Run(request with { Resume = true });
        Assert.False(resumed.Interrupted);
        Assert.Equal(2, resumed.Training!.EpochsCompleted);
        Assert.NotNull(resumed.Density);
        Assert.Equal(2, resumed.Test!.Count);
        Assert.True(File.Exists(Path.Combine(request.OutputDirectory, MetricsJson.TestMetricsFile)));
    }
}
