// K-fold cross-validation summary: the held-out metric of each fold (its model chosen on a validation
// slice of the other folds) and their mean and sample standard deviation s = sqrt(Σ (xᵢ − x̄)² / (K − 1)).
using System.Globalization;

namespace Pipeline.Classification;

/// <summary>Per-fold scores of a K-fold run with mean ± standard deviation.</summary>
/// <param name="Metric">The validation metric.</param>
/// <param name="Scores">Held-out value of each completed fold.</param>
/// <param name="Folds">K (more than <paramref name="Scores"/>.Count when the run was interrupted).</param>
public sealed record CrossValidationSummary(ClassificationMetric Metric, IReadOnlyList<double> Scores, int Folds)
{
    /// <summary>Mean over completed folds.</summary>
    public double Mean => Scores.Count == 0 ? double.NaN : Scores.Average();

    /// <summary>Sample standard deviation over completed folds (0 for a single fold).</summary>
    public double StandardDeviation => Scores.Count < 2 ? 0 : Math.Sqrt(Scores.Sum(s => (s - Mean) * (s - Mean)) / (Scores.Count - 1));

    /// <summary>Builds the summary.</summary>
    public static CrossValidationSummary From(ClassificationMetric metric, IEnumerable<double> scores, int folds) => new(metric, scores.ToArray(), folds);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Scores.Count}/{Folds}-fold cross-validation {Metric}: {Mean:F4} ± {StandardDeviation:F4} (folds: {string.Join(", ", Scores.Select(s => s.ToString("F4", CultureInfo.InvariantCulture)))})");
}
