// ML.NET image captioning: mlContext.Transforms.CaptionImages(modelDir, "ImagePath", "Caption", beam)
// adds a text column with each image's caption (ImageCaptioner.Caption with the given beam width).
// Schema and model directory are checked in Fit/GetOutputSchema; the captioner loads on the first row.
using Microsoft.ML;
using Pipeline.ModelFiles;

namespace Pipeline.MLNet;

/// <summary>Estimator of <see cref="ImageCaptioningTransformer"/>; create it with <see cref="PipelineTransforms.CaptionImages"/>.</summary>
public sealed class ImageCaptioningEstimator : PipelineModelEstimator<ImageCaptioningTransformer>
{
    internal const string Name = "CaptionImages";
    internal const string Meaning = "the image file path";

    internal ImageCaptioningEstimator(string modelDirectory, string inputColumnName, string outputColumnName, int beamSize)
        : base(Name, modelDirectory, inputColumnName, Meaning)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentOutOfRangeException.ThrowIfLessThan(beamSize, 1);
        OutputColumnName = outputColumnName;
        BeamSize = beamSize;
    }

    /// <summary>The caption column added.</summary>
    public string OutputColumnName { get; }

    /// <summary>Beam width (1 = greedy).</summary>
    public int BeamSize { get; }

    private protected override IEstimator<ITransformer> BuildInner()
    {
        var transforms = InnerContext.Transforms;
        return Settings(new ModelSettings(ModelDirectory, BeamSize))
            .Append(transforms.CopyColumns(CaptionImagesMapping.InputColumn, InputColumnName))
            .Append(transforms.CustomMapping(new CaptionImagesMapping().GetMapping(), CaptionImagesMapping.ContractName))
            .Append(transforms.CopyColumns(OutputColumnName, CaptionImagesMapping.OutputColumn))
            .Append(transforms.DropColumns(ModelSettings.Column, CaptionImagesMapping.InputColumn, CaptionImagesMapping.OutputColumn));
    }

    private protected override void ValidateModelDirectory() =>
        ModelDirectoryValidator.Validate(ModelDirectory, ModelDirectorySpecs.Captioner(ModelDirectory));

    private protected override ImageCaptioningTransformer CreateTransformer(ITransformer inner) =>
        new(inner, InputColumnName, ModelDirectory, OutputColumnName, BeamSize);
}

/// <summary>Adds a caption column computed from an image-path column (lazily, row by row).</summary>
public sealed class ImageCaptioningTransformer : PipelineModelTransformer
{
    internal ImageCaptioningTransformer(ITransformer inner, string inputColumnName, string modelDirectory, string outputColumnName, int beamSize)
        : base(inner, ImageCaptioningEstimator.Name, inputColumnName, ImageCaptioningEstimator.Meaning, modelDirectory)
    {
        OutputColumnName = outputColumnName;
        BeamSize = beamSize;
    }

    /// <summary>The caption column added.</summary>
    public string OutputColumnName { get; }

    /// <summary>Beam width (1 = greedy).</summary>
    public int BeamSize { get; }
}
