// VectorCollapse flags word-vector sets in which every vector points the same way (issue 16: after two
// epochs every nearest neighbour had cosine 1.00 and nothing said so), and leaves healthy sets alone:
// random directions, vectors sharing a moderate common component, and vectors trained on the two-topic corpus.
using Pipeline.Models.Embeddings;

namespace Pipeline.Models.Tests.Embeddings;

public sealed class VectorCollapseTests
{
    private static WordVectors Make(int count, int dimensions, double common, double noise, int seed)
    {
        var random = new Random(seed);
        var direction = Enumerable.Range(0, dimensions).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var matrix = new float[count * dimensions];
        for (int w = 0; w < count; w++)
            for (int k = 0; k < dimensions; k++)
                matrix[w * dimensions + k] = (float)(common * direction[k] + noise * Gaussian(random));
        return new WordVectors(Enumerable.Range(0, count).Select(i => $"word{i}").ToArray(), matrix, dimensions);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public void ACollapsedSetIsFlaggedWithTheCauseAndTheFix()
    {
        // One shared direction plus 2 % noise: every cosine ≈ 1.00, as in the issue.
        var report = VectorCollapse.Check(Make(500, 64, common: 1, noise: 0.02, seed: 1));
        Assert.True(report.Collapsed);
        Assert.Equal(VectorCollapse.DefaultSampleSize, report.SampleSize);
        Assert.True(report.MeanPairwiseCosine > 0.99, $"mean {report.MeanPairwiseCosine}");
        Assert.True(report.MedianNeighbourCosine > 0.99);
        Assert.NotNull(report.Warning);
        Assert.Contains("collapsed", report.Warning);
        Assert.Contains("--epochs", report.Warning);
        Assert.Contains("too little training", report.Warning);
    }

    [Fact]
    public void RandomDirectionsAreHealthy()
    {
        var report = VectorCollapse.Check(Make(500, 64, common: 0, noise: 1, seed: 2));
        Assert.False(report.Collapsed);
        Assert.InRange(report.MeanPairwiseCosine, -0.05, 0.05);
        Assert.Null(report.Warning);
    }

    [Fact]
    public void AModerateCommonComponentIsNotCollapse()
    {
        // Trained word2vec vectors share a frequency direction; a mean cosine around 0.5 is normal.
        var report = VectorCollapse.Check(Make(300, 64, common: 0.18, noise: 0.1, seed: 3));
        Assert.InRange(report.MeanPairwiseCosine, 0.3, 0.7);
        Assert.False(report.Collapsed);
    }

    [Fact]
    public void JustBelowTheLimitIsNotFlaggedAndJustAboveIs()
    {
        // Cosine between two such vectors ≈ c² / (c² + σ²) (64 dims, σ² per dimension vs. c² times the direction's
        // mean square 1/3): c = 1 with σ = 0.32 gives ≈ 0.77, with σ = 0.22 ≈ 0.87 (the limit is 0.8).
        var below = VectorCollapse.Check(Make(300, 64, common: 1, noise: 0.32, seed: 4));
        var above = VectorCollapse.Check(Make(300, 64, common: 1, noise: 0.22, seed: 4));
        Assert.True(below.MeanPairwiseCosine < VectorCollapse.MeanCosineLimit, $"below: {below.MeanPairwiseCosine:F3}");
        Assert.False(below.Collapsed);
        Assert.True(above.MeanPairwiseCosine >= VectorCollapse.MeanCosineLimit, $"above: {above.MeanPairwiseCosine:F3}");
        Assert.True(above.Collapsed);
    }

    [Fact]
    public void TrainedTopicVectorsAreHealthy()
    {
        // The planted topics' words are interchangeable, so their neighbours sit at cosine ≈ 1.00 legitimately;
        // only the mean over all pairs tells collapse from structure.
        var vectors = new Word2Vec(SyntheticCorpus.SmallOptions(Word2VecArchitecture.SkipGram)).Train(SyntheticCorpus.TwoTopics());
        var report = VectorCollapse.Check(vectors);
        Assert.False(report.Collapsed, $"mean {report.MeanPairwiseCosine:F3}, neighbours {report.MedianNeighbourCosine:F3}");
    }

    [Fact]
    public void TooFewWordsSayNothing()
    {
        var report = VectorCollapse.Check(Make(2, 8, common: 1, noise: 0, seed: 5));
        Assert.False(report.Collapsed);
        Assert.Equal(2, report.SampleSize);
    }
}
