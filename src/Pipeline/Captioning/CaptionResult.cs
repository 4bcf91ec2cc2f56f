// The answer for one image: the caption, its words and score, optional per-word attention over the
// encoder grid (GridH × GridW regions, row-major) for overlays, and the beam's other candidates.
namespace Pipeline.Captioning;

/// <summary>The caption of one image.</summary>
/// <param name="Source">The image path (or the name given for a stream).</param>
/// <param name="Caption">The caption text.</param>
/// <param name="Score">Log-probability of the caption under the model (length-normalised when a length penalty is set).</param>
/// <param name="Words">The caption's words, one per attention row.</param>
/// <param name="Attention">Per word, weights over the GridH·GridW regions (row-major); null unless requested and the model attends.</param>
/// <param name="GridH">Encoder grid height.</param>
/// <param name="GridW">Encoder grid width.</param>
/// <param name="Alternatives">Other beam candidates with their scores, best first (empty for greedy decoding).</param>
/// <param name="Confidence">How familiar the image looks to the model's encoder (Models.Captioning.FeatureDensity): the share of held-out
/// training-domain images that look at least as unusual; near 0 for images unlike anything it was trained on. Null for models without a
/// domain.safetensors.</param>
public sealed record CaptionResult(
    string Source,
    string Caption,
    float Score,
    IReadOnlyList<string> Words,
    float[][]? Attention,
    int GridH,
    int GridW,
    IReadOnlyList<(string Caption, float Score)> Alternatives,
    double? Confidence = null)
{
    /// <summary>True when <see cref="Confidence"/> is below <see cref="Models.Captioning.FeatureDensity.UnsureBelow"/>: the image is outside what the model has seen, and its caption is unreliable.</summary>
    public bool Unsure => Confidence < Models.Captioning.FeatureDensity.UnsureBelow;
}
