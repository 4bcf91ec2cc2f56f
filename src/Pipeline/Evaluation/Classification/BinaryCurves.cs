// ROC and precision-recall curves of a binary classifier, from its positive-class probabilities, for the
// report's charts beside the AUC / AUPRC that ML.NET computes. Examples are sorted by probability, highest
// first; each distinct probability is one threshold (ties move together, so a tie is one diagonal step, as in
// the trapezoidal AUC). ROC: (false-positive rate, true-positive rate) from (0, 0) to (1, 1). PR: (recall,
// precision) from (0, 1). Curves of large sets are thinned to at most MaxPoints evenly spaced thresholds (the
// first and last always kept), which a chart cannot tell apart from the full curve.
using System.Text.Json.Serialization;

namespace Pipeline.Evaluation.Classification;

/// <summary>One point of a curve.</summary>
/// <param name="X">False-positive rate (ROC) or recall (PR).</param>
/// <param name="Y">True-positive rate (ROC) or precision (PR).</param>
public sealed record CurvePoint([property: JsonPropertyName("x")] double X, [property: JsonPropertyName("y")] double Y);

/// <summary>Computes ROC and precision-recall curves.</summary>
public static class BinaryCurves
{
    /// <summary>Most points kept per curve.</summary>
    public const int MaxPoints = 256;

    /// <summary>ROC and PR curves of positive-class <paramref name="scores"/> against <paramref name="positive"/> truth; empty when a class is absent.</summary>
    public static (IReadOnlyList<CurvePoint> Roc, IReadOnlyList<CurvePoint> PrecisionRecall) Compute(IReadOnlyList<bool> positive, IReadOnlyList<float> scores)
    {
        ArgumentNullException.ThrowIfNull(positive);
        ArgumentNullException.ThrowIfNull(scores);
        if (positive.Count != scores.Count) throw new ArgumentException($"{positive.Count} labels but {scores.Count} scores.", nameof(scores));
        int positives = positive.Count(p => p), negatives = positive.Count - positives;
        if (positives == 0 || negatives == 0) return ([], []);
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ThenBy(i => i).ToArray();
        var roc = new List<CurvePoint> { new(0, 0) };
        var pr = new List<CurvePoint> { new(0, 1) };
        int truePositives = 0, falsePositives = 0;
        for (int k = 0; k < order.Length; k++)
        {
            if (positive[order[k]]) truePositives++; else falsePositives++;
            if (k + 1 < order.Length && scores[order[k + 1]] == scores[order[k]]) continue;   // ties: one threshold
            roc.Add(new CurvePoint((double)falsePositives / negatives, (double)truePositives / positives));
            pr.Add(new CurvePoint((double)truePositives / positives, (double)truePositives / (truePositives + falsePositives)));
        }
        return (Thin(roc), Thin(pr));
    }

    private static IReadOnlyList<CurvePoint> Thin(List<CurvePoint> points)
    {
        if (points.Count <= MaxPoints) return points;
        double step = (points.Count - 1) / (double)(MaxPoints - 1);
        return Enumerable.Range(0, MaxPoints).Select(i => points[(int)Math.Round(i * step)]).ToArray();
    }
}
