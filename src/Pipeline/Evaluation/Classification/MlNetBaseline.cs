// The ML.NET baseline classifier: bag of word and character n-grams (FeaturizeText) fed to a
// multinomial logistic regression trained by SDCA (SdcaMaximumEntropy). It sits beside our
// tensor models in every classifier evaluation, so a model that cannot beat a linear n-gram
// model is obvious. Its probabilities are re-ordered into the ordinal label order of our
// LabelMap and scored by ClassificationEvaluator, so its report is directly comparable.
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Pipeline.MLNet;
using Pipeline.Preprocessing.Datasets;

namespace Pipeline.Evaluation.Classification;

/// <summary>Immutable settings of the ML.NET baseline.</summary>
/// <param name="Seed">Seed of the ML.NET context (SDCA shuffles with it); default <see cref="DefaultSeed"/>, the default
/// <c>--seed</c> of <c>train classifier</c>, so <c>train classifier --baseline</c> and <c>evaluate classifier --baseline</c>
/// shuffle alike unless a seed is given.</param>
/// <param name="MaximumIterations">SDCA passes over the data; null lets SDCA decide.</param>
/// <param name="L2Regularization">SDCA's L2 weight; null lets SDCA pick from the data.</param>
/// <param name="Evaluation">Top-k and mistakes-list settings of the report.</param>
public sealed record MlNetBaselineOptions(
    int Seed = MlNetBaselineOptions.DefaultSeed,
    int? MaximumIterations = null,
    float? L2Regularization = null,
    ClassificationEvaluationOptions? Evaluation = null)
{
    /// <summary>Default seed: the default <c>--seed</c> of <c>train classifier</c> (<see cref="Pipeline.Classification.ClassifierTrainingRequest"/>).</summary>
    public const int DefaultSeed = 42;
}

/// <summary>Trains the FeaturizeText + SdcaMaximumEntropy baseline and evaluates it.</summary>
public static class MlNetBaseline
{
    /// <summary>Name under which reports list the baseline.</summary>
    public const string ModelName = "ML.NET baseline (n-grams + SDCA)";

    /// <summary>
    /// Says how a baseline result of <c>evaluate classifier --baseline</c> was obtained and, when the model directory's
    /// test_metrics.json holds the accuracy <c>train classifier --baseline</c> measured, how the two relate: that run
    /// trained the baseline on the training split left after the validation hold-out, with the training seed, and scored
    /// it on its own --test file, so its number can differ from one trained on a whole file and scored on other data.
    /// </summary>
    /// <param name="evaluated">The baseline's report from this evaluation.</param>
    /// <param name="trainingSource">The training data file given to <c>--baseline</c>.</param>
    /// <param name="trainingExamples">Examples the baseline was trained on.</param>
    /// <param name="seed">The seed it was trained with.</param>
    /// <param name="modelDirectory">The evaluated model's directory (its test_metrics.json is read when present), or null.</param>
    public static string DescribeEvaluation(ClassificationReport evaluated, string trainingSource, int trainingExamples, int seed, string? modelDirectory)
    {
        ArgumentNullException.ThrowIfNull(evaluated);
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        string here = string.Create(culture, $"trained by evaluate --baseline on {trainingSource} ({trainingExamples} examples, seed {seed}); accuracy {evaluated.MicroAccuracy:P1} on {evaluated.ExampleCount} test examples.");
        double? atTraining = modelDirectory is null ? null : TrainingRunAccuracy(Path.Combine(modelDirectory, MetricsJson.TestMetricsFile));
        if (atTraining is not { } recorded) return here;
        if (Math.Abs(recorded - evaluated.MicroAccuracy) < 1e-9)
            return here + " train classifier --baseline reported the same accuracy.";
        return here + string.Create(culture, $" train classifier --baseline reported {recorded:P1} for it ({MetricsJson.TestMetricsFile}): ") +
            "that run trained it on the training split left after the validation hold-out, with the training --seed, and scored it on its --test file. " +
            "Different training examples, seed or test set explain the difference; compare models within one run.";
    }

    // The baseline's micro accuracy in a test_metrics.json written by ClassifierExperiment, or null when absent or unreadable.
    private static double? TrainingRunAccuracy(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                   && document.RootElement.TryGetProperty(ModelName, out var baseline)
                   && baseline.TryGetProperty("micro_accuracy", out var accuracy) && accuracy.ValueKind == System.Text.Json.JsonValueKind.Number
                ? accuracy.GetDouble() : null;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or IOException) { return null; }
    }

    /// <summary>
    /// Trains on <paramref name="training"/> and evaluates on <paramref name="test"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Either set is empty, training has fewer than two labels,
    /// or a test label was not seen in training (the message names the example).</exception>
    public static ClassificationReport TrainAndEvaluate(
        IReadOnlyList<ClassificationExample> training,
        IReadOnlyList<ClassificationExample> test,
        MlNetBaselineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(test);
        options ??= new MlNetBaselineOptions();
        if (training.Count == 0) throw new ArgumentException("The training set is empty.", nameof(training));
        if (test.Count == 0) throw new ArgumentException("The test set is empty.", nameof(test));

        var labelMap = LabelMap.Fit(training.Select(e => e.Label));
        if (labelMap.Labels.Count < 2)
            throw new ArgumentException($"The training set has only one label ('{labelMap.Labels[0]}'); a classifier needs two.", nameof(training));
        var trueLabels = new int[test.Count];
        for (int i = 0; i < test.Count; i++)
        {
            if (!labelMap.TryGetIndex(test[i].Label, out trueLabels[i]))
                throw new ArgumentException(
                    $"Test example {test[i].Id ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)}: label '{test[i].Label}' was not seen in training.",
                    nameof(test));
        }

        var ml = new MLContext(options.Seed);
        var model = Train(ml, training, options);
        var probabilities = Predict(ml, model, test, labelMap);
        return ClassificationEvaluator.Evaluate(
            trueLabels,
            probabilities,
            labelMap.Labels,
            ids: test.Select((e, i) => e.Id ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            texts: test.Select(e => e.Text).ToArray(),
            options: options.Evaluation);
    }

    private static ITransformer Train(MLContext ml, IReadOnlyList<ClassificationExample> training, MlNetBaselineOptions options)
    {
        var data = ClassificationDataView.FromExamples(ml, training);
        var pipeline = ml.Transforms.Conversion.MapValueToKey(ClassificationDataView.LabelColumn, ClassificationDataView.LabelColumn)
            .Append(ml.Transforms.Text.FeaturizeText("Features", ClassificationDataView.TextColumn))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new Microsoft.ML.Trainers.SdcaMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = ClassificationDataView.LabelColumn,
                FeatureColumnName = "Features",
                MaximumNumberOfIterations = options.MaximumIterations,
                L2Regularization = options.L2Regularization,
                // One thread: SDCA's result depends on the interleaving of threads, and runs must repeat.
                NumberOfThreads = 1,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"));
        return pipeline.Fit(data);
    }

    private static float[][] Predict(MLContext ml, ITransformer model, IReadOnlyList<ClassificationExample> test, LabelMap labelMap)
    {
        var scored = model.Transform(ClassificationDataView.FromExamples(ml, test));

        // Score slot j belongs to the j-th key of the Label column, in the order MapValueToKey met
        // the labels; the key values annotation names them so they can be moved to LabelMap order.
        VBuffer<ReadOnlyMemory<char>> keyNames = default;
        scored.Schema[ClassificationDataView.LabelColumn].GetKeyValues(ref keyNames);
        var slotToClass = keyNames.DenseValues().Select(name =>
            labelMap.TryGetIndex(name.ToString(), out int index)
                ? index
                : throw new InvalidOperationException($"ML.NET produced an unknown label '{name}'.")).ToArray();

        var scores = scored.GetColumn<float[]>("Score").ToArray();
        var result = new float[scores.Length][];
        for (int i = 0; i < scores.Length; i++)
        {
            var row = new float[labelMap.Labels.Count];
            for (int slot = 0; slot < slotToClass.Length; slot++) row[slotToClass[slot]] = scores[i][slot];
            result[i] = row;
        }
        return result;
    }
}
