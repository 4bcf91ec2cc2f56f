// Classifier evaluation through ML.NET: whatever produced the probabilities (our tensor models or
// the ML.NET baseline), the numbers come from MulticlassClassification.Evaluate (and, for two
// classes, BinaryClassification.Evaluate), so every model in a comparison is scored by the same
// code. Per-class precision/recall/F1 are derived here from the confusion matrix because ML.NET
// reports only precision and recall per class, and the mistakes list needs the raw probabilities.
using System.Collections.Immutable;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Pipeline.Evaluation.Classification;

/// <summary>Immutable settings for <see cref="ClassificationEvaluator"/>.</summary>
/// <param name="TopK">k of the top-k accuracy (clamped to the number of classes).</param>
/// <param name="MistakeCount">How many most-confident mistakes to keep.</param>
/// <param name="Seed">Seed of the ML.NET context (evaluation is deterministic; kept for uniformity).</param>
public sealed record ClassificationEvaluationOptions(int TopK = ClassificationEvaluationOptions.DefaultTopK, int MistakeCount = ClassificationEvaluationOptions.DefaultMistakeCount, int Seed = 0)
{
    /// <summary>Default k of the top-k accuracy.</summary>
    public const int DefaultTopK = 3;

    /// <summary>Default length of the confident-mistakes list.</summary>
    public const int DefaultMistakeCount = 20;
}

/// <summary>Scores per-example class probabilities against true labels with ML.NET's evaluators.</summary>
public static class ClassificationEvaluator
{
    /// <summary>
    /// Evaluates predictions.
    /// </summary>
    /// <param name="trueLabels">True class index of each example, in [0, K).</param>
    /// <param name="probabilities">Per example, the K class probabilities (each row should sum to 1).</param>
    /// <param name="labels">Class names by index (K entries).</param>
    /// <param name="ids">Optional example ids (default: the example index).</param>
    /// <param name="texts">Optional example texts for the mistakes list.</param>
    /// <param name="options">Top-k and mistakes-list settings.</param>
    /// <exception cref="ArgumentException">Empty input, misaligned lengths, a label index out of range,
    /// or a probability row of the wrong length or with a non-finite value (the message names the example).</exception>
    public static ClassificationReport Evaluate(
        IReadOnlyList<int> trueLabels,
        IReadOnlyList<float[]> probabilities,
        IReadOnlyList<string> labels,
        IReadOnlyList<string>? ids = null,
        IReadOnlyList<string>? texts = null,
        ClassificationEvaluationOptions? options = null)
    {
        options ??= new ClassificationEvaluationOptions();
        Validate(trueLabels, probabilities, labels, ids, texts, options);
        int classCount = labels.Count;
        int topK = Math.Min(options.TopK, classCount);

        var ml = new MLContext(options.Seed);
        var rows = new Row[trueLabels.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            // Key values are 1-based inside ML.NET (0 means "missing"), but LoadFromEnumerable adds
            // the 1 itself when a uint property is declared as a key column, so the class index goes in as is.
            rows[i] = new Row { Label = (uint)trueLabels[i], Score = probabilities[i], PredictedLabel = (uint)ArgMax(probabilities[i]) };
        }
        var data = ml.Data.LoadFromEnumerable(rows, RowSchema(classCount));
        var metrics = ml.MulticlassClassification.Evaluate(data, nameof(Row.Label), nameof(Row.Score), nameof(Row.PredictedLabel), topK);

        var names = labels.ToImmutableArray();
        var confusion = ToCounts(metrics.ConfusionMatrix, names);
        return new ClassificationReport(
            ExampleCount: rows.Length,
            Labels: names,
            MicroAccuracy: metrics.MicroAccuracy,
            MacroAccuracy: metrics.MacroAccuracy,
            LogLoss: metrics.LogLoss,
            LogLossReduction: metrics.LogLossReduction,
            TopK: topK,
            TopKAccuracy: metrics.TopKAccuracy,
            ConfusionMatrix: confusion,
            PerClass: PerClassMetrics(confusion),
            Binary: classCount == 2 ? EvaluateBinary(ml, trueLabels, probabilities, names[1]) : null,
            ConfidentMistakes: Mistakes(trueLabels, probabilities, names, ids, texts, options.MistakeCount));
    }

    /// <summary>Precision/recall/F1/support of each class from a confusion matrix (rows true, columns predicted).</summary>
    public static ImmutableArray<ClassMetrics> PerClassMetrics(ConfusionMatrixCounts confusion)
    {
        int k = confusion.Labels.Length;
        var result = ImmutableArray.CreateBuilder<ClassMetrics>(k);
        for (int c = 0; c < k; c++)
        {
            int truePositives = confusion[c, c];
            int support = 0, predicted = 0;
            for (int j = 0; j < k; j++)
            {
                support += confusion[c, j];
                predicted += confusion[j, c];
            }
            // Zero-division convention of scikit-learn's zero_division=0: an undefined ratio counts as 0.
            double precision = predicted == 0 ? 0 : (double)truePositives / predicted;
            double recall = support == 0 ? 0 : (double)truePositives / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            result.Add(new ClassMetrics(confusion.Labels[c], precision, recall, f1, support));
        }
        return result.MoveToImmutable();
    }

    /// <summary>Index of the largest value; ties go to the lowest index (as ML.NET's predictors do).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best]) best = i;
        }
        return best;
    }

    private static BinaryClassificationSummary EvaluateBinary(MLContext ml, IReadOnlyList<int> trueLabels, IReadOnlyList<float[]> probabilities, string positiveLabel)
    {
        var rows = new BinaryRow[trueLabels.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            float p = probabilities[i][1];
            // ML.NET thresholds the raw score at 0 (accuracy, F1, precision/recall), so the score is the
            // logit of the probability: logit(p) > 0 exactly when p > 0.5, and the ranking (AUC) is unchanged.
            rows[i] = new BinaryRow { Label = trueLabels[i] == 1, Score = Logit(p), Probability = p, PredictedLabel = p > 0.5f };
        }
        var data = ml.Data.LoadFromEnumerable(rows);
        var m = ml.BinaryClassification.Evaluate(data, nameof(BinaryRow.Label), nameof(BinaryRow.Score), nameof(BinaryRow.Probability), nameof(BinaryRow.PredictedLabel));
        var (roc, pr) = BinaryCurves.Compute(rows.Select(r => r.Label).ToArray(), rows.Select(r => r.Probability).ToArray());
        return new BinaryClassificationSummary(positiveLabel, m.AreaUnderRocCurve, m.AreaUnderPrecisionRecallCurve, m.Accuracy, m.F1Score,
            m.PositivePrecision, m.PositiveRecall, m.NegativePrecision, m.NegativeRecall, m.LogLoss, roc, pr);
    }

    private static float Logit(float probability)
    {
        // Clamped so that p = 0 or 1 gives a large finite score instead of ±infinity.
        double p = Math.Clamp(probability, 1e-7, 1 - 1e-7);
        return (float)Math.Log(p / (1 - p));
    }

    private static ImmutableArray<ConfidentMistake> Mistakes(IReadOnlyList<int> trueLabels, IReadOnlyList<float[]> probabilities,
        ImmutableArray<string> labels, IReadOnlyList<string>? ids, IReadOnlyList<string>? texts, int count)
    {
        var mistakes = new List<(int Index, int Predicted, float Confidence)>();
        for (int i = 0; i < trueLabels.Count; i++)
        {
            int predicted = ArgMax(probabilities[i]);
            if (predicted != trueLabels[i]) mistakes.Add((i, predicted, probabilities[i][predicted]));
        }
        // Stable order: confidence descending, then example order, so reports do not change between runs.
        return mistakes.OrderByDescending(m => m.Confidence).ThenBy(m => m.Index).Take(count)
            .Select(m => new ConfidentMistake(
                ids?[m.Index] ?? m.Index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                texts?[m.Index] ?? string.Empty,
                labels[trueLabels[m.Index]],
                labels[m.Predicted],
                m.Confidence))
            .ToImmutableArray();
    }

    private static ConfusionMatrixCounts ToCounts(ConfusionMatrix matrix, ImmutableArray<string> labels)
    {
        // ML.NET's Counts are doubles (they can hold weights); unweighted counts are whole numbers.
        var rows = matrix.Counts.Select(r => r.Select(v => (int)Math.Round(v)).ToImmutableArray()).ToImmutableArray();
        return new ConfusionMatrixCounts(labels, rows);
    }

    private static SchemaDefinition RowSchema(int classCount)
    {
        // The key and vector sizes are only known at run time, so they are set on the schema
        // definition rather than through attributes.
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Label)].ColumnType = new KeyDataViewType(typeof(uint), classCount);
        schema[nameof(Row.PredictedLabel)].ColumnType = new KeyDataViewType(typeof(uint), classCount);
        schema[nameof(Row.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, classCount);
        return schema;
    }

    private static void Validate(IReadOnlyList<int> trueLabels, IReadOnlyList<float[]> probabilities, IReadOnlyList<string> labels,
        IReadOnlyList<string>? ids, IReadOnlyList<string>? texts, ClassificationEvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(trueLabels);
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        if (trueLabels.Count == 0) throw new ArgumentException("There are no examples to evaluate.", nameof(trueLabels));
        if (labels.Count < 2) throw new ArgumentException($"A classifier needs at least 2 classes; got {labels.Count}.", nameof(labels));
        if (probabilities.Count != trueLabels.Count)
            throw new ArgumentException($"Got {probabilities.Count} probability rows for {trueLabels.Count} labels.", nameof(probabilities));
        if (ids is not null && ids.Count != trueLabels.Count)
            throw new ArgumentException($"Got {ids.Count} ids for {trueLabels.Count} examples.", nameof(ids));
        if (texts is not null && texts.Count != trueLabels.Count)
            throw new ArgumentException($"Got {texts.Count} texts for {trueLabels.Count} examples.", nameof(texts));
        if (options.TopK < 1) throw new ArgumentException($"TopK must be at least 1; got {options.TopK}.", nameof(options));
        if (options.MistakeCount < 0) throw new ArgumentException($"MistakeCount must be non-negative; got {options.MistakeCount}.", nameof(options));
        for (int i = 0; i < trueLabels.Count; i++)
        {
            if ((uint)trueLabels[i] >= (uint)labels.Count)
                throw new ArgumentException($"Example {i}: label index {trueLabels[i]} is outside [0, {labels.Count}).", nameof(trueLabels));
            var row = probabilities[i] ?? throw new ArgumentException($"Example {i}: the probability row is null.", nameof(probabilities));
            if (row.Length != labels.Count)
                throw new ArgumentException($"Example {i}: {row.Length} probabilities for {labels.Count} classes.", nameof(probabilities));
            foreach (float p in row)
            {
                if (!float.IsFinite(p) || p < 0)
                    throw new ArgumentException($"Example {i}: probability {p} is not a finite non-negative number.", nameof(probabilities));
            }
        }
    }

    private sealed class Row
    {
        public uint Label { get; set; }

        public float[] Score { get; set; } = [];

        public uint PredictedLabel { get; set; }
    }

    private sealed class BinaryRow
    {
        public bool Label { get; set; }

        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }
}
