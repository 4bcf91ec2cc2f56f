// Unit checks of the two frequency-driven parts of word2vec (Mikolov et al. 2013): the unigram^0.75 noise
// distribution (alias sampler) and the sub-sampling keep probability min(1, √(t/f)), plus the vocabulary
// counting they are built from.
using Pipeline.Models.Embeddings;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Embeddings;

public sealed class NoiseAndSubsamplingTests
{
    [Fact]
    public void NoiseProbabilitiesAreCountsToThePowerThreeQuarters()
    {
        long[] counts = [1000, 100, 10, 1, 0];
        var noise = new NoiseDistribution(counts);
        var total = counts.Sum(c => Math.Pow(c, 0.75));
        for (var i = 0; i < counts.Length; i++)
            Assert.Equal(Math.Pow(counts[i], 0.75) / total, noise.Probability(i), 12);
    }

    [Fact]
    public void AliasSamplerMatchesTheDistributionEmpirically()
    {
        long[] counts = [5000, 800, 300, 40, 7, 1, 0];
        var noise = new NoiseDistribution(counts);
        var generator = new Generator(42);
        const int draws = 200_000;
        var hits = new int[counts.Length];
        for (var i = 0; i < draws; i++)
            hits[noise.Sample(generator)]++;

        Assert.Equal(0, hits[^1]); // a zero count is never drawn
        for (var i = 0; i < counts.Length; i++)
        {
            // Binomial standard error; 5 σ keeps the (seeded) test far from flaky while catching real bias.
            var p = noise.Probability(i);
            var sigma = Math.Sqrt(draws * p * (1 - p));
            Assert.InRange(hits[i], draws * p - 5 * sigma - 1, draws * p + 5 * sigma + 1);
        }
    }

    [Fact]
    public void UniformCountsSampleUniformly()
    {
        var noise = new NoiseDistribution([3, 3, 3, 3]);
        var generator = new Generator(1);
        var hits = new int[4];
        for (var i = 0; i < 40_000; i++)
            hits[noise.Sample(generator)]++;
        Assert.All(hits, h => Assert.InRange(h, 9_500, 10_500));
    }

    [Fact]
    public void NoiseRejectsEmptyOrAllZeroCounts()
    {
        Assert.Throws<ArgumentException>(() => new NoiseDistribution([]));
        Assert.Throws<ArgumentException>(() => new NoiseDistribution([0, 0]));
    }

    [Fact]
    public void KeepProbabilityFollowsThePaperFormula()
    {
        // 10,000 tokens: "the" has f = 0.5, "cat" 0.25, "rare" 1e-4 (below the threshold t = 1e-3).
        var vocabulary = Word2VecVocabulary.FromCounts(
            [new("the", 5000), new("cat", 2500), new("sat", 2499), new("rare", 1)], minCount: 1);
        var keep = vocabulary.KeepProbabilities(1e-3);

        Assert.Equal(Math.Sqrt(1e-3 / 0.5), keep[vocabulary.IndexOf("the")], 5);
        Assert.Equal(Math.Sqrt(1e-3 / 0.25), keep[vocabulary.IndexOf("cat")], 5);
        Assert.Equal(1f, keep[vocabulary.IndexOf("rare")]); // f = 1e-4 < t: always kept
        Assert.All(vocabulary.KeepProbabilities(0), p => Assert.Equal(1f, p));
    }

    [Fact]
    public void SubsamplingThinsFrequentWordsInTraining()
    {
        // "the" (f ≈ 0.5) kept with p ≈ √(0.01/0.5) ≈ 0.14: with t = 0.01 and one epoch its vector barely
        // moves compared with the run without sub-sampling — a cheap end-to-end check that the filter is applied.
        var sentences = Enumerable.Range(0, 200).Select(i => (IReadOnlyList<string>)["the", $"w{i % 20}"]).ToList();
        var corpus = Word2VecCorpus.FromSentences(sentences);
        var options = new Word2VecOptions(Dimensions: 8, MinCount: 1, Epochs: 1, Threads: 1, Window: 1);
        var initial = new Word2Vec(options with { LearningRate = 1e-30f }).Train(corpus).GetVector("the").ToArray();
        var thinned = new Word2Vec(options with { SubsamplingThreshold = 0.01 }).Train(corpus).GetVector("the").ToArray();
        var full = new Word2Vec(options with { SubsamplingThreshold = 0 }).Train(corpus).GetVector("the").ToArray();

        var movedThinned = Distance(initial, thinned);
        var movedFull = Distance(initial, full);
        Assert.True(movedThinned < 0.5 * movedFull, $"thinned moved {movedThinned}, full moved {movedFull}");
    }

    [Fact]
    public void VocabularyKeepsFrequentWordsMostFrequentFirstWithOrdinalTies()
    {
        var vocabulary = Word2VecVocabulary.Build(
            [["b", "a", "c", "a"], ["c", "d", "a", "b"]], minCount: 2);

        Assert.Equal(["a", "b", "c"], vocabulary.Words);
        Assert.Equal([3L, 2L, 2L], vocabulary.Counts);
        Assert.Equal(7, vocabulary.TotalCount);
        Assert.Equal(-1, vocabulary.IndexOf("d"));
    }

    private static double Distance(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.Distance(a, b);
}
