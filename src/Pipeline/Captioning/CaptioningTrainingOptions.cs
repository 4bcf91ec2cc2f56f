// Settings of a captioner training run that are not part of the model architecture (data, batching,
// optimisation); the architecture lives in CaptionerConfig and is saved with the model.
using Pipeline.Preprocessing.Datasets;

namespace Pipeline.Captioning;

/// <summary>Data and optimisation settings of <see cref="CaptioningTrainingTask"/>.</summary>
public sealed record CaptioningTrainingOptions
{
    /// <summary>Caption annotations (Karpathy/COCO JSON, Flickr token file, TSV/CSV).</summary>
    public required string DataPath { get; init; }

    /// <summary>Folder image paths are relative to (default: the annotation file's folder).</summary>
    public string? ImageRoot { get; init; }

    /// <summary>Annotation format (default: detected).</summary>
    public CaptionFormat Format { get; init; } = CaptionFormat.Auto;

    /// <summary>Where prepared (decoded, resized) image shards are cached (default: "&lt;data folder&gt;/.prepared").</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Images per batch; each batch also carries every reference caption of those images.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Adam learning rate.</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>
    /// Learning rate of fine-tuned pretrained backbone stages, as a fraction of <see cref="LearningRate"/>. Adam moves every
    /// weight by about the learning rate per step whatever its scale, and a pretrained ResNet's convolution weights are of
    /// order 0.01–0.1: at the decoder's 1e-3 a Flickr8k run destroyed the stage's features within the first epoch (dev
    /// BLEU-4 0.000, every photo captioned "a a a …"), so the backbone trains 10× slower, as in common Show, Attend and
    /// Tell fine-tuning recipes (encoder 1e-4).
    /// </summary>
    public double BackboneLearningRateScale { get; init; } = DefaultBackboneLearningRateScale;

    /// <summary>Default of <see cref="BackboneLearningRateScale"/>.</summary>
    public const double DefaultBackboneLearningRateScale = 0.1;

    /// <summary>Flickr-style split lists (one image name per line) per split; null: the loader's default (for a Flickr token file, the lists beside it).</summary>
    public IReadOnlyDictionary<DatasetSplit, string>? SplitLists { get; init; }

    /// <summary>Words seen fewer times in the training captions become &lt;unk&gt; (5, as in the usual Flickr/COCO preparation).</summary>
    public int MinWordFrequency { get; init; } = DefaultMinWordFrequency;

    /// <summary>Default of <see cref="MinWordFrequency"/>.</summary>
    public const int DefaultMinWordFrequency = 5;

    /// <summary>Validation images decoded per epoch (0 = the whole validation split).</summary>
    public int ValidationImages { get; init; }

    /// <summary>Images per forward pass when decoding for validation.</summary>
    public int DecodeBatchSize { get; init; } = 64;

    /// <summary>Images per forward pass when a pretrained encoder's frozen features are computed for the cache.</summary>
    public int FeatureBatchSize { get; init; } = 32;

    /// <summary>The load options for <see cref="DataPath"/>.</summary>
    public CaptionLoadOptions LoadOptions => new(ImageRoot: ImageRoot, Format: Format, SplitLists: SplitLists);

    /// <summary>Throws when a setting is out of range.</summary>
    public CaptioningTrainingOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(DataPath)) throw new ArgumentException("A caption dataset path is required.", nameof(DataPath));
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "must be at least 1");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "must be positive");
        if (!(BackboneLearningRateScale > 0 && double.IsFinite(BackboneLearningRateScale))) throw new ArgumentOutOfRangeException(nameof(BackboneLearningRateScale), BackboneLearningRateScale, "must be positive");
        if (MinWordFrequency < 1) throw new ArgumentOutOfRangeException(nameof(MinWordFrequency), MinWordFrequency, "must be at least 1");
        if (ValidationImages < 0) throw new ArgumentOutOfRangeException(nameof(ValidationImages), ValidationImages, "must be non-negative");
        if (DecodeBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(DecodeBatchSize), DecodeBatchSize, "must be at least 1");
        if (FeatureBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(FeatureBatchSize), FeatureBatchSize, "must be at least 1");
        return this;
    }
}
