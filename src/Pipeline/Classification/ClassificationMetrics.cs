// The validation metric early stopping watches, and how it is computed from predictions:
//   accuracy = mean[ŷ = y];  macro-F1 = mean over classes c of 2·P_c·R_c / (P_c + R_c)
// (an undefined ratio counts as 0, as scikit-learn's zero_division=0 and ClassificationEvaluator do).
namespace Pipeline.Classification;

/// <summary>Which validation metric selects the best epoch.</summary>
public enum ClassificationMetric
{
    /// <summary>Fraction of correct arg-max predictions.</summary>
    Accuracy,
    /// <summary>Unweighted mean of the per-class F1 scores (robust to class imbalance).</summary>
    MacroF1,
}

/// <summary>Accuracy and macro-F1 from class indices.</summary>
public static class ClassificationMetrics
{
    /// <summary>Fraction of positions where <paramref name="predicted"/> equals <paramref name="truth"/>.</summary>
    public static double Accuracy(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        if (truth.Count != predicted.Count) throw new ArgumentException($"{predicted.Count} predictions for {truth.Count} labels.", nameof(predicted));
        if (truth.Count == 0) return double.NaN;
        int correct = 0;
        for (int i = 0; i < truth.Count; i++) if (truth[i] == predicted[i]) correct++;
        return (double)correct / truth.Count;
    }

    /// <summary>Mean over <paramref name="classCount"/> classes of each class's F1.</summary>
    public static double MacroF1(IReadOnlyList<int> truth, IReadOnlyList<int> predicted, int classCount)
    {
        if (truth.Count != predicted.Count) throw new ArgumentException($"{predicted.Count} predictions for {truth.Count} labels.", nameof(predicted));
        var tp = new int[classCount];
        var support = new int[classCount];
        var predictedCount = new int[classCount];
        for (int i = 0; i < truth.Count; i++)
        {
            support[truth[i]]++;
            predictedCount[predicted[i]]++;
            if (truth[i] == predicted[i]) tp[truth[i]]++;
        }
        double sum = 0;
        for (int c = 0; c < classCount; c++)
        {
            double precision = predictedCount[c] == 0 ? 0 : (double)tp[c] / predictedCount[c];
            double recall = support[c] == 0 ? 0 : (double)tp[c] / support[c];
            sum += precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        }
        return sum / classCount;
    }

    /// <summary>The value of <paramref name="metric"/>.</summary>
    public static double Compute(ClassificationMetric metric, IReadOnlyList<int> truth, IReadOnlyList<int> predicted, int classCount) => metric switch
    {
        ClassificationMetric.Accuracy => Accuracy(truth, predicted),
        ClassificationMetric.MacroF1 => MacroF1(truth, predicted, classCount),
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };
}
