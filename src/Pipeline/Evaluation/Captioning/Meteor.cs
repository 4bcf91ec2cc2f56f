// METEOR (exact+stem, no synonyms/paraphrase) -- our own implementation of the metric of
// Banerjee & Lavie 2005 / Lavie & Agarwal 2007 with the standard parameters alpha = 0.9,
// beta = 3, gamma = 0.5:
//   score(c, r) = Fmean (1 - 0.5 (chunks / m)^3),  Fmean = 10 P R / (R + 9 P)
// Alignment: exact matches, then Porter-stem matches (MeteorAligner). Per image the best score
// over the references is kept; the corpus score is computed from the summed statistics of each
// image's best reference (as the METEOR tool's system-level score), not as a mean.
// It is NOT the METEOR 1.5 jar used by the COCO toolkit (no WordNet synonyms, no paraphrase table,
// no function-word weighting, different parameters), hence the distinct name "METEOR-es".
using System.Collections.Immutable;

namespace Pipeline.Evaluation.Captioning;

/// <summary>Result of <see cref="Meteor.Compute"/>.</summary>
/// <param name="Corpus">Corpus METEOR-es from the summed best-reference statistics.</param>
/// <param name="PerImage">Best-over-references METEOR-es per sample, in input order.</param>
/// <param name="Statistics">Summed best-reference statistics.</param>
public sealed record MeteorResult(double Corpus, ImmutableArray<double> PerImage, MeteorStatistics Statistics);

/// <summary>
/// METEOR (exact+stem, no synonyms/paraphrase): unigram exact and Porter-stem matching, alignment
/// minimising chunks, Fmean with α = 0.9 and fragmentation penalty 0.5·(chunks/matches)³, best over
/// references. Reported under the name <see cref="MetricName"/> ("METEOR-es") because it is not
/// the official METEOR 1.5 score.
/// </summary>
public static class Meteor
{
    /// <summary>Name used for this metric in results: METEOR, exact + stem modules only.</summary>
    public const string MetricName = "METEOR-es";

    /// <summary>Alignment statistics of a candidate against a single reference.</summary>
    public static MeteorStatistics Statistics(IReadOnlyList<string> candidate, IReadOnlyList<string> reference)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(reference);
        return MeteorAligner.Align(candidate, reference);
    }

    /// <summary>
    /// METEOR-es of a candidate against several references: the best single-reference score, with
    /// the statistics of that reference (first one on ties).
    /// </summary>
    public static (double Score, MeteorStatistics Statistics) Best(
        IReadOnlyList<string> candidate, IReadOnlyList<IReadOnlyList<string>> references, MeteorParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0) throw new ArgumentException("At least one reference is required.", nameof(references));
        parameters ??= MeteorParameters.Standard;
        double bestScore = double.NegativeInfinity;
        MeteorStatistics bestStats = MeteorStatistics.Zero;
        foreach (var reference in references)
        {
            var stats = Statistics(candidate, reference);
            double score = stats.Score(parameters);
            if (score > bestScore)
            {
                bestScore = score;
                bestStats = stats;
            }
        }
        return (bestScore, bestStats);
    }

    /// <summary>Per-image best-reference METEOR-es and the corpus score from summed statistics.</summary>
    public static MeteorResult Compute(IReadOnlyList<EvaluationSample> samples, MeteorParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        parameters ??= MeteorParameters.Standard;
        var perImage = ImmutableArray.CreateBuilder<double>(samples.Count);
        var total = MeteorStatistics.Zero;
        foreach (var sample in samples)
        {
            sample.Validate();
            var (score, stats) = Best(sample.Candidate, sample.References, parameters);
            perImage.Add(score);
            total = total.Add(stats);
        }
        return new MeteorResult(total.Score(parameters), perImage.MoveToImmutable(), total);
    }
}
