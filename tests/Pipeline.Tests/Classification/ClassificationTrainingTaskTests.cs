// The classification training task under the generic Trainer: both architectures learn a tiny
// separable corpus, and a run interrupted mid-epoch and resumed ends with exactly the weights of an
// uninterrupted run (the Trainer's resume contract, exercised through this task's batch plan,
// dropout generator and max-norm constraint).
using Pipeline.Classification;
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Classification;
using Pipeline.Models.Training;
using Xunit;

namespace Pipeline.Tests.Classification;

public sealed class ClassificationTrainingTaskTests
{
    [Theory]
    [InlineData(ClassifierArchitecture.TextCnn)]
    [InlineData(ClassifierArchitecture.BiRnn)]
    public void BothArchitecturesLearnTheTinyCorpus(ClassifierArchitecture architecture)
    {
        using var corpus = new TinyCorpus();
        var result = ClassifierExperiment.Run(corpus.Request(architecture, "model"));
        Assert.NotNull(result.Training);
        // Two cue words per text decide the class; a model that learned anything gets (almost) all right.
        Assert.True(result.Training!.BestMetric >= 0.95, $"best validation accuracy {result.Training.BestMetric}");
        Assert.True(result.Training.History[^1].TrainLoss < result.Training.History[0].TrainLoss, "training loss did not fall");
        foreach (var file in new[] { Checkpoint.ModelFile, Checkpoint.ConfigFile, ClassifierDirectory.VocabularyFile, ClassifierDirectory.LabelsFile, ClassifierDirectory.TokenizerFile, ClassifierDirectory.PreprocessingFile })
            Assert.True(File.Exists(Path.Combine(corpus.PathOf("model"), file)), file);
    }

    [Theory]
    [InlineData(ClassifierArchitecture.TextCnn)]
    [InlineData(ClassifierArchitecture.BiRnn)]
    public void ResumedRunEqualsUninterruptedRun(ClassifierArchitecture architecture)
    {
        using var corpus = new TinyCorpus();
        var straight = corpus.Request(architecture, "straight", epochs: 3);
        ClassifierExperiment.Run(straight);

        var interrupted = corpus.Request(architecture, "interrupted", epochs: 3);
        using var cancel = new CancellationTokenSource();
        // Stop in the middle of the second epoch.
        var stopper = new SyncProgress(p => { if (p.Epoch == 2 && p.Batch == 3) cancel.Cancel(); });
        var first = ClassifierExperiment.Run(interrupted, stopper, cancellationToken: cancel.Token);
        Assert.True(first.Interrupted);
        var resumed = ClassifierExperiment.Run(interrupted with { Resume = true });
        Assert.False(resumed.Interrupted);

        var expected = SafeTensors.Read(Path.Combine(straight.OutputDirectory, "checkpoints", "last", Checkpoint.ModelFile)).Tensors;
        var actual = SafeTensors.Read(Path.Combine(interrupted.OutputDirectory, "checkpoints", "last", Checkpoint.ModelFile)).Tensors;
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, tensor) in expected)
            Assert.True(tensor.ToArray().SequenceEqual(actual[name].ToArray()), $"{name} differs after resume");
    }

    [Fact]
    public void BpeTokenizerIsSavedWithTheModelAndUsedAtLoad()
    {
        using var corpus = new TinyCorpus();
        var request = corpus.Request(ClassifierArchitecture.TextCnn, "bpe", epochs: 4) with { Tokenizer = Preprocessing.Text.TokenizerSpec.Bpe() };
        var result = ClassifierExperiment.Run(request);
        Assert.True(result.Training!.BestMetric >= 0.9, $"best validation accuracy {result.Training.BestMetric}");
        var classifier = TextClassifier.Load(request.OutputDirectory);
        Assert.Equal(Preprocessing.Text.TokenizerKind.Bpe, Preprocessing.Text.TokenizerSpec.FromJson(File.ReadAllText(Path.Combine(request.OutputDirectory, ClassifierDirectory.TokenizerFile))).Kind);
        Assert.Equal("pos", classifier.Predict("the movie was great and superb").Label);
    }

    [Fact]
    public void InverseFrequencyWeightsBalanceClasses()
    {
        // 3 of class 0, 1 of class 1: w = N / (K · n_c) = 4/6 and 4/2.
        var w = ClassificationTrainingTask.InverseFrequencyWeights([0, 0, 0, 1], 2);
        Assert.Equal(4f / 6, w[0], 6);
        Assert.Equal(2f, w[1], 6);
    }

    private sealed class SyncProgress(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }
}
