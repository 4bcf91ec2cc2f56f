// Tests for LengthBucketBatcher: batches cover every index once, are seeded, and cut padding versus random batching.
using Pipeline.Preprocessing.Text;

namespace Pipeline.Preprocessing.Tests.Text;

public sealed class LengthBucketBatcherTests
{
    // Log-normal lengths (median ~12, long tail), like real captions and e-mails; fixed seed.
    private static int[] SkewedLengths(int count, int seed)
    {
        var random = new Random(seed);
        var lengths = new int[count];
        for (var i = 0; i < count; i++)
        {
            var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            lengths[i] = Math.Max(1, (int)Math.Round(Math.Exp(2.5 + 0.8 * normal)));
        }
        return lengths;
    }

    [Fact]
    public void BucketingCutsPaddingByAClearMargin()
    {
        var lengths = SkewedLengths(5000, seed: 1);
        var options = new BatchingOptions(BatchSize: 32, Seed: 7);
        var bucketed = LengthBucketBatcher.PaddingRatio(lengths, new LengthBucketBatcher(options).CreateBatches(lengths));
        var random = LengthBucketBatcher.PaddingRatio(lengths, new RandomBatcher(options).CreateBatches(lengths.Length));
        // Random batches of a log-normal pad well over half the cells; sorted ones only a few percent.
        Assert.True(random > 0.5, $"random padding ratio {random:F3}");
        Assert.True(bucketed < 0.1, $"bucketed padding ratio {bucketed:F3}");
        Assert.True(bucketed < random / 5, $"bucketed {bucketed:F3} vs random {random:F3}");
    }

    [Fact]
    public void BatchesCoverEveryIndexOnceAndAreSeeded()
    {
        var lengths = SkewedLengths(1001, seed: 2);
        var batcher = new LengthBucketBatcher(new BatchingOptions(BatchSize: 10, Seed: 3));
        var batches = batcher.CreateBatches(lengths);
        Assert.Equal(Enumerable.Range(0, lengths.Length), batches.SelectMany(b => b).Order());
        Assert.Equal(101, batches.Count);
        Assert.Equal(batches, batcher.CreateBatches(lengths));
        Assert.NotEqual(batches, batcher.CreateBatches(lengths, epoch: 1));
        // Batch order is shuffled: not monotone in length.
        var maxima = batches.Select(b => b.Max(i => lengths[i])).ToArray();
        Assert.NotEqual(maxima.Order(), maxima);
    }

    [Fact]
    public void PaddingRatioCountsPaddedCells()
        => Assert.Equal(4.0 / 12, LengthBucketBatcher.PaddingRatio([4, 1, 2, 1], [[0, 1], [2, 3]])); // (3 + 1) padded of (8 + 4) cells

    [Fact]
    public void RejectsBadOptions()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LengthBucketBatcher(new BatchingOptions(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomBatcher(new BatchingOptions(4, Noise: -1)));
    }
}
