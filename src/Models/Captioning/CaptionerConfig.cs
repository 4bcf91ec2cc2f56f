// Configuration of the "Show, Attend and Tell" captioner (Xu et al. 2015): encoder architecture, decoder
// sizes, regularisation, decoding limit, image normalisation and special token ids. Serialised as
// config.json beside the weights (Checkpoint.Save), so a checkpoint rebuilds its own model; the encoder
// spec is always written out explicitly (Validated fills it from the preset) so later preset changes
// cannot silently alter a saved model.
// Shape key: S = image side, E = embedding dim, H = LSTM hidden size, A = attention dim, V = vocabulary.
namespace Pipeline.Models.Captioning;

/// <summary>Immutable hyper-parameters of <see cref="CaptionModel"/>.</summary>
public sealed record CaptionerConfig
{
    /// <summary>Side S of the square input images (pixels).</summary>
    public int ImageSize { get; init; } = 64;

    /// <summary>Name of the encoder preset (tiny, small, base) or "custom" when <see cref="Encoder"/> is explicit.</summary>
    public string EncoderPreset { get; init; } = CaptionEncoderSpec.Tiny;

    /// <summary>Explicit encoder architecture; null means "the preset's" (filled in by <see cref="Validated"/>).</summary>
    public CaptionEncoderSpec? Encoder { get; init; }

    /// <summary>Vocabulary size V (including the special tokens).</summary>
    public int VocabularySize { get; init; } = 1000;

    /// <summary>Word embedding size E.</summary>
    public int EmbeddingDim { get; init; } = 256;

    /// <summary>LSTM hidden size H.</summary>
    public int HiddenSize { get; init; } = 512;

    /// <summary>Attention projection size A.</summary>
    public int AttentionDim { get; init; } = 256;

    /// <summary>Dropout probability on the LSTM output before the vocabulary projection (training only).</summary>
    public float Dropout { get; init; } = 0.5f;

    /// <summary>True for soft attention; false for the baseline that sees the image only through the initial state.</summary>
    public bool UseAttention { get; init; } = true;

    /// <summary>λ of the doubly-stochastic penalty λ·Σ_r(1 − Σ_t α_tr)² (ignored without attention).</summary>
    public float DoublyStochasticLambda { get; init; } = 1.0f;

    /// <summary>Default maximum number of generated tokens.</summary>
    public int MaxCaptionLength { get; init; } = 20;

    /// <summary>Per-channel mean subtracted by preprocessing (RGB).</summary>
    public float[] ImageMean { get; init; } = [0.485f, 0.456f, 0.406f];

    /// <summary>Per-channel standard deviation divided by preprocessing (RGB).</summary>
    public float[] ImageStd { get; init; } = [0.229f, 0.224f, 0.225f];

    /// <summary>Padding id (ignored by the loss).</summary>
    public int PadId { get; init; }

    /// <summary>Unknown-word id.</summary>
    public int UnkId { get; init; } = 1;

    /// <summary>Start-of-caption id (first decoder input).</summary>
    public int StartId { get; init; } = 2;

    /// <summary>End-of-caption id (stops decoding).</summary>
    public int EndId { get; init; } = 3;

    /// <summary>The encoder architecture in effect: <see cref="Encoder"/> or the preset's.</summary>
    public CaptionEncoderSpec ResolveEncoder() => Encoder ?? CaptionEncoderSpec.FromPreset(EncoderPreset);

    /// <summary>
    /// A config for a named encoder preset with that preset's natural image size (tiny 64 px, small and base 128 px)
    /// and default decoder sizes (E 256, H 512, A 256).
    /// </summary>
    public static CaptionerConfig FromPreset(string preset, int vocabularySize) => new CaptionerConfig
    {
        EncoderPreset = preset,
        Encoder = CaptionEncoderSpec.FromPreset(preset),
        ImageSize = preset == CaptionEncoderSpec.Tiny ? 64 : 128,
        VocabularySize = vocabularySize,
    }.Validated();

    /// <summary>Checks every field and returns a copy with <see cref="Encoder"/> filled in; throws <see cref="ArgumentException"/> naming the field.</summary>
    public CaptionerConfig Validated()
    {
        var encoder = ResolveEncoder();
        encoder.Validate();
        static void Positive(int value, string name) { if (value < 1) throw new ArgumentException($"captioner config: {name} must be ≥ 1, got {value}."); }
        Positive(ImageSize, nameof(ImageSize));
        Positive(EmbeddingDim, nameof(EmbeddingDim));
        Positive(HiddenSize, nameof(HiddenSize));
        Positive(AttentionDim, nameof(AttentionDim));
        Positive(MaxCaptionLength, nameof(MaxCaptionLength));
        if (encoder.GridSize(ImageSize) < 1) throw new ArgumentException($"captioner config: image size {ImageSize} leaves no feature grid.");
        if (!(Dropout >= 0f && Dropout < 1f)) throw new ArgumentException($"captioner config: Dropout must be in [0, 1), got {Dropout}.");
        if (!(DoublyStochasticLambda >= 0f) || !float.IsFinite(DoublyStochasticLambda))
            throw new ArgumentException($"captioner config: DoublyStochasticLambda must be finite and ≥ 0, got {DoublyStochasticLambda}.");
        if (ImageMean is not { Length: 3 } || ImageStd is not { Length: 3 } || ImageStd.Any(s => !(s > 0f)))
            throw new ArgumentException("captioner config: ImageMean and ImageStd need 3 channels each, with positive std.");
        int[] ids = [PadId, UnkId, StartId, EndId];
        if (ids.Distinct().Count() != 4) throw new ArgumentException($"captioner config: special ids pad {PadId}, unk {UnkId}, start {StartId}, end {EndId} must differ.");
        if (VocabularySize <= ids.Max() || ids.Min() < 0)
            throw new ArgumentException($"captioner config: VocabularySize {VocabularySize} must exceed every special id ({string.Join(", ", ids)}).");
        return this with { Encoder = encoder };
    }
}
