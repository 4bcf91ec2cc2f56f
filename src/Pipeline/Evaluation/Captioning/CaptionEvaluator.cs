// Caption evaluation in the manner of the COCO caption evaluation toolkit (Chen et al. 2015,
// "Microsoft COCO Captions: Data Collection and Evaluation Server"): every candidate and reference
// is PTB-tokenized, only the images that have a prediction are evaluated (so CIDEr-D's document
// frequencies come from those images' references), and BLEU-1..4, METEOR-es (our exact+stem
// METEOR), ROUGE-L and CIDEr-D are computed on the same tokenized set.
using System.Collections.Immutable;

namespace Pipeline.Evaluation.Captioning;

/// <summary>
/// Tokenizes predictions and references with <see cref="PtbTokenizer"/> and computes all caption
/// metrics into an immutable <see cref="CaptionMetrics"/>.
/// </summary>
public static class CaptionEvaluator
{
    /// <summary>
    /// Evaluates raw caption strings.
    /// </summary>
    /// <param name="predictions">Image id → candidate caption (one per image; may be empty text).</param>
    /// <param name="references">Image id → reference captions; may contain images without predictions (ignored).</param>
    /// <exception cref="ArgumentException">No predictions, a prediction without references, an empty
    /// reference list, or a null caption (the message names the image id).</exception>
    public static CaptionMetrics Evaluate(
        IReadOnlyDictionary<string, string> predictions,
        IReadOnlyDictionary<string, IReadOnlyList<string>> references)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(references);
        if (predictions.Count == 0) throw new ArgumentException("There are no predictions to evaluate.", nameof(predictions));

        var samples = new List<EvaluationSample>(predictions.Count);
        // Ordinal id order makes per-image output (and floating-point sums) deterministic.
        foreach (var (imageId, candidate) in predictions.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (candidate is null)
                throw new ArgumentException($"The prediction for image '{imageId}' is null.", nameof(predictions));
            if (!references.TryGetValue(imageId, out var refs) || refs is null)
                throw new ArgumentException($"Image '{imageId}' has a prediction but no reference captions.", nameof(references));
            if (refs.Count == 0)
                throw new ArgumentException($"Image '{imageId}' has an empty reference list.", nameof(references));
            if (refs.Any(r => r is null))
                throw new ArgumentException($"Image '{imageId}' has a null reference caption.", nameof(references));
            samples.Add(EvaluationSample.FromText(imageId, candidate, refs));
        }
        return Evaluate(samples);
    }

    /// <summary>
    /// Convenience overload for any id type (e.g. COCO's integer ids; converted with the invariant
    /// culture) and any reference collection type (<c>List&lt;string&gt;</c>, <c>string[]</c>, ...).
    /// </summary>
    public static CaptionMetrics Evaluate<TId, TRefs>(
        IReadOnlyDictionary<TId, string> predictions,
        IReadOnlyDictionary<TId, TRefs> references)
        where TId : notnull
        where TRefs : IEnumerable<string>
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(references);
        var preds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, caption) in predictions)
        {
            if (!preds.TryAdd(IdToString(id), caption))
                throw new ArgumentException($"Image id '{IdToString(id)}' occurs twice after conversion to text.", nameof(predictions));
        }
        var refs = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (id, list) in references)
        {
            // Only the predicted images matter; others are skipped without materialising them.
            string key = IdToString(id);
            if (preds.ContainsKey(key)) refs[key] = list is null ? null! : list.ToArray();
        }
        return Evaluate(preds, refs);
    }

    private static string IdToString<TId>(TId id) where TId : notnull =>
        id is IFormattable f ? f.ToString(null, System.Globalization.CultureInfo.InvariantCulture) : id.ToString() ?? string.Empty;

    /// <summary>Evaluates already tokenized samples (no further tokenization is applied).</summary>
    public static CaptionMetrics Evaluate(IReadOnlyList<EvaluationSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("There are no samples to evaluate.", nameof(samples));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in samples)
        {
            ArgumentNullException.ThrowIfNull(s);
            s.Validate();
            if (!seen.Add(s.ImageId)) throw new ArgumentException($"Image '{s.ImageId}' appears more than once.", nameof(samples));
        }

        var bleu = Bleu.Compute(samples);
        var meteor = Meteor.Compute(samples);
        var rouge = RougeL.Compute(samples);
        var cider = CiderD.Compute(samples);

        var perImage = ImmutableArray.CreateBuilder<ImageCaptionScores>(samples.Count);
        for (int i = 0; i < samples.Count; i++)
        {
            var b = bleu.PerImage[i];
            perImage.Add(new ImageCaptionScores(samples[i].ImageId, string.Join(' ', samples[i].Candidate),
                b[0], b[1], b[2], b[3], meteor.PerImage[i], rouge.PerImage[i], cider.PerImage[i]));
        }
        return new CaptionMetrics(samples.Count,
            bleu.Corpus[0], bleu.Corpus[1], bleu.Corpus[2], bleu.Corpus[3],
            meteor.Corpus, rouge.Corpus, cider.Corpus, perImage.MoveToImmutable());
    }
}
