// Batching by length: sequences of similar length share a batch, so padding (wasted compute) shrinks.
// A little seeded noise in the sort key and a shuffled batch order keep batches from being identical
// every epoch and keep long batches from always coming last. A plain random batcher is kept beside it
// as the baseline that PaddingRatio compares against.
namespace Pipeline.Preprocessing.Text;

/// <summary>Immutable settings for <see cref="LengthBucketBatcher"/> and <see cref="RandomBatcher"/>.</summary>
/// <param name="BatchSize">Sequences per batch (the last batch may be smaller).</param>
/// <param name="Seed">Seed of the shuffle; the same seed gives the same batches.</param>
/// <param name="Noise">Relative jitter of the sort key: length × (1 + Noise × u), u uniform in [-0.5, 0.5).</param>
public sealed record BatchingOptions(int BatchSize, int Seed = 0, double Noise = 0.1)
{
    /// <summary>Throws when the options are out of range.</summary>
    public void Validate()
    {
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "Must be at least 1.");
        if (Noise is < 0 or > 2 || double.IsNaN(Noise))
            throw new ArgumentOutOfRangeException(nameof(Noise), Noise, "Must be in [0, 2].");
    }
}

/// <summary>Groups sequence indices into batches of similar length.</summary>
public sealed class LengthBucketBatcher
{
    /// <summary>Creates a batcher; options are validated now.</summary>
    public LengthBucketBatcher(BatchingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The batching settings.</summary>
    public BatchingOptions Options { get; }

    /// <summary>
    /// Returns batches of indices into <paramref name="lengths"/>: indices sorted by noisy length, cut into
    /// BatchSize chunks, then the chunk order shuffled. <paramref name="epoch"/> varies the noise per epoch.
    /// </summary>
    public List<int[]> CreateBatches(IReadOnlyList<int> lengths, int epoch = 0)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        var random = new Random(EpochSeed(Options.Seed, epoch));
        var keys = new double[lengths.Count];
        var order = new int[lengths.Count];
        for (var i = 0; i < lengths.Count; i++)
        {
            keys[i] = lengths[i] * (1 + Options.Noise * (random.NextDouble() - 0.5));
            order[i] = i;
        }
        // Index as the tie-break makes the sort total, so the result never depends on the sort algorithm.
        Array.Sort(order, (a, b) => keys[a] != keys[b] ? keys[a].CompareTo(keys[b]) : a.CompareTo(b));
        var batches = Chunk(order, Options.BatchSize);
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batches));
        return batches;
    }

    /// <summary>
    /// Padded cells / total cells when each batch is padded to its longest member: 0 means no padding.
    /// </summary>
    public static double PaddingRatio(IReadOnlyList<int> lengths, IEnumerable<IReadOnlyList<int>> batches)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        ArgumentNullException.ThrowIfNull(batches);
        long total = 0, padded = 0;
        foreach (var batch in batches)
        {
            var longest = 0;
            long used = 0;
            foreach (var index in batch)
            {
                longest = Math.Max(longest, lengths[index]);
                used += lengths[index];
            }
            total += (long)longest * batch.Count;
            padded += (long)longest * batch.Count - used;
        }
        return total == 0 ? 0 : (double)padded / total;
    }

    // HashCode.Combine is randomized per process, so seeds are mixed by hand to stay reproducible across runs.
    internal static int EpochSeed(int seed, int epoch) => unchecked(seed * 1_000_003 + epoch * 7919);

    internal static List<int[]> Chunk(int[] order, int batchSize)
    {
        var batches = new List<int[]>((order.Length + batchSize - 1) / batchSize);
        for (var start = 0; start < order.Length; start += batchSize)
            batches.Add(order[start..Math.Min(start + batchSize, order.Length)]);
        return batches;
    }
}

/// <summary>The baseline: a seeded shuffle of all indices cut into batches, ignoring lengths.</summary>
public sealed class RandomBatcher
{
    /// <summary>Creates a batcher; options are validated now (Noise is unused).</summary>
    public RandomBatcher(BatchingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The batching settings.</summary>
    public BatchingOptions Options { get; }

    /// <summary>Returns <paramref name="count"/> indices shuffled and cut into batches.</summary>
    public List<int[]> CreateBatches(int count, int epoch = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var order = Enumerable.Range(0, count).ToArray();
        new Random(LengthBucketBatcher.EpochSeed(Options.Seed, epoch)).Shuffle(order);
        return LengthBucketBatcher.Chunk(order, Options.BatchSize);
    }
}
