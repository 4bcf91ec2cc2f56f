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

    /// <summary>Name of the encoder preset (tiny, small, base; resnet18 for the pretrained backbone) or "custom" when <see cref="Encoder"/> is explicit.</summary>
    public string EncoderPreset { get; init; } = CaptionEncoderSpec.Tiny;

    /// <summary>Explicit from-scratch encoder architecture; null means "the preset's" (filled in by <see cref="Validated"/>). Null with a pretrained backbone.</summary>
    public CaptionEncoderSpec? Encoder { get; init; }

    /// <summary>The pretrained encoder (resnet18 preset), or null for a from-scratch encoder. Filled in by <see cref="Validated"/>.</summary>
    public PretrainedEncoderSpec? Backbone { get; init; }

    /// <summary>Whether the encoder is a pretrained backbone.</summary>
    public bool IsPretrained => Backbone is not null || Pretrained.PretrainedBackbones.Names.Contains(EncoderPreset);

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

    /// <summary>The from-scratch encoder architecture in effect: <see cref="Encoder"/> or the preset's.</summary>
    public CaptionEncoderSpec ResolveEncoder() => Encoder ?? CaptionEncoderSpec.FromPreset(EncoderPreset);

    /// <summary>Every encoder preset name: the from-scratch ones and the pretrained backbones.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = [.. CaptionEncoderSpec.PresetNames, .. Pretrained.PretrainedBackbones.Names];

    /// <summary>
    /// A config for a named encoder preset with that preset's natural image size (tiny 64 px, small and base 128 px,
    /// resnet18 224 px with the 0..255 pixel scale its input transform expects) and default decoder sizes (E 256, H 512, A 256).
    /// </summary>
    public static CaptionerConfig FromPreset(string preset, int vocabularySize)
    {
        if (Pretrained.PretrainedBackbones.Names.Contains(preset))
        {
            var backbone = Pretrained.PretrainedBackbones.FromName(preset);
            return new CaptionerConfig
            {
                EncoderPreset = preset,
                Backbone = PretrainedEncoderSpec.For(backbone),
                ImageSize = backbone.ImageSize,
                // The backbone's own input transform (mean image, channel order) works on 0..255 pixels.
                ImageMean = [0f, 0f, 0f],
                ImageStd = [1f / 255f, 1f / 255f, 1f / 255f],
                VocabularySize = vocabularySize,
            }.Validated();
        }
        return new CaptionerConfig
        {
            EncoderPreset = preset,
            Encoder = CaptionEncoderSpec.FromPreset(preset),
            ImageSize = preset == CaptionEncoderSpec.Tiny ? 64 : 128,
            VocabularySize = vocabularySize,
        }.Validated();
    }

    /// <summary>Checks every field and returns a copy with <see cref="Encoder"/> or <see cref="Backbone"/> filled in; throws <see cref="ArgumentException"/> naming the field.</summary>
    public CaptionerConfig Validated()
    {
        CaptionEncoderSpec? encoder = null;
        PretrainedEncoderSpec? backbone = null;
        if (IsPretrained)
        {
            if (Encoder is not null) throw new ArgumentException("captioner config: a pretrained backbone and an explicit Encoder spec cannot both be given.");
            backbone = (Backbone ?? PretrainedEncoderSpec.For(Pretrained.PretrainedBackbones.FromName(EncoderPreset))).Validate();
            if (backbone.Name != EncoderPreset) throw new ArgumentException($"captioner config: EncoderPreset '{EncoderPreset}' but the backbone is '{backbone.Name}'.");
            if (ImageSize != backbone.ImageSize) throw new ArgumentException($"captioner config: backbone '{backbone.Name}' takes {backbone.ImageSize} px images, ImageSize is {ImageSize}.");
        }
        else
        {
            encoder = ResolveEncoder();
            encoder.Validate();
        }
        static void Positive(int value, string name) { if (value < 1) throw new ArgumentException($"captioner config: {name} must be ≥ 1, got {value}."); }
        Positive(ImageSize, nameof(ImageSize));
        Positive(EmbeddingDim, nameof(EmbeddingDim));
        Positive(HiddenSize, nameof(HiddenSize));
        Positive(AttentionDim, nameof(AttentionDim));
        Positive(MaxCaptionLength, nameof(MaxCaptionLength));
        if (encoder is not null && encoder.GridSize(ImageSize) < 1) throw new ArgumentException($"captioner config: image size {ImageSize} leaves no feature grid.");
        if (!(Dropout >= 0f && Dropout < 1f)) throw new ArgumentException($"captioner config: Dropout must be in [0, 1), got {Dropout}.");
        if (!(DoublyStochasticLambda >= 0f) || !float.IsFinite(DoublyStochasticLambda))
            throw new ArgumentException($"captioner config: DoublyStochasticLambda must be finite and ≥ 0, got {DoublyStochasticLambda}.");
        if (ImageMean is not { Length: 3 } || ImageStd is not { Length: 3 } || ImageStd.Any(s => !(s > 0f)))
            throw new ArgumentException("captioner config: ImageMean and ImageStd need 3 channels each, with positive std.");
        int[] ids = [PadId, UnkId, StartId, EndId];
        if (ids.Distinct().Count() != 4) throw new ArgumentException($"captioner config: special ids pad {PadId}, unk {UnkId}, start {StartId}, end {EndId} must differ.");
        if (VocabularySize <= ids.Max() || ids.Min() < 0)
            throw new ArgumentException($"captioner config: VocabularySize {VocabularySize} must exceed every special id ({string.Join(", ", ids)}).");
        return this with { Encoder = encoder, Backbone = backbone };
    }
}
