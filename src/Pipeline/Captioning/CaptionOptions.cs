// Per-call decoding settings of ImageCaptioner: greedy by default (beam 1), beam search with a length
// penalty when asked, alternatives and attention maps only when asked (they cost memory per image).
namespace Pipeline.Captioning;

/// <summary>How <see cref="ImageCaptioner"/> decodes a caption.</summary>
/// <param name="BeamSize">Beam width (1 = greedy).</param>
/// <param name="MaxLength">Maximum words (null = the model's maximum caption length).</param>
/// <param name="TopK">Captions returned per image: the best plus up to TopK − 1 alternatives (≤ BeamSize).</param>
/// <param name="LengthPenalty">Length normalisation exponent α of beam scores (score / length^α; 0 = raw log-probability).</param>
/// <param name="ReturnAttention">Return the per-word attention over encoder regions (attention models only).</param>
public sealed record CaptionOptions(int BeamSize = 1, int? MaxLength = null, int TopK = 1, float LengthPenalty = 0f, bool ReturnAttention = false)
{
    /// <summary>Greedy decoding, no alternatives, no attention.</summary>
    public static CaptionOptions Default { get; } = new();

    /// <summary>Throws when a setting is out of range.</summary>
    public CaptionOptions Validate()
    {
        if (BeamSize < 1) throw new ArgumentOutOfRangeException(nameof(BeamSize), BeamSize, "beam size must be at least 1");
        if (MaxLength is < 1) throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, "maximum length must be at least 1");
        if (TopK < 1 || TopK > BeamSize) throw new ArgumentOutOfRangeException(nameof(TopK), TopK, $"must be between 1 and the beam size ({BeamSize})");
        if (!(LengthPenalty >= 0)) throw new ArgumentOutOfRangeException(nameof(LengthPenalty), LengthPenalty, "must be non-negative");
        return this;
    }
}
