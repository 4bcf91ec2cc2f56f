// Sufficient statistics of METEOR for one candidate/reference alignment (Banerjee & Lavie 2005,
// "METEOR: An Automatic Metric for MT Evaluation with Improved Correlation with Human Judgments"):
//   P = m / |candidate|,  R = m / |reference|,  Fmean = P R / (alpha P + (1 - alpha) R),
//   Penalty = gamma (chunks / m)^beta,  METEOR = Fmean (1 - Penalty),  0 when m = 0.
// Statistics are additive, so a corpus score can be computed from the summed counts the way the
// METEOR tool's system-level score is.
namespace Pipeline.Evaluation.Captioning;

/// <summary>Alignment counts of METEOR and the score they imply.</summary>
/// <param name="Matches">Aligned unigram pairs m (exact + stem).</param>
/// <param name="ExactMatches">How many of the matches were exact (surface-form) matches.</param>
/// <param name="StemMatches">How many were Porter-stem matches.</param>
/// <param name="Chunks">Number of chunks: maximal runs of matches adjacent and in the same order in both sentences.</param>
/// <param name="CandidateLength">Candidate length in tokens.</param>
/// <param name="ReferenceLength">Reference length in tokens.</param>
public sealed record MeteorStatistics(
    int Matches, int ExactMatches, int StemMatches, int Chunks, int CandidateLength, int ReferenceLength)
{
    /// <summary>Neutral element of <see cref="Add"/>.</summary>
    public static MeteorStatistics Zero { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>Unigram precision m / |candidate| (0 for an empty candidate).</summary>
    public double Precision => CandidateLength == 0 ? 0 : (double)Matches / CandidateLength;

    /// <summary>Unigram recall m / |reference| (0 for an empty reference).</summary>
    public double Recall => ReferenceLength == 0 ? 0 : (double)Matches / ReferenceLength;

    /// <summary>Element-wise sum (corpus aggregation).</summary>
    public MeteorStatistics Add(MeteorStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new MeteorStatistics(Matches + other.Matches, ExactMatches + other.ExactMatches,
            StemMatches + other.StemMatches, Chunks + other.Chunks,
            CandidateLength + other.CandidateLength, ReferenceLength + other.ReferenceLength);
    }

    /// <summary>Recall-weighted harmonic mean Fmean = P R / (α P + (1 − α) R).</summary>
    public double FMean(MeteorParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        double p = Precision, r = Recall;
        if (p == 0 || r == 0) return 0;
        return p * r / (parameters.Alpha * p + (1 - parameters.Alpha) * r);
    }

    /// <summary>Fragmentation penalty γ (chunks / matches)^β (0 when there are no matches).</summary>
    public double Penalty(MeteorParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (Matches == 0) return 0;
        return parameters.Gamma * Math.Pow((double)Chunks / Matches, parameters.Beta);
    }

    /// <summary>METEOR = Fmean (1 − Penalty).</summary>
    public double Score(MeteorParameters parameters) => FMean(parameters) * (1 - Penalty(parameters));
}
