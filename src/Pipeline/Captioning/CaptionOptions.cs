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

    /// <summary>Widest beam accepted: beams cost memory per image and per vocabulary word, and gains stop long before this.</summary>
    public const int MaxBeamSize = 64;

    /// <summary>Longest caption accepted, in words (attention maps and beams grow with it).</summary>
    public const int MaxWords = 100;

    /// <summary>Throws when a setting is out of range.</summary>
    public CaptionOptions Validate()
    {
        if (BeamSize is < 1 or > MaxBeamSize) throw new ArgumentOutOfRangeException(nameof(BeamSize), BeamSize, $"beam size must be between 1 and {MaxBeamSize}");
        if (MaxLength is < 1 or > MaxWords) throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, $"maximum length must be between 1 and {MaxWords} words");
        if (TopK < 1 || TopK > BeamSize) throw new ArgumentOutOfRangeException(nameof(TopK), TopK, $"must be between 1 and the beam size ({BeamSize})");
        if (!(LengthPenalty >= 0)) throw new ArgumentOutOfRangeException(nameof(LengthPenalty), LengthPenalty, "must be non-negative");
        return this;
    }
}
