// Entry points of the Pipeline ML.NET components, as extension methods on mlContext.Transforms:
//   CaptionImages(modelDir, inputColumnName, outputColumnName, beam)  image path → caption
//   ClassifyText(modelDir, inputColumnName, outputColumnName, scoreColumnName)  text → label + probabilities
// They chain with any other ML.NET estimator, work with Transform and CreatePredictionEngine, and save
// with mlContext.Model.Save (the model directory path and beam are stored in the model file; the model
// directory itself is not copied). Before mlContext.Model.Load in a fresh process, call Register.
using Microsoft.ML;

namespace Pipeline.MLNet;

/// <summary>Pipeline's ML.NET estimators.</summary>
public static class PipelineTransforms
{
    /// <summary>Default image-path input column.</summary>
    public const string DefaultImagePathColumn = "ImagePath";
    /// <summary>Default caption output column.</summary>
    public const string DefaultCaptionColumn = "Caption";
    /// <summary>Default text input column.</summary>
    public const string DefaultTextColumn = "Text";
    /// <summary>Default predicted-label column (ML.NET's convention).</summary>
    public const string DefaultLabelColumn = "PredictedLabel";
    /// <summary>Default probabilities column (ML.NET's convention).</summary>
    public const string DefaultScoreColumn = "Score";

    /// <summary>
    /// Captions the image whose path is in <paramref name="inputColumnName"/> into the text column
    /// <paramref name="outputColumnName"/>, with the captioner in <paramref name="modelDir"/>.
    /// </summary>
    /// <param name="catalog">mlContext.Transforms.</param>
    /// <param name="modelDir">Captioner model directory (pipeline train captioner).</param>
    /// <param name="inputColumnName">Text column holding image file paths.</param>
    /// <param name="outputColumnName">Caption column to add.</param>
    /// <param name="beam">Beam width (1 = greedy); default <see cref="Captioning.CaptionOptions.DefaultBeamSize"/>, with the default length penalty, like the library and CLI.</param>
    public static ImageCaptioningEstimator CaptionImages(this TransformsCatalog catalog, string modelDir,
        string inputColumnName = DefaultImagePathColumn, string outputColumnName = DefaultCaptionColumn, int beam = Captioning.CaptionOptions.DefaultBeamSize)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new ImageCaptioningEstimator(modelDir, inputColumnName, outputColumnName, beam);
    }

    /// <summary>
    /// Classifies the text in <paramref name="inputColumnName"/> with the classifier in <paramref name="modelDir"/>,
    /// adding the predicted label (text) and the class probabilities (vector of float, in label order).
    /// </summary>
    /// <param name="catalog">mlContext.Transforms.</param>
    /// <param name="modelDir">Classifier model directory (pipeline train classifier).</param>
    /// <param name="inputColumnName">Text column to classify.</param>
    /// <param name="outputColumnName">Predicted-label column to add.</param>
    /// <param name="scoreColumnName">Probabilities column to add.</param>
    public static TextClassificationEstimator ClassifyText(this TransformsCatalog catalog, string modelDir,
        string inputColumnName = DefaultTextColumn, string outputColumnName = DefaultLabelColumn, string scoreColumnName = DefaultScoreColumn)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new TextClassificationEstimator(modelDir, inputColumnName, outputColumnName, scoreColumnName);
    }

    /// <summary>
    /// Registers the Pipeline components with <paramref name="mlContext"/> so <c>mlContext.Model.Load</c> can
    /// rebuild saved models that contain them. Idempotent.
    /// </summary>
    public static void Register(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        mlContext.ComponentCatalog.RegisterAssembly(typeof(PipelineTransforms).Assembly);
    }
}
