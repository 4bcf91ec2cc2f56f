// Inputs of the HTML reports: plain immutable records that the CLI (`pipeline evaluate`) or a
// notebook fills from evaluation results, so the report code never runs a model itself.

using Pipeline.Evaluation.Captioning;
using Pipeline.Evaluation.Classification;

namespace Pipeline.Reports;

/// <summary>One test image with its generated caption and references, for the gallery.</summary>
/// <param name="ImageId">Image id (matches <see cref="ImageCaptionScores.ImageId"/>).</param>
/// <param name="ImagePath">Image file; a missing or unreadable file shows as a placeholder.</param>
/// <param name="Generated">The model's caption as generated (untokenized).</param>
/// <param name="References">Reference captions.</param>
/// <param name="Confidence">The model's in-domain confidence for the image, when it has one.</param>
public sealed record CaptionExample(string ImageId, string ImagePath, string Generated, IReadOnlyList<string> References, double? Confidence = null);

/// <summary>Per-word attention of one generated caption.</summary>
/// <param name="ImageId">Image id.</param>
/// <param name="ImagePath">Image file.</param>
/// <param name="Words">Generated words, in order.</param>
/// <param name="Grids">Per word, attention weights over the gridHeight × gridWidth encoder cells (row-major).</param>
/// <param name="GridHeight">Rows of the attention grid.</param>
/// <param name="GridWidth">Columns of the attention grid.</param>
/// <param name="View">The captioner's image preprocessing, so the grid is drawn over the region the model saw (null: shorter side resized, centre crop).</param>
public sealed record AttentionExample(string ImageId, string ImagePath, IReadOnlyList<string> Words, IReadOnlyList<float[]> Grids, int GridHeight, int GridWidth,
    Preprocessing.Images.ImagePreprocessingOptions? View = null);

/// <summary>Everything the captioning report shows.</summary>
/// <param name="Title">Page title.</param>
/// <param name="ModelName">Name of the evaluated model (shown in the header).</param>
/// <param name="Metrics">Corpus and per-image caption metrics.</param>
/// <param name="Examples">Test images with captions; the gallery picks the best and worst of them by CIDEr-D.</param>
/// <param name="Attention">Attention maps to show (may be empty).</param>
/// <param name="TrainingLog">Per-epoch training metrics, or null to leave the curves out.</param>
/// <param name="GalleryCount">How many best and how many worst images to show.</param>
/// <param name="Notes">Free text under the header (dataset, checkpoint, ...), or null.</param>
public sealed record CaptioningReportData(
    string Title,
    string ModelName,
    CaptionMetrics Metrics,
    IReadOnlyList<CaptionExample> Examples,
    IReadOnlyList<AttentionExample> Attention,
    IReadOnlyList<TrainingLogEntry>? TrainingLog = null,
    int GalleryCount = 4,
    string? Notes = null);

/// <summary>A classification report under the name of the model that produced it.</summary>
/// <param name="Name">Model name (e.g. "bilstm" or <see cref="MlNetBaseline.ModelName"/>).</param>
/// <param name="Report">Its evaluation.</param>
/// <param name="Note">How this result was obtained, when the reader needs to know to compare it (e.g. the ML.NET baseline's
/// training data and seed, and how its accuracy relates to the one <c>train classifier --baseline</c> reported); shown under the comparison table.</param>
public sealed record NamedClassificationReport(string Name, ClassificationReport Report, string? Note = null);

/// <summary>The per-epoch training log of one model, under its name.</summary>
/// <param name="Name">Model name (empty: the report's only model).</param>
/// <param name="Entries">Its epochs, in order.</param>
public sealed record NamedTrainingLog(string Name, IReadOnlyList<TrainingLogEntry> Entries);

/// <summary>Everything the classification report shows.</summary>
/// <param name="Title">Page title.</param>
/// <param name="Models">Evaluated models side by side (ML.NET baseline included); the first one's details are expanded.</param>
/// <param name="TrainingLog">Per-epoch training metrics of the first model, or null (ignored when <paramref name="TrainingLogs"/> is given).</param>
/// <param name="MistakeCount">Rows of the confident-mistakes table per model.</param>
/// <param name="Notes">Free text under the header, or null.</param>
/// <param name="TrainingLogs">Per-epoch training metrics of several models (e.g. TextCNN and BiLSTM), drawn in the same charts; null = <paramref name="TrainingLog"/>.</param>
public sealed record ClassificationReportData(
    string Title,
    IReadOnlyList<NamedClassificationReport> Models,
    IReadOnlyList<TrainingLogEntry>? TrainingLog = null,
    int MistakeCount = 10,
    string? Notes = null,
    IReadOnlyList<NamedTrainingLog>? TrainingLogs = null)
{
    /// <summary>The training logs the report draws: <see cref="TrainingLogs"/>, else <see cref="TrainingLog"/> under the first model's name.</summary>
    public IReadOnlyList<NamedTrainingLog> EffectiveTrainingLogs =>
        TrainingLogs ?? (TrainingLog is null || Models.Count == 0 ? [] : [new NamedTrainingLog(Models[0].Name, TrainingLog)]);
}
