// Scores a trained model directory on one split of a caption dataset through the public inference path
// (ImageCaptioner: the same file decoding and preprocessing users get), with any decoding settings —
// so the reported test numbers are those of the shipped model, not of the training-time cache.
using Pipeline.Evaluation.Captioning;
using Pipeline.Preprocessing.Datasets;

namespace Pipeline.Captioning;

/// <summary>Test-set evaluation of an <see cref="ImageCaptioner"/>.</summary>
public static class CaptionerEvaluation
{
    /// <summary>
    /// Captions every image of <paramref name="split"/> in <paramref name="dataPath"/> with <paramref name="options"/> and
    /// returns BLEU-1..4, METEOR-es, ROUGE-L and CIDEr-D against the reference captions.
    /// </summary>
    /// <exception cref="InvalidDataException">The split has no images.</exception>
    public static CaptionMetrics Evaluate(ImageCaptioner captioner, string dataPath, DatasetSplit split, CaptionOptions options,
        string? imageRoot = null, CaptionFormat format = CaptionFormat.Auto, int batchSize = 64, CancellationToken cancellationToken = default) =>
        EvaluateDetailed(captioner, dataPath, split, options, imageRoot, format, batchSize, cancellationToken).Metrics;

    /// <summary>Like <see cref="Evaluate"/>, also returning every image with its generated caption (for reports).</summary>
    public static CaptionerEvaluationResult EvaluateDetailed(ImageCaptioner captioner, string dataPath, DatasetSplit split, CaptionOptions options,
        string? imageRoot = null, CaptionFormat format = CaptionFormat.Auto, int batchSize = 64, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(captioner);
        var dataset = CaptionDatasetLoader.Load(dataPath, new CaptionLoadOptions(ImageRoot: imageRoot, Format: format));
        var images = dataset.InSplit(split).ToList();
        if (images.Count == 0) throw new InvalidDataException($"{dataPath} has no images in split '{split}'.");
        var predictions = new Dictionary<string, string>(StringComparer.Ordinal);
        var references = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var items = new List<(CaptionImage Image, CaptionResult Result)>(images.Count);
        foreach (var chunk in images.Chunk(batchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var results = captioner.CaptionMany(chunk.Select(i => i.Path), options, batchSize);
            for (int i = 0; i < chunk.Length; i++)
            {
                // Keyed by the file name as the annotations write it: unique per dataset, short in reports.
                predictions[chunk[i].FileName] = results[i].Caption;
                references[chunk[i].FileName] = chunk[i].Captions.Select(c => c.Raw).ToList();
                items.Add((chunk[i], results[i]));
            }
        }
        return new CaptionerEvaluationResult(CaptionEvaluator.Evaluate(predictions, references), items);
    }
}

/// <summary>Test-set metrics plus each image's generated caption.</summary>
/// <param name="Metrics">Corpus and per-image metrics (per-image ids are the annotations' file names).</param>
/// <param name="Items">Every evaluated image with its caption result, in dataset order.</param>
public sealed record CaptionerEvaluationResult(CaptionMetrics Metrics, IReadOnlyList<(CaptionImage Image, CaptionResult Result)> Items);
