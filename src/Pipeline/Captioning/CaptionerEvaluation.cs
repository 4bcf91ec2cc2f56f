// Scores a trained model directory on one split of a caption dataset through the public inference path
// (ImageCaptioner: the same file decoding and preprocessing users get), with any decoding settings —
// so the reported test numbers are those of the shipped model, not of the training-time cache.
using Pipeline.Models.Evaluation;
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
        string? imageRoot = null, CaptionFormat format = CaptionFormat.Auto, int batchSize = 64, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(captioner);
        var dataset = CaptionDatasetLoader.Load(dataPath, new CaptionLoadOptions(ImageRoot: imageRoot, Format: format));
        var images = dataset.InSplit(split).ToList();
        if (images.Count == 0) throw new InvalidDataException($"{dataPath} has no images in split '{split}'.");
        var predictions = new Dictionary<string, string>(StringComparer.Ordinal);
        var references = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var chunk in images.Chunk(batchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var results = captioner.CaptionMany(chunk.Select(i => i.Path), options, batchSize);
            for (int i = 0; i < chunk.Length; i++)
            {
                predictions[chunk[i].Path] = results[i].Caption;
                references[chunk[i].Path] = chunk[i].Captions.Select(c => c.Raw).ToList();
            }
        }
        return CaptionEvaluator.Evaluate(predictions, references);
    }
}
