// One evaluated image as the COCO caption toolkit sees it: a single tokenized candidate caption
// and one or more tokenized reference captions (Chen et al. 2015, COCO Captions evaluation server).
namespace Pipeline.Evaluation.Captioning;

/// <summary>
/// A tokenized evaluation unit: one candidate caption and its reference captions for one image.
/// Tokens are expected to come from <see cref="PtbTokenizer"/> (or be equivalently normalised).
/// </summary>
/// <param name="ImageId">Identifier of the image (used in error messages and per-image results).</param>
/// <param name="Candidate">Candidate caption tokens (may be empty).</param>
/// <param name="References">Reference captions, each a token list; at least one is required.</param>
public sealed record EvaluationSample(
    string ImageId,
    IReadOnlyList<string> Candidate,
    IReadOnlyList<IReadOnlyList<string>> References)
{
    /// <summary>Builds a sample by tokenizing raw strings with <see cref="PtbTokenizer"/>.</summary>
    public static EvaluationSample FromText(string imageId, string candidate, IEnumerable<string> references)
    {
        ArgumentNullException.ThrowIfNull(imageId);
        ArgumentNullException.ThrowIfNull(references);
        var refs = references.Select(r => PtbTokenizer.Tokenize(r)).ToArray();
        return new EvaluationSample(imageId, PtbTokenizer.Tokenize(candidate), refs);
    }

    /// <summary>Throws if the sample has no references (every metric needs at least one).</summary>
    internal void Validate()
    {
        if (References is null || References.Count == 0)
            throw new ArgumentException($"Image '{ImageId}' has no reference captions.");
        if (References.Any(r => r is null))
            throw new ArgumentException($"Image '{ImageId}' has a null reference token list.");
        if (Candidate is null)
            throw new ArgumentException($"Image '{ImageId}' has a null candidate token list.");
    }
}
