// The row mapping behind ClassifyText: text (+ settings) → predicted label and the probability of every
// class (in TextClassifier.Labels order), via TextClassifier.Predict. Registered under a contract name
// so ML.NET can rebuild it when a saved model is loaded.
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Pipeline.MLNet;

/// <summary>ML.NET custom-mapping factory for <see cref="PipelineTransforms.ClassifyText"/> (used when loading saved models).</summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class ClassifyTextMapping : CustomMappingFactory<ClassifyTextMapping.Input, ClassifyTextMapping.Output>
{
    /// <summary>Contract name stored in saved models.</summary>
    public const string ContractName = "Pipeline.MLNet.ClassifyText";

    /// <summary>Fixed name of the mapping's input column.</summary>
    public const string InputColumn = ModelSettings.ReservedPrefix + "ClassifyText.Text";

    /// <summary>Fixed name of the predicted-label output column.</summary>
    public const string LabelColumn = ModelSettings.ReservedPrefix + "ClassifyText.Label";

    /// <summary>Fixed name of the probabilities output column.</summary>
    public const string ScoreColumn = ModelSettings.ReservedPrefix + "ClassifyText.Score";

    /// <inheritdoc/>
    public override Action<Input, Output> GetMapping() => Map;

    internal static void Map(Input input, Output output)
    {
        var settings = ModelSettings.Decode(input.Settings);
        var prediction = LoadedModels.Classifier(settings.ModelDirectory).Predict(input.Text);
        output.Label = prediction.Label;
        output.Score = prediction.Probabilities;
    }

    /// <summary>One input row.</summary>
    public sealed class Input
    {
        /// <summary>The text to classify.</summary>
        [ColumnName(InputColumn)]
        public string Text { get; set; } = "";

        /// <summary>Encoded settings (model directory).</summary>
        [ColumnName(ModelSettings.Column)]
        public string Settings { get; set; } = "";
    }

    /// <summary>One output row.</summary>
    public sealed class Output
    {
        /// <summary>The most probable label.</summary>
        [ColumnName(LabelColumn)]
        public string Label { get; set; } = "";

        /// <summary>Probability of each class, indexed like the model's labels.</summary>
        [ColumnName(ScoreColumn)]
        public float[] Score { get; set; } = [];
    }
}
