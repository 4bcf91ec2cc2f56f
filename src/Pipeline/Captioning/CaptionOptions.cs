// Per-call decoding settings of ImageCaptioner. The defaults are the settings the shipped photo model's
// dev-split BLEU/CIDEr were measured with — beam 3 with length normalisation α = 1 (docs/CAPTIONING.md) —
// and every entry point (library, `pipeline caption`, `pipeline evaluate captioner`, the ML.NET transform,
// cluster jobs) reads them from here, so one image gets one caption whichever way it is captioned.
// α = 0 (raw log-probability) favours short beams that drop details ("a large circle above a small
// triangle" for "a large orange circle above a small orange triangle"); α = 1 ranks by mean log-probability
// per word. Alternatives and attention maps only when asked: they cost memory per image.
namespace Pipeline.Captioning;

/// <summary>How <see cref="ImageCaptioner"/> decodes a caption.</summary>
/// <param name="BeamSize">Beam width (1 = greedy); default <see cref="DefaultBeamSize"/>.</param>
/// <param name="MaxLength">Maximum words (null = the model's maximum caption length).</param>
/// <param name="TopK">Captions returned per image: the best plus up to TopK − 1 alternatives (≤ BeamSize).</param>
/// <param name="LengthPenalty">Length normalisation exponent α of beam scores (score / length^α; 0 = raw log-probability);
/// default <see cref="DefaultLengthPenalty"/>. Greedy decoding (beam 1) does not use it.</param>
/// <param name="ReturnAttention">Return the per-word attention over encoder regions (attention models only).</param>
public sealed record CaptionOptions(
    int BeamSize = CaptionOptions.DefaultBeamSize,
    int? MaxLength = null,
    int TopK = 1,
    float LengthPenalty = CaptionOptions.DefaultLengthPenalty,
    bool ReturnAttention = false)
{
    /// <summary>Default beam width: the setting the shipped photo captioner was scored with.</summary>
    public const int DefaultBeamSize = 3;

    /// <summary>Default length normalisation α: the setting the shipped photo captioner was scored with.</summary>
    public const float DefaultLengthPenalty = 1f;

    /// <summary>The defaults of the library and of the CLI: beam <see cref="DefaultBeamSize"/>, α = <see cref="DefaultLengthPenalty"/>, one caption, no attention.</summary>
    public static CaptionOptions Default { get; } = new();

    /// <summary>Greedy decoding (beam 1): fastest, used for validation during training.</summary>
    public static CaptionOptions Greedy { get; } = new(BeamSize: 1, LengthPenalty: 0f);

    /// <summary>Widest beam accepted: beams cost memory per image and per vocabulary word, and gains stop long before this.</summary>
    public const int MaxBeamSize = 64;

    /// <summary>Longest caption accepted, in words (attention maps and beams grow with it).</summary>
    public const int MaxWords = 100;

    /// <summary>Throws when a setting is out of range; returns this instance otherwise.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message names it and the allowed range).</exception>
    public CaptionOptions Validate()
    {
        if (BeamSize is < 1 or > MaxBeamSize) throw new ArgumentOutOfRangeException(nameof(BeamSize), BeamSize, $"beam size must be between 1 and {MaxBeamSize}");
        if (MaxLength is < 1 or > MaxWords) throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, $"maximum length must be between 1 and {MaxWords} words");
        if (TopK < 1 || TopK > BeamSize) throw new ArgumentOutOfRangeException(nameof(TopK), TopK, $"must be between 1 and the beam size ({BeamSize})");
        if (!(LengthPenalty >= 0) || float.IsInfinity(LengthPenalty)) throw new ArgumentOutOfRangeException(nameof(LengthPenalty), LengthPenalty, "must be a non-negative number");
        return this;
    }
}
