// ROUGE-L (Lin 2004, "ROUGE: A Package for Automatic Evaluation of Summaries", sec. 3.1) as the
// COCO caption toolkit computes it for a candidate c and references r_1..r_k:
//   P_i = LCS(c, r_i) / |c|,  R_i = LCS(c, r_i) / |r_i|
//   P = max_i P_i,  R = max_i R_i           (maxima taken SEPARATELY, possibly from different refs)
//   ROUGE-L = (1 + beta^2) P R / (R + beta^2 P),  beta = 1.2;  0 if P or R is 0.
// The corpus score is the plain mean of the per-image scores.
using System.Collections.Immutable;

namespace Pipeline.Evaluation.Captioning;

/// <summary>Result of <see cref="RougeL.Compute"/>.</summary>
/// <param name="Corpus">Mean of the per-image ROUGE-L scores.</param>
/// <param name="PerImage">ROUGE-L per sample, in input order.</param>
public sealed record RougeLResult(double Corpus, ImmutableArray<double> PerImage);

/// <summary>LCS-based ROUGE-L F-measure (β = 1.2) with the COCO toolkit's max-over-references rule.</summary>
public static class RougeL
{
    /// <summary>The toolkit's β: recall weighted 1.2² ≈ 1.44 times precision.</summary>
    public const double Beta = 1.2;

    /// <summary>Length of the longest common subsequence of two token sequences (O(|a|·|b|) DP, two rows).</summary>
    public static int LongestCommonSubsequence(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var prev = new int[b.Count + 1];
        var curr = new int[b.Count + 1];
        for (int i = 1; i <= a.Count; i++)
        {
            for (int j = 1; j <= b.Count; j++)
            {
                curr[j] = string.Equals(a[i - 1], b[j - 1], StringComparison.Ordinal)
                    ? prev[j - 1] + 1
                    : Math.Max(prev[j], curr[j - 1]);
            }
            (prev, curr) = (curr, prev);
        }
        return prev[b.Count];
    }

    /// <summary>ROUGE-L of one candidate against its references.</summary>
    public static double Score(IReadOnlyList<string> candidate, IReadOnlyList<IReadOnlyList<string>> references)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0) throw new ArgumentException("At least one reference is required.", nameof(references));
        // An empty candidate (or all-empty references) has no common subsequence: score 0, no division.
        if (candidate.Count == 0) return 0;

        double maxPrecision = 0, maxRecall = 0;
        foreach (var reference in references)
        {
            if (reference.Count == 0) continue;
            int lcs = LongestCommonSubsequence(reference, candidate);
            maxPrecision = Math.Max(maxPrecision, (double)lcs / candidate.Count);
            maxRecall = Math.Max(maxRecall, (double)lcs / reference.Count);
        }
        if (maxPrecision == 0 || maxRecall == 0) return 0;
        const double b2 = Beta * Beta;
        return (1 + b2) * maxPrecision * maxRecall / (maxRecall + b2 * maxPrecision);
    }

    /// <summary>Per-image ROUGE-L and their mean.</summary>
    public static RougeLResult Compute(IReadOnlyList<EvaluationSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var perImage = ImmutableArray.CreateBuilder<double>(samples.Count);
        foreach (var sample in samples)
        {
            sample.Validate();
            perImage.Add(Score(sample.Candidate, sample.References));
        }
        double mean = samples.Count == 0 ? 0 : perImage.Sum() / samples.Count;
        return new RougeLResult(mean, perImage.MoveToImmutable());
    }
}
