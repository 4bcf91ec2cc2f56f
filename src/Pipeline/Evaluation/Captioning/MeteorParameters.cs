// Parameters of the METEOR score (Lavie & Agarwal 2007, "METEOR: An Automatic Metric for MT
// Evaluation with High Levels of Correlation with Human Judgments"):
//   Fmean = P R / (alpha P + (1 - alpha) R),  Penalty = gamma (chunks / matches)^beta.
// The "standard" values alpha = 0.9, beta = 3, gamma = 0.5 reproduce the original
// Banerjee & Lavie (2005) formula Fmean = 10 P R / (R + 9 P), Penalty = 0.5 (chunks/matches)^3.
namespace Pipeline.Evaluation.Captioning;

/// <summary>METEOR weighting parameters (α for the F-mean, β and γ for the fragmentation penalty).</summary>
/// <param name="Alpha">Precision/recall balance of the F-mean (0.9 weights recall 9:1).</param>
/// <param name="Beta">Exponent of the fragmentation ratio.</param>
/// <param name="Gamma">Maximum fragmentation penalty.</param>
public sealed record MeteorParameters(double Alpha, double Beta, double Gamma)
{
    /// <summary>The standard parameters α = 0.9, β = 3, γ = 0.5 (Banerjee &amp; Lavie 2005).</summary>
    public static MeteorParameters Standard { get; } = new(0.9, 3.0, 0.5);
}
