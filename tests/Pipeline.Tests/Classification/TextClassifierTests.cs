// The public TextClassifier API on a model trained by the test: load/predict round trip, batched
// prediction equal to one-by-one prediction, concurrent use from several threads, and loading a
// directory whose files disagree fails with a message naming the problem.
using Pipeline.Classification;
using Pipeline.Models.Classification;
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
