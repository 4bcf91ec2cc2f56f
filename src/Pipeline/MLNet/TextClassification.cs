// ML.NET text classification: mlContext.Transforms.ClassifyText(modelDir, "Text", "PredictedLabel", "Score")
// adds the predicted label (text) and a vector of class probabilities (TextClassifier.Labels order).
// Schema and model directory are checked in Fit/GetOutputSchema; the classifier loads on the first row.
using Microsoft.ML;
using Pipeline.ModelFiles;

namespace Pipeline.MLNet;

/// <summary>Estimator of <see cref="TextClassificationTransformer"/>; create it with <see cref="PipelineTransforms.ClassifyText"/>.</summary>
public sealed class TextClassificationEstimator : PipelineModelEstimator<TextClassificationTransformer>
{
    internal const string Name = "ClassifyText";
    internal const string Meaning = "the text to classify";

    internal TextClassificationEstimator(string modelDirectory, string inputColumnName, string outputColumnName, string scoreColumnName)
        : base(Name, modelDirectory, inputColumnName, Meaning)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(scoreColumnName);
        if (outputColumnName == scoreColumnName) throw new ArgumentException($"{Name}: the label and score columns need different names ('{outputColumnName}')", nameof(scoreColumnName));
        OutputColumnName = outputColumnName;
        ScoreColumnName = scoreColumnName;
    }

    /// <summary>The predicted-label column added.</summary>
    public string OutputColumnName { get; }

    /// <summary>The probabilities column added.</summary>
    public string ScoreColumnName { get; }

    private protected override IEstimator<ITransformer> BuildInner()
    {
        var transforms = InnerContext.Transforms;
        return Settings(new ModelSettings(ModelDirectory))
            .Append(transforms.CopyColumns(ClassifyTextMapping.InputColumn, InputColumnName))
            .Append(transforms.CustomMapping(new ClassifyTextMapping().GetMapping(), ClassifyTextMapping.ContractName))
            .Append(transforms.CopyColumns(OutputColumnName, ClassifyTextMapping.LabelColumn))
            .Append(transforms.CopyColumns(ScoreColumnName, ClassifyTextMapping.ScoreColumn))
            .Append(transforms.DropColumns(ModelSettings.Column, ClassifyTextMapping.InputColumn, ClassifyTextMapping.LabelColumn, ClassifyTextMapping.ScoreColumn));
    }

    private protected override void ValidateModelDirectory() =>
        ModelDirectoryValidator.Validate(ModelDirectory, ModelDirectorySpecs.Classifier(ModelDirectory));

    private protected override TextClassificationTransformer CreateTransformer(ITransformer inner) =>
        new(inner, InputColumnName, ModelDirectory, OutputColumnName, ScoreColumnName);
}

/// <summary>Adds predicted-label and probability columns computed from a text column (lazily, row by row).</summary>
public sealed class TextClassificationTransformer : PipelineModelTransformer
{
    internal TextClassificationTransformer(ITransformer inner, string inputColumnName, string modelDirectory, string outputColumnName, string scoreColumnName)
        : base(inner, TextClassificationEstimator.Name, inputColumnName, TextClassificationEstimator.Meaning, modelDirectory)
    {
        OutputColumnName = outputColumnName;
        ScoreColumnName = scoreColumnName;
    }

    /// <summary>The predicted-label column added.</summary>
    public string OutputColumnName { get; }

    /// <summary>The probabilities column added.</summary>
    public string ScoreColumnName { get; }
}
