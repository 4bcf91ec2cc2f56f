// The public TextClassifier API on a model trained by the test: load/predict round trip, batched
// prediction equal to one-by-one prediction, concurrent use from several threads, and loading a
// directory whose files disagree fails with a message naming the problem.
using Pipeline.Classification;
using Pipeline.Models.Classification;
using Pipeline.Preprocessing.Datasets;
using Xunit;

namespace Pipeline.Tests.Classification;

public sealed class TextClassifierTests : IClassFixture<TextClassifierTests.TrainedModel>
{
    private readonly TrainedModel trained;

    public TextClassifierTests(TrainedModel trained) => this.trained = trained;

    public sealed class TrainedModel : IDisposable
    {
        public TrainedModel()
        {
            Corpus = new TinyCorpus();
            Directory = Corpus.Request(ClassifierArchitecture.TextCnn, "model").OutputDirectory;
            ClassifierExperiment.Run(Corpus.Request(ClassifierArchitecture.TextCnn, "model"));
        }

        public TinyCorpus Corpus { get; }
        public string Directory { get; }

        public void Dispose() => Corpus.Dispose();
    }

    [Fact]
    public void LoadAndPredictRoundTrip()
    {
        var classifier = TextClassifier.Load(trained.Directory);
        Assert.Equal(["neg", "pos"], classifier.Labels);
        var positive = classifier.Predict("the movie was great and the acting superb");
        var negative = classifier.Predict("the movie was awful and the plot dreadful");
        Assert.Equal("pos", positive.Label);
        Assert.Equal("neg", negative.Label);
        Assert.Equal(1f, positive.Probabilities.Sum(), 4);
        Assert.Equal(positive.Probabilities[1], positive.Confidence);
        Assert.Equal(2, positive.TopK.Count);   // top-3 clamped to the 2 classes
        Assert.Equal(("pos", positive.Confidence), positive.TopK[0]);
    }

    [Fact]
    public void OptionsSetTopKPerCall()
    {
        string directory = Pipeline.Tests.Support.TinyModelDirectories.WriteClassifier(trained.Corpus.PathOf("three-classes-" + Guid.NewGuid().ToString("N")));
        using var classifier = TextClassifier.Load(directory);
        const string text = "win a free cruise now";
        Assert.Equal(ClassifyOptions.DefaultTopK, classifier.Predict(text).TopK.Count);
        var one = classifier.Predict(text, new ClassifyOptions(TopK: 1));
        var two = classifier.Predict(text, new ClassifyOptions(TopK: 2));
        Assert.Single(one.TopK);
        Assert.Equal(2, two.TopK.Count);
        Assert.Equal(two.TopK[0], one.TopK[0]);
        Assert.True(two.TopK[0].Probability >= two.TopK[1].Probability);
        Assert.Equal(2, classifier.PredictMany([text, "team meeting at noon"], new ClassifyOptions(TopK: 2)).Select(p => p.TopK.Count).Distinct().Single());
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => classifier.Predict(text, new ClassifyOptions(TopK: 0)));
        Assert.Equal("TopK", error.ParamName);
#pragma warning disable CS0618 // the obsolete shim still works and shares the model
        Assert.Single(classifier.WithTopK(1).Predict(text).TopK);
#pragma warning restore CS0618
    }

    [Fact]
    public async Task ClassifyAsyncStreamsThePredictionsOfPredictInOrder()
    {
        using var classifier = TextClassifier.Load(trained.Directory);
        var random = new Random(5);
        var texts = Enumerable.Range(0, 11).Select(i => TinyCorpus.Sentence(i % 3 == 0, random)).ToArray();
        var expected = texts.Select(t => classifier.Predict(t, new ClassifyOptions(TopK: 1))).ToArray();
        var fromList = new List<Prediction>();
        await foreach (var p in classifier.ClassifyAsync(texts, new ClassifyOptions(TopK: 1), batchSize: 4)) fromList.Add(p);
        var channel = System.Threading.Channels.Channel.CreateUnbounded<string>();
        foreach (var t in texts) channel.Writer.TryWrite(t);
        channel.Writer.Complete();
        var fromChannel = new List<Prediction>();
        await foreach (var p in classifier.ClassifyAsync(channel.Reader.ReadAllAsync(), new ClassifyOptions(TopK: 1), batchSize: 3)) fromChannel.Add(p);
        foreach (var streamed in new[] { fromList, fromChannel })
        {
            Assert.Equal(expected.Select(p => p.Label), streamed.Select(p => p.Label));
            for (int i = 0; i < texts.Length; i++)
            {
                Assert.Single(streamed[i].TopK);
                for (int c = 0; c < expected[i].Probabilities.Length; c++) Assert.Equal(expected[i].Probabilities[c], streamed[i].Probabilities[c], 5);
            }
        }
    }

    [Fact]
    public async Task ClassifyAsyncStopsWhenCancelledAndDisposeRefusesLaterCalls()
    {
        var classifier = TextClassifier.Load(trained.Directory);
        using var cancel = new CancellationTokenSource();
        int seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var p in classifier.ClassifyAsync(Enumerable.Repeat("a fine film", 20), batchSize: 5, cancellationToken: cancel.Token))
            {
                seen++;
                cancel.Cancel();
            }
        });
        Assert.Equal(5, seen);
        classifier.Dispose();
        Assert.Throws<ObjectDisposedException>(() => classifier.Predict("a fine film"));
        Assert.Throws<ObjectDisposedException>(() => classifier.PredictMany(["a fine film"]));
        Assert.Throws<ObjectDisposedException>(() => classifier.ClassifyAsync(["a fine film"]));
    }

    [Fact]
    public void PredictManyEqualsPredictPerItem()
    {
        var classifier = TextClassifier.Load(trained.Directory);
        var random = new Random(11);
        // Mixed lengths, an empty text and an unknown-words text, in a batch size that leaves a remainder.
        var texts = Enumerable.Range(0, 23).Select(i => TinyCorpus.Sentence(i % 2 == 0, random)).Append("").Append("zebra quantum").ToArray();
        var batched = classifier.PredictMany(texts, batchSize: 4);
        Assert.Equal(texts.Length, batched.Count);
        for (int i = 0; i < texts.Length; i++)
        {
            var single = classifier.Predict(texts[i]);
            Assert.Equal(single.Label, batched[i].Label);
            for (int c = 0; c < single.Probabilities.Length; c++)
                Assert.Equal(single.Probabilities[c], batched[i].Probabilities[c], 5);   // padding may change summation order only
        }
    }

    [Fact]
    public void ConcurrentCallersGetTheSequentialResults()
    {
        var classifier = TextClassifier.Load(trained.Directory);
        var random = new Random(5);
        var texts = Enumerable.Range(0, 40).Select(i => TinyCorpus.Sentence(i % 3 == 0, random)).ToArray();
        var expected = classifier.PredictMany(texts, batchSize: 8).Select(p => p.Probabilities).ToArray();
        var failures = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            for (int round = 0; round < 5; round++)
            {
                var got = worker % 2 == 0 ? classifier.PredictMany(texts, batchSize: 8).Select(p => p.Probabilities).ToArray()
                                          : texts.Select(t => classifier.Predict(t).Probabilities).ToArray();
                for (int i = 0; i < texts.Length; i++)
                    for (int c = 0; c < 2; c++)
                        if (Math.Abs(got[i][c] - expected[i][c]) > 1e-5f) Interlocked.Increment(ref failures);
            }
        });
        Assert.Equal(0, failures);
    }

    [Fact]
    public void TestEvaluationScoresTheClassifiersProbabilitiesWithTheEvaluator()
    {
        var classifier = TextClassifier.Load(trained.Directory);
        // Includes texts labelled against their cue words, so there are mistakes to count.
        var examples = new[]
        {
            new ClassificationExample("the movie was great", "pos"), new ClassificationExample("the plot was awful", "neg"),
            new ClassificationExample("superb and lovely story", "pos"), new ClassificationExample("nasty dreadful acting", "neg"),
            new ClassificationExample("a really nice plot", "neg"), new ClassificationExample("quite terrible movie", "pos"),
        };
        var report = ClassifierExperiment.Evaluate(classifier, examples);
        var predictions = classifier.PredictMany(examples.Select(e => e.Text));
        double accuracy = examples.Zip(predictions).Count(x => x.First.Label == x.Second.Label) / (double)examples.Length;
        double logLoss = -examples.Zip(predictions).Average(x => Math.Log(x.Second.Probabilities[x.First.Label == "neg" ? 0 : 1]));
        Assert.Equal(6, report.ExampleCount);
        Assert.Equal(accuracy, report.MicroAccuracy, 9);
        Assert.Equal(logLoss, report.LogLoss, 5);
        Assert.Equal(["neg", "pos"], report.Labels.ToArray());
    }

    [Fact]
    public void LoadRejectsLabelsThatDoNotMatchTheModel()
    {
        var copy = trained.Corpus.PathOf("broken-labels");
        CopyDirectory(trained.Directory, copy);
        File.WriteAllText(Path.Combine(copy, ClassifierDirectory.LabelsFile), "[\"a\",\"b\",\"c\"]");
        var e = Assert.Throws<InvalidDataException>(() => TextClassifier.Load(copy));
        Assert.Contains("3", e.Message);
        Assert.Contains(ClassifierDirectory.LabelsFile, e.Message);
    }

    [Fact]
    public void LoadRejectsAVocabularyOfAnotherSize()
    {
        var copy = trained.Corpus.PathOf("broken-vocab");
        CopyDirectory(trained.Directory, copy);
        File.WriteAllText(Path.Combine(copy, ClassifierDirectory.VocabularyFile), "{\"format\":\"pipeline-vocabulary\",\"version\":1,\"tokens\":[\"<pad>\",\"<unk>\",\"<start>\",\"<end>\",\"x\"]}");
        var e = Assert.Throws<InvalidDataException>(() => TextClassifier.Load(copy));
        Assert.Contains(ClassifierDirectory.VocabularyFile, e.Message);
    }

    [Fact]
    public void LoadNamesAMissingFile()
    {
        var copy = trained.Corpus.PathOf("missing-tokenizer");
        CopyDirectory(trained.Directory, copy);
        File.Delete(Path.Combine(copy, ClassifierDirectory.TokenizerFile));
        var e = Assert.Throws<FileNotFoundException>(() => TextClassifier.Load(copy));
        Assert.Contains(ClassifierDirectory.TokenizerFile, e.Message);
    }

    private static void CopyDirectory(string from, string to)
    {
        System.IO.Directory.CreateDirectory(to);
        foreach (var file in System.IO.Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
    }
}
