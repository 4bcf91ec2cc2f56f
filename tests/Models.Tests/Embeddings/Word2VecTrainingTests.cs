// End-to-end checks of word2vec training (Mikolov et al. 2013) on a corpus with planted structure:
// neighbourhoods must recover the topics for both architectures, threads = 1 must be bit-reproducible,
// and progress/cancellation must behave.
using Pipeline.Models.Embeddings;

namespace Pipeline.Models.Tests.Embeddings;

public sealed class Word2VecTrainingTests
{
    [Theory]
    [InlineData(Word2VecArchitecture.SkipGram)]
    [InlineData(Word2VecArchitecture.Cbow)]
    public void NearestNeighboursStayInsideTheirTopic(Word2VecArchitecture architecture)
    {
        var vectors = new Word2Vec(SyntheticCorpus.SmallOptions(architecture)).Train(SyntheticCorpus.TwoTopics());

        Assert.Equal(2 * SyntheticCorpus.WordsPerTopic, vectors.Count);
        foreach (var topic in new[] { SyntheticCorpus.Animals, SyntheticCorpus.Vehicles })
        {
            foreach (var word in topic)
            {
                // Five of the nine same-topic words must beat every word of the other topic.
                var neighbours = vectors.MostSimilar(word, 5);
                Assert.All(neighbours, n => Assert.Contains(n.Word, topic));
            }
        }
    }

    [Fact]
    public void TopicsAreSeparatedByAClearMargin()
    {
        var vectors = new Word2Vec(SyntheticCorpus.SmallOptions(Word2VecArchitecture.SkipGram)).Train(SyntheticCorpus.TwoTopics());
        var within = MeanCosine(vectors, SyntheticCorpus.Animals, SyntheticCorpus.Animals);
        var across = MeanCosine(vectors, SyntheticCorpus.Animals, SyntheticCorpus.Vehicles);
        // Not just a ranking: same-topic words must be clearly closer than cross-topic ones.
        Assert.True(within - across > 0.5, $"within {within:F3}, across {across:F3}");
    }

    [Theory]
    [InlineData(Word2VecArchitecture.SkipGram)]
    [InlineData(Word2VecArchitecture.Cbow)]
    public void OneThreadIsBitReproducibleForASeed(Word2VecArchitecture architecture)
    {
        var corpus = SyntheticCorpus.TwoTopics(400);
        var first = new Word2Vec(SyntheticCorpus.SmallOptions(architecture, seed: 11) with { SubsamplingThreshold = 0.01 }).Train(corpus);
        var second = new Word2Vec(SyntheticCorpus.SmallOptions(architecture, seed: 11) with { SubsamplingThreshold = 0.01 }).Train(corpus);
        var other = new Word2Vec(SyntheticCorpus.SmallOptions(architecture, seed: 12) with { SubsamplingThreshold = 0.01 }).Train(corpus);

        Assert.Equal(first.Words, second.Words);
        Assert.True(first.Matrix.SequenceEqual(second.Matrix));
        Assert.False(first.Matrix.SequenceEqual(other.Matrix));
    }

    [Fact]
    public void SeveralThreadsStillLearnTheTopics()
    {
        // Hogwild runs are not reproducible, so only the (robust) structure is asserted.
        var vectors = new Word2Vec(SyntheticCorpus.SmallOptions(Word2VecArchitecture.SkipGram, threads: 2)).Train(SyntheticCorpus.TwoTopics());
        foreach (var word in SyntheticCorpus.Vehicles)
            Assert.All(vectors.MostSimilar(word, 3), n => Assert.Contains(n.Word, SyntheticCorpus.Vehicles));
    }

    [Fact]
    public void ProgressIsMonotoneAndEndsAtTheTotalWithTheRateDecayed()
    {
        var reports = new List<Word2VecProgress>();
        var options = SyntheticCorpus.SmallOptions(Word2VecArchitecture.Cbow) with { Epochs = 2 };
        new Word2Vec(options).Train(SyntheticCorpus.TwoTopics(3000), new SynchronousProgress<Word2VecProgress>(reports.Add));

        Assert.True(reports.Count >= 2);
        for (var i = 1; i < reports.Count; i++)
            Assert.True(reports[i].WordsProcessed >= reports[i - 1].WordsProcessed);
        var last = reports[^1];
        Assert.Equal(2 * 3000 * 8, last.TotalWords);
        Assert.Equal(last.TotalWords, last.WordsProcessed);
        Assert.Equal(1.0, last.Fraction);
        // α = α₀ · max(1e-4, 1 − processed/(total+1)): at the end only the floor (or a hair above it) is left.
        Assert.InRange(last.LearningRate, 0.05f * 1e-4f, 0.05f * 1e-4f + 1e-6f);
    }

    [Fact]
    public void TheCorpusIsTokenizedOnlyOnce()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, Enumerable.Repeat("a b c a b", 50));
            var calls = 0;
            var corpus = Word2VecCorpus.FromTextFile(path, line => { calls++; return line.Split(' '); });
            var vectors = new Word2Vec(new Word2VecOptions(Dimensions: 4, MinCount: 1, Epochs: 3, Threads: 1)).Train(corpus);
            Assert.Equal(50, calls);
            Assert.Equal(["a", "b", "c"], vectors.Words);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AGivenVocabularyRestrictsTraining()
    {
        var corpus = SyntheticCorpus.TwoTopics(200);
        var vocabulary = Word2VecVocabulary.FromCounts([new("animal0", 10), new("animal1", 10), new("unseen", 10)], minCount: 1);
        var reports = new List<Word2VecProgress>();
        var vectors = new Word2Vec(SyntheticCorpus.SmallOptions(Word2VecArchitecture.SkipGram) with { Epochs = 1 })
            .Train(corpus, vocabulary, new SynchronousProgress<Word2VecProgress>(reports.Add));
        Assert.Equal(["animal0", "animal1", "unseen"], vectors.Words);
        // Only corpus occurrences of the two animals count towards the schedule's total.
        var occurrences = corpus.ReadSentences().Sum(s => s.Count(w => w is "animal0" or "animal1"));
        Assert.Equal(occurrences, reports[^1].TotalWords);
    }

    [Fact]
    public void ACancelledTokenStopsTraining()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new Word2Vec(SyntheticCorpus.SmallOptions(Word2VecArchitecture.SkipGram)).Train(SyntheticCorpus.TwoTopics(100), cancellationToken: cancellation.Token));
    }

    [Fact]
    public void ACorpusWithoutFrequentWordsFailsWithAClearMessage()
    {
        var corpus = Word2VecCorpus.FromSentences([new[] { "once", "only" }]);
        var error = Assert.Throws<InvalidOperationException>(() => new Word2Vec(new Word2VecOptions(MinCount: 2, Threads: 1)).Train(corpus));
        Assert.Contains("at least 2 times", error.Message);
    }

    [Fact]
    public void ATokenizerErrorInTheCorpusReachesTheCaller()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, ["a b a b", "a b boom"]);
            var corpus = Word2VecCorpus.FromTextFile(path, line =>
                line.Contains("boom") ? throw new InvalidDataException("bad line") : line.Split(' '));
            var error = Assert.Throws<InvalidDataException>(() => new Word2Vec(new Word2VecOptions(MinCount: 1, Threads: 2)).Train(corpus));
            Assert.Equal("bad line", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static double MeanCosine(WordVectors vectors, string[] left, string[] right)
    {
        double sum = 0;
        var pairs = 0;
        foreach (var a in left)
        {
            foreach (var b in right)
            {
                if (a == b)
                    continue;
                sum += Cosine(vectors.GetVector(a), vectors.GetVector(b));
                pairs++;
            }
        }
        return sum / pairs;
    }

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(a, b);

    // Progress<T> posts to the thread pool; tests need the reports in order and complete on return.
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
