// `pipeline score-captions`: matches predicted captions to the references of any caption dataset format
// and computes the COCO-style metrics. A prediction is matched by numeric image id (COCO results), by
// the file name as written in the annotations, or by the bare file name of a path — and a prediction
// that matches no reference image is an error, never silently ignored.
using Pipeline.Preprocessing.Datasets;

namespace Pipeline.Evaluation.Captioning;

/// <summary>Metrics plus how the predictions lined up with the references.</summary>
/// <param name="Metrics">The caption metrics over matched images.</param>
/// <param name="Matched">Predictions scored.</param>
/// <param name="ReferenceImages">Reference images available (in the chosen split).</param>
public sealed record CaptionScoringResult(CaptionMetrics Metrics, int Matched, int ReferenceImages);

/// <summary>Scores a predictions file against a references dataset.</summary>
public static class CaptionScoring
{
    /// <summary>Scores <paramref name="predictions"/> against the images of <paramref name="references"/> (optionally one split).</summary>
    public static CaptionScoringResult Score(IReadOnlyList<CaptionPrediction> predictions, CaptionDataset references, DatasetSplit? split = null)
    {
        var images = (split is null ? references.Images : references.InSplit(split.Value)).ToList();
        var lookup = new Dictionary<string, CaptionImage>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            if (image.Id is { } id) lookup.TryAdd(id, image);
            lookup.TryAdd(image.FileName, image);
            lookup.TryAdd(Path.GetFileName(image.FileName), image);
        }
        var predicted = new Dictionary<string, string>(StringComparer.Ordinal);
        var refs = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var unmatched = new List<string>();
        foreach (var p in predictions)
        {
            if (!lookup.TryGetValue(p.Key, out var image) && !lookup.TryGetValue(Path.GetFileName(p.Key), out image))
            {
                unmatched.Add(p.Key);
                continue;
            }
            if (!predicted.TryAdd(image.FileName, p.Caption))
                throw new InvalidDataException($"two predictions for image '{image.FileName}' (keys include '{p.Key}'); expected one caption per image.");
            refs[image.FileName] = image.Captions.Select(c => c.Raw).ToList();
        }
        // An image the references name but could not keep (no valid caption) is a different problem from an unknown key.
        foreach (var key in unmatched)
        {
            string? name = references.ImagesWithoutCaptions.ContainsKey(key) ? key
                : references.ImagesWithoutCaptions.ContainsKey(Path.GetFileName(key)) ? Path.GetFileName(key) : null;
            if (name is not null)
                throw new InvalidDataException(
                    $"the prediction for '{key}' refers to reference image '{name}' ({references.ImagesWithoutCaptions[name]}), which has no reference caption to score against; " +
                    "add captions for it to the references or remove its prediction.");
        }
        if (unmatched.Count > 0)
            throw new InvalidDataException($"{unmatched.Count} prediction(s) match no reference image{(split is null ? "" : $" in split {split}")}, e.g. '{string.Join("', '", unmatched.Take(3))}'; keys must be image ids, annotation file names or paths ending in them.");
        if (predicted.Count == 0) throw new InvalidDataException("no predictions to score.");
        return new CaptionScoringResult(CaptionEvaluator.Evaluate(predicted, refs), predicted.Count, images.Count);
    }
}
