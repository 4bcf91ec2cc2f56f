// The captioning task under the generic Trainer: it trains and logs BLEU-4, saves a complete model
// directory, and an interrupted run resumed with --resume ends with exactly the weights and metrics of an
// uninterrupted run (the batch order, dropout draws and optimizer state are all restored).
using Pipeline.Captioning;
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Training;

namespace Pipeline.Tests.Captioning;

public sealed class CaptioningTrainingTaskTests(TinyCaptionData data) : IClassFixture<TinyCaptionData>
{
    [Fact]
    public void TrainingWritesACompleteModelDirectory()
    {
        foreach (var file in new[] { Checkpoint.ModelFile, Checkpoint.ConfigFile, CaptionerDirectory.VocabularyFile, CaptionerDirectory.TokenizerFile, Trainer.MetricsLogFile })
            Assert.True(File.Exists(Path.Combine(data.ModelDirectory, file)), file);
        // The log stores metric names in snake case (valid_bleu_4), as the Trainer writes them.
        var log = Trainer.ReadLog(Path.Combine(data.ModelDirectory, Trainer.MetricsLogFile));
        Assert.Single(log);
        Assert.True(log[0].ValidMetrics.ContainsKey("bleu_4"));
        Assert.True(log[0].ValidMetrics.ContainsKey("cider_d"));
        Assert.True(double.IsFinite(log[0].TrainLoss) && log[0].TrainLoss > 0);
    }

    [Fact]
    public void VocabularyComesFromTrainingCaptionsAndNoImageIsFlipped()
    {
        using var task = data.CreateTask();
        Assert.Equal(task.Corpus.Vocabulary.Count, task.Config.VocabularySize);
        Assert.True(task.Corpus.Vocabulary.Contains("left") || task.Corpus.Vocabulary.Contains("right") || task.Corpus.Vocabulary.Count > 10);
        Assert.False(task.Corpus.ImageOptions.IsStochastic);
        Assert.Equal(24, task.Corpus.Train.Shard.Count);   // 30 scenes: 8 of every 10 are training images
        Assert.Equal(3, task.Corpus.Validation.Shard.Count);
    }

    [Fact]
    public void ResumeAfterCancellationMatchesAnUninterruptedRun()
    {
        string straight = Path.Combine(data.Root, "straight"), interrupted = Path.Combine(data.Root, "interrupted");
        TrainingResult expected;
        using (var task = data.CreateTask())
            expected = new Trainer(TinyCaptionData.Options(epochs: 2), task, straight).Fit();

        // Cancel in the middle of the second epoch (6 batches per epoch), then resume in a fresh process-like task.
        using (var cancel = new CancellationTokenSource())
        using (var task = data.CreateTask())
        {
            var progress = new InlineProgress<TrainingProgress>(p => { if (p.Epoch == 2 && p.Batch == 3) cancel.Cancel(); });
            var first = new Trainer(TinyCaptionData.Options(epochs: 2), task, interrupted).Fit(progress: progress, cancellationToken: cancel.Token);
            Assert.True(first.Interrupted);
        }
        TrainingResult resumed;
        using (var task = data.CreateTask(Path.Combine(interrupted, "checkpoints", "last")))
            resumed = new Trainer(TinyCaptionData.Options(epochs: 2), task, interrupted).Fit(resume: true);

        Assert.False(resumed.Interrupted);
        Assert.Equal(expected.History.Select(h => (h.TrainLoss, h.ValidMetric)), resumed.History.Select(h => (h.TrainLoss, h.ValidMetric)));
        var a = SafeTensors.Read(Path.Combine(straight, "checkpoints", "last", Checkpoint.ModelFile)).Tensors;
        var b = SafeTensors.Read(Path.Combine(interrupted, "checkpoints", "last", Checkpoint.ModelFile)).Tensors;
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, tensor) in a)
            Assert.True(tensor.ToArray().AsSpan().SequenceEqual(b[name].ToArray()), $"parameter {name} differs after resume");
    }
}
