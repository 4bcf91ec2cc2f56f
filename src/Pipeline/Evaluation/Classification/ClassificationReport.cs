// The immutable result of one classifier evaluation: ML.NET's multiclass metrics, the confusion
// matrix with label names, per-class precision/recall/F1 derived from it, ML.NET's binary metrics
// for two-class tasks and the most confident mistakes. It is what `--metrics m.json` writes and
// what the HTML classification report renders, for our models and the ML.NET baseline alike.
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Evaluation.Classification;

/// <summary>Metrics of one classifier on one labelled set.</summary>
/// <param name="ExampleCount">Number of evaluated examples.</param>
/// <param name="Labels">Class names by class index.</param>
/// <param name="MicroAccuracy">Fraction of examples whose arg-max class is right.</param>
/// <param name="MacroAccuracy">Mean over classes present in the set of each class's recall.</param>
/// <param name="LogLoss">Mean of −ln p(true class) (ML.NET clips p at 1e-15).</param>
/// <param name="LogLossReduction">(LL(prior) − LL) / LL(prior); the prior is the set's class frequencies.</param>
/// <param name="TopK">The k of <paramref name="TopKAccuracy"/>.</param>
/// <param name="TopKAccuracy">Fraction of examples whose true class is among the k highest scores.</param>
/// <param name="ConfusionMatrix">Counts: rows are true classes, columns predicted classes.</param>
/// <param name="PerClass">Precision/recall/F1/support per class, in class-index order.</param>
/// <param name="Binary">ML.NET binary metrics when there are exactly two classes, else null.</param>
/// <param name="ConfidentMistakes">Wrong predictions, most confident first.</param>
public sealed record ClassificationReport(
    [property: JsonPropertyName("examples")] int ExampleCount,
    [property: JsonPropertyName("labels")] ImmutableArray<string> Labels,
    [property: JsonPropertyName("micro_accuracy")] double MicroAccuracy,
    [property: JsonPropertyName("macro_accuracy")] double MacroAccuracy,
    [property: JsonPropertyName("log_loss")] double LogLoss,
    [property: JsonPropertyName("log_loss_reduction")] double LogLossReduction,
    [property: JsonPropertyName("top_k")] int TopK,
    [property: JsonPropertyName("top_k_accuracy")] double TopKAccuracy,
    [property: JsonPropertyName("confusion_matrix")] ConfusionMatrixCounts ConfusionMatrix,
    [property: JsonPropertyName("per_class")] ImmutableArray<ClassMetrics> PerClass,
    [property: JsonPropertyName("binary")] BinaryClassificationSummary? Binary,
    [property: JsonPropertyName("confident_mistakes")] ImmutableArray<ConfidentMistake> ConfidentMistakes)
{
    // Undefined values (AUC with one class present, for example) are NaN; JSON has no NaN literal, so
    // they are written as the strings "NaN"/"Infinity" rather than failing the whole write.
    internal static readonly JsonSerializerOptions IndentedOptions = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    internal static readonly JsonSerializerOptions CompactOptions = new()
    {
        WriteIndented = false,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Macro-averaged F1 over classes with support (classes absent from the set are left out).</summary>
    [JsonPropertyName("macro_f1")]
    public double MacroF1
    {
        get
        {
            var present = PerClass.Where(c => c.Support > 0).ToArray();
            return present.Length == 0 ? 0 : present.Average(c => c.F1);
        }
    }

    /// <summary>Serializes to JSON (System.Text.Json, snake_case keys).</summary>
    public string ToJson(bool indented = true) =>
        JsonSerializer.Serialize(this, indented ? IndentedOptions : CompactOptions);

    /// <summary>Reads a report written by <see cref="ToJson"/>.</summary>
    public static ClassificationReport FromJson(string json) =>
        JsonSerializer.Deserialize<ClassificationReport>(json, CompactOptions)
        ?? throw new JsonException("The JSON document is null.");
}

/// <summary>A confusion matrix with its label names.</summary>
/// <param name="Labels">Class names; row and column i belong to Labels[i].</param>
/// <param name="Counts">Counts[trueClass][predictedClass].</param>
public sealed record ConfusionMatrixCounts(
    [property: JsonPropertyName("labels")] ImmutableArray<string> Labels,
    [property: JsonPropertyName("counts")] ImmutableArray<ImmutableArray<int>> Counts)
{
    /// <summary>Count of examples of class <paramref name="trueClass"/> predicted as <paramref name="predictedClass"/>.</summary>
    public int this[int trueClass, int predictedClass] => Counts[trueClass][predictedClass];
}

/// <summary>One class's metrics, derived from the confusion matrix.</summary>
/// <param name="Label">Class name.</param>
/// <param name="Precision">TP / (TP + FP); 0 when the class was never predicted.</param>
/// <param name="Recall">TP / (TP + FN); 0 when the class has no examples.</param>
/// <param name="F1">Harmonic mean of precision and recall; 0 when both are 0.</param>
/// <param name="Support">Number of examples whose true class this is.</param>
public sealed record ClassMetrics(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("precision")] double Precision,
    [property: JsonPropertyName("recall")] double Recall,
    [property: JsonPropertyName("f1")] double F1,
    [property: JsonPropertyName("support")] int Support);

/// <summary>ML.NET's binary-classification metrics; the positive class is class index 1.</summary>
/// <param name="PositiveLabel">Name of the positive class.</param>
/// <param name="Auc">Area under the ROC curve.</param>
/// <param name="AreaUnderPrecisionRecallCurve">Area under the precision-recall curve.</param>
/// <param name="Accuracy">Accuracy at the 0.5 probability threshold.</param>
/// <param name="F1">F1 of the positive class.</param>
/// <param name="PositivePrecision">Precision of the positive class.</param>
/// <param name="PositiveRecall">Recall of the positive class.</param>
/// <param name="NegativePrecision">Precision of the negative class.</param>
/// <param name="NegativeRecall">Recall of the negative class.</param>
/// <param name="LogLoss">ML.NET's binary log-loss (base 2).</param>
/// <param name="RocCurve">ROC curve points (false-positive rate, true-positive rate), for the report's chart; null in reports written before it existed.</param>
/// <param name="PrecisionRecallCurve">Precision-recall curve points (recall, precision); null in reports written before it existed.</param>
public sealed record BinaryClassificationSummary(
    [property: JsonPropertyName("positive_label")] string PositiveLabel,
    [property: JsonPropertyName("auc")] double Auc,
    [property: JsonPropertyName("auprc")] double AreaUnderPrecisionRecallCurve,
    [property: JsonPropertyName("accuracy")] double Accuracy,
    [property: JsonPropertyName("f1")] double F1,
    [property: JsonPropertyName("positive_precision")] double PositivePrecision,
    [property: JsonPropertyName("positive_recall")] double PositiveRecall,
    [property: JsonPropertyName("negative_precision")] double NegativePrecision,
    [property: JsonPropertyName("negative_recall")] double NegativeRecall,
    [property: JsonPropertyName("log_loss")] double LogLoss,
    [property: JsonPropertyName("roc_curve")] IReadOnlyList<CurvePoint>? RocCurve = null,
    [property: JsonPropertyName("pr_curve")] IReadOnlyList<CurvePoint>? PrecisionRecallCurve = null);

/// <summary>A wrong prediction, for the "most confident mistakes" list.</summary>
/// <param name="Id">Example id (or its index when the data has none).</param>
/// <param name="Text">The example's text (may be empty when not supplied).</param>
/// <param name="TrueLabel">The true class.</param>
/// <param name="PredictedLabel">The predicted (arg-max) class.</param>
/// <param name="Confidence">Probability given to the predicted class.</param>
public sealed record ConfidentMistake(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("true")] string TrueLabel,
    [property: JsonPropertyName("predicted")] string PredictedLabel,
    [property: JsonPropertyName("confidence")] double Confidence);
