// The row mapping behind CaptionImages: image path (+ settings) → caption, via ImageCaptioner. Registered
// under a contract name so ML.NET can rebuild it when a saved model is loaded
// (PipelineTransforms.Register adds this assembly to the context's component catalog).
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Pipeline.Captioning;

namespace Pipeline.MLNet;

/// <summary>ML.NET custom-mapping factory for <see cref="PipelineTransforms.CaptionImages"/> (used when loading saved models).</summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class CaptionImagesMapping : CustomMappingFactory<CaptionImagesMapping.Input, CaptionImagesMapping.Output>
{
    /// <summary>Contract name stored in saved models.</summary>
    public const string ContractName = "Pipeline.MLNet.CaptionImages";

    /// <summary>Fixed name of the mapping's input column (a copy of the user's column).</summary>
    public const string InputColumn = ModelSettings.ReservedPrefix + "CaptionImages.Path";

    /// <summary>Fixed name of the mapping's output column (copied to the user's name).</summary>
    public const string OutputColumn = ModelSettings.ReservedPrefix + "CaptionImages.Caption";

    /// <inheritdoc/>
    public override Action<Input, Output> GetMapping() => Map;

    internal static void Map(Input input, Output output)
    {
        var settings = ModelSettings.Decode(input.Settings);
        var captioner = LoadedModels.Captioner(settings.ModelDirectory);
        output.Caption = captioner.Caption(input.ImagePath, CaptionOptions.Default with { BeamSize = settings.BeamSize }).Caption;
    }

    /// <summary>One input row.</summary>
    public sealed class Input
    {
        /// <summary>Path of the image file.</summary>
        [ColumnName(InputColumn)]
        public string ImagePath { get; set; } = "";

        /// <summary>Encoded settings (model directory, beam).</summary>
        [ColumnName(ModelSettings.Column)]
        public string Settings { get; set; } = "";
    }

    /// <summary>One output row.</summary>
    public sealed class Output
    {
        /// <summary>The caption.</summary>
        [ColumnName(OutputColumn)]
        public string Caption { get; set; } = "";
    }
}
