// BLEU (Papineni et al. 2002) as computed by the COCO caption evaluation toolkit:
//  * per image, candidate n-gram counts are clipped by the MAX count of that n-gram in any single
//    reference;
//  * the effective reference length is the reference length CLOSEST to the candidate length
//    (ties resolved toward the shorter reference);
//  * corpus BLEU sums guess/correct/testlen/reflen over all images and applies the brevity penalty
//    once, on the totals (see BleuStatistics for the final formula).
using System.Collections.Immutable;

namespace Pipeline.Evaluation.Captioning;

/// <summary>Result of <see cref="Bleu.Compute"/>: corpus BLEU-1..4, per-image BLEU-1..4 and the corpus statistics.</summary>
/// <param name="Corpus">Corpus-level BLEU-1..N.</param>
/// <param name="PerImage">Sentence-level BLEU-1..N for each sample, in input order.</param>
/// <param name="Statistics">Accumulated corpus statistics (guess, correct, testlen, reflen).</param>
public sealed record BleuResult(
    ImmutableArray<double> Corpus,
    ImmutableArray<ImmutableArray<double>> PerImage,
    BleuStatistics Statistics);

/// <summary>BLEU-1..4 with the COCO toolkit's conventions (closest reference length, corpus brevity penalty).</summary>
public static class Bleu
{
    /// <summary>Default maximum n-gram order (BLEU-4).</summary>
    public const int DefaultOrder = 4;

    /// <summary>Per-image statistics for one tokenized candidate against its references.</summary>
    public static BleuStatistics Statistics(
        IReadOnlyList<string> candidate, IReadOnlyList<IReadOnlyList<string>> references, int maxOrder = DefaultOrder)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0) throw new ArgumentException("At least one reference is required.", nameof(references));
        if (maxOrder < 1) throw new ArgumentOutOfRangeException(nameof(maxOrder));

        // Max count of every n-gram over the references: the clipping ceiling.
        var maxRef = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var reference in references)
        {
            foreach (var order in NGrams.Count(reference, maxOrder))
            {
                foreach (var (gram, count) in order)
                {
                    if (!maxRef.TryGetValue(gram, out int m) || count > m) maxRef[gram] = count;
                }
            }
        }

        var guess = new long[maxOrder];
        var correct = new long[maxOrder];
        var candCounts = NGrams.Count(candidate, maxOrder);
        for (int k = 0; k < maxOrder; k++)
        {
            guess[k] = Math.Max(0, candidate.Count - k);
            foreach (var (gram, count) in candCounts[k])
            {
                if (maxRef.TryGetValue(gram, out int m)) correct[k] += Math.Min(count, m);
            }
        }

        return new BleuStatistics(ImmutableArray.Create(guess), ImmutableArray.Create(correct),
            candidate.Count, ClosestReferenceLength(candidate.Count, references));
    }

    /// <summary>
    /// The reference length closest to <paramref name="candidateLength"/>; on a tie the shorter
    /// one (the toolkit takes min over (|len - testlen|, len) pairs).
    /// </summary>
    public static int ClosestReferenceLength(int candidateLength, IReadOnlyList<IReadOnlyList<string>> references)
    {
        int best = -1;
        int bestDiff = int.MaxValue;
        foreach (var reference in references)
        {
            int len = reference.Count;
            int diff = Math.Abs(len - candidateLength);
            if (diff < bestDiff || (diff == bestDiff && len < best))
            {
                best = len;
                bestDiff = diff;
            }
        }
        return best;
    }

    /// <summary>Sentence-level BLEU-1..N of one candidate (brevity penalty from this sentence alone).</summary>
    public static ImmutableArray<double> Sentence(
        IReadOnlyList<string> candidate, IReadOnlyList<IReadOnlyList<string>> references, int maxOrder = DefaultOrder)
        => Statistics(candidate, references, maxOrder).Scores();

    /// <summary>Corpus BLEU (from summed statistics) plus per-image BLEU for every sample.</summary>
    public static BleuResult Compute(IReadOnlyList<EvaluationSample> samples, int maxOrder = DefaultOrder)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var total = BleuStatistics.Zero(maxOrder);
        var perImage = ImmutableArray.CreateBuilder<ImmutableArray<double>>(samples.Count);
        foreach (var sample in samples)
        {
            sample.Validate();
            var stats = Statistics(sample.Candidate, sample.References, maxOrder);
            total = total.Add(stats);
            perImage.Add(stats.Scores());
        }
        return new BleuResult(total.Scores(), perImage.MoveToImmutable(), total);
    }
}
