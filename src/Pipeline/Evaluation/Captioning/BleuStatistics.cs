// Sufficient statistics of BLEU (Papineni et al. 2002, "BLEU: a Method for Automatic Evaluation of
// Machine Translation"), in the form the COCO caption toolkit accumulates them:
//   guess[n]   = number of candidate n-grams        = max(0, testlen - n + 1)
//   correct[n] = clipped matches = sum_g min(count_cand(g), max_ref count_ref(g))
//   testlen    = candidate length, reflen = chosen (closest) reference length.
// BLEU-N = BP * (prod_{n<=N} (correct[n] + tiny) / (guess[n] + small))^(1/N),
// BP = 1 if testlen >= reflen else exp(1 - reflen/testlen), with tiny = 1e-15, small = 1e-9
// exactly as the toolkit uses so empty candidates give 0 instead of NaN.
using System.Collections.Immutable;

namespace Pipeline.Evaluation.Captioning;

/// <summary>
/// Additive BLEU statistics (per image or accumulated over a corpus) and the BLEU-1..N scores they
/// imply. Corpus BLEU is computed from the sums of the per-image statistics, not from a mean.
/// </summary>
/// <param name="Guess">Candidate n-gram counts per order (index 0 = unigrams).</param>
/// <param name="Correct">Clipped matching n-gram counts per order.</param>
/// <param name="TestLength">Candidate length in tokens.</param>
/// <param name="ReferenceLength">Effective reference length (closest reference, ties to shorter).</param>
public sealed record BleuStatistics(
    ImmutableArray<long> Guess,
    ImmutableArray<long> Correct,
    long TestLength,
    long ReferenceLength)
{
    /// <summary>Numerator smoothing the toolkit adds so that zero matches give a tiny, not zero, precision.</summary>
    public const double Tiny = 1e-15;

    /// <summary>Denominator smoothing the toolkit adds so that zero guesses never divide by zero.</summary>
    public const double Small = 1e-9;

    /// <summary>Maximum n-gram order (length of <see cref="Guess"/>).</summary>
    public int MaxOrder => Guess.Length;

    /// <summary>All-zero statistics for <paramref name="maxOrder"/> orders (the neutral element of <see cref="Add"/>).</summary>
    public static BleuStatistics Zero(int maxOrder = 4) =>
        new(ImmutableArray.Create(new long[maxOrder]), ImmutableArray.Create(new long[maxOrder]), 0, 0);

    /// <summary>Element-wise sum, used to accumulate corpus statistics.</summary>
    public BleuStatistics Add(BleuStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.MaxOrder != MaxOrder) throw new ArgumentException("BLEU statistics of different orders cannot be added.");
        var g = new long[MaxOrder];
        var c = new long[MaxOrder];
        for (int k = 0; k < MaxOrder; k++)
        {
            g[k] = Guess[k] + other.Guess[k];
            c[k] = Correct[k] + other.Correct[k];
        }
        return new BleuStatistics(ImmutableArray.Create(g), ImmutableArray.Create(c),
            TestLength + other.TestLength, ReferenceLength + other.ReferenceLength);
    }

    /// <summary>
    /// BLEU-1..BLEU-N (cumulative geometric means of the modified precisions) with the brevity
    /// penalty applied, as the toolkit's <c>compute_score</c> does.
    /// </summary>
    public ImmutableArray<double> Scores()
    {
        var scores = new double[MaxOrder];
        double logProduct = 0;
        // Brevity penalty: ratio < 1 means the candidate is shorter than the effective reference.
        double ratio = (TestLength + Tiny) / (ReferenceLength + Small);
        double brevity = ratio < 1 ? Math.Exp(1 - 1 / ratio) : 1.0;
        for (int k = 0; k < MaxOrder; k++)
        {
            // Summing logs rather than multiplying keeps tiny precisions from underflowing before
            // the root is taken; the value is identical to the toolkit's running product.
            logProduct += Math.Log((Correct[k] + Tiny) / (Guess[k] + Small));
            scores[k] = Math.Exp(logProduct / (k + 1)) * brevity;
        }
        return ImmutableArray.Create(scores);
    }
}
