// Upper bounds on every size a model folder can declare, checked before anything is allocated from it.
// A model folder is untrusted input: a config.json that says HiddenSize 20000 or EmbeddingDim 2e6 would
// otherwise make the loader allocate gigabytes before a single weight is compared. Two layers of defence:
//   1. each size in config.json (dimensions, vocabulary, classes, filter widths, encoder channels, image
//      size, caption and sequence lengths) is compared with a named limit here — the message names the
//      field and the limit;
//   2. whatever the sizes, the model is then built under an allocation budget equal to what
//      model.safetensors declares (ModelDirectorySpecs), so a config that describes a larger model than
//      its weights — however it does so, including fields added later — fails after allocating at most
//      the size of the weights file, not the size of the config's fantasy.
// The limits are far above every model this project trains (the largest preset has ≈ 10 M parameters).
using Pipeline.Models.Captioning;
using Pipeline.Models.Classification;

namespace Pipeline.ModelFiles;

/// <summary>Largest sizes a model folder may declare.</summary>
public sealed record ModelLimits
{
    /// <summary>The limits the loaders use.</summary>
    public static ModelLimits Default { get; } = new();

    /// <summary>Largest config.json, tokenizer.json, preprocessing.json (1 MiB).</summary>
    public long MaxConfigBytes { get; init; } = 1L << 20;

    /// <summary>Largest number of float values in model.safetensors (2^28 ≈ 268 M, 1 GiB as float32).</summary>
    public long MaxParameters { get; init; } = 1L << 28;

    /// <summary>Largest width of any layer: embedding, hidden, attention, feature maps, encoder channels.</summary>
    public int MaxDimension { get; init; } = 16_384;

    /// <summary>Largest vocabulary (tokens, special tokens included).</summary>
    public int MaxVocabularySize { get; init; } = 2_000_000;

    /// <summary>Largest number of classes of a classifier.</summary>
    public int MaxClasses { get; init; } = 100_000;

    /// <summary>Largest square input side of a captioner, in pixels.</summary>
    public int MaxImageSize { get; init; } = 1024;

    /// <summary>Largest caption length a captioner may be configured to generate, in words.</summary>
    public int MaxCaptionLength { get; init; } = 256;

    /// <summary>Largest convolution width of a text CNN (and k of k-max pooling).</summary>
    public int MaxFilterWidth { get; init; } = 64;

    /// <summary>Largest number of encoder stages, stage depth or recurrent layers.</summary>
    public int MaxDepth { get; init; } = 256;

    /// <summary>Largest token sequence a classifier is configured to read (preprocessing.json MaxLength).</summary>
    public int MaxSequenceLength { get; init; } = 100_000;

    /// <summary>Every limit <paramref name="config"/> exceeds, one sentence each naming the field (empty when none).</summary>
    public IReadOnlyList<string> Check(CaptionerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = new List<string>();
        At(problems, nameof(config.VocabularySize), config.VocabularySize, MaxVocabularySize);
        At(problems, nameof(config.EmbeddingDim), config.EmbeddingDim, MaxDimension);
        At(problems, nameof(config.HiddenSize), config.HiddenSize, MaxDimension);
        At(problems, nameof(config.AttentionDim), config.AttentionDim, MaxDimension);
        At(problems, nameof(config.ImageSize), config.ImageSize, MaxImageSize);
        At(problems, nameof(config.MaxCaptionLength), config.MaxCaptionLength, MaxCaptionLength);
        if (config.Encoder is { } encoder)
        {
            Each(problems, "Encoder.StemChannels", encoder.StemChannels, MaxDimension);
            Each(problems, "Encoder.StageChannels", encoder.StageChannels, MaxDimension);
            Each(problems, "Encoder.StageDepths", encoder.StageDepths, MaxDepth);
            Each(problems, "Encoder.StemStrides", encoder.StemStrides, MaxFilterWidth);
            Each(problems, "Encoder.StageStrides", encoder.StageStrides, MaxFilterWidth);
            foreach (var (name, list) in new[] { ("StemChannels", encoder.StemChannels), ("StageChannels", encoder.StageChannels) })
                if (list is not null) At(problems, $"Encoder.{name} (count)", list.Length, MaxDepth);
        }
        return problems;
    }

    /// <summary>Every limit <paramref name="config"/> exceeds, one sentence each naming the field (empty when none).</summary>
    public IReadOnlyList<string> Check(ClassifierConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = new List<string>();
        At(problems, nameof(config.VocabularySize), config.VocabularySize, MaxVocabularySize);
        At(problems, nameof(config.NumClasses), config.NumClasses, MaxClasses);
        At(problems, nameof(config.EmbeddingDim), config.EmbeddingDim, MaxDimension);
        At(problems, nameof(config.FeatureMaps), config.FeatureMaps, MaxDimension);
        At(problems, nameof(config.HiddenSize), config.HiddenSize, MaxDimension);
        At(problems, nameof(config.AttentionSize), config.AttentionSize, MaxDimension);
        At(problems, nameof(config.KMax), config.KMax, MaxFilterWidth);
        At(problems, nameof(config.RnnLayers), config.RnnLayers, MaxDepth);
        Each(problems, nameof(config.FilterWidths), config.FilterWidths, MaxFilterWidth);
        if (config.FilterWidths is not null) At(problems, $"{nameof(config.FilterWidths)} (count)", config.FilterWidths.Length, MaxDepth);
        return problems;
    }

    /// <summary>The problem with a classifier's longest token sequence, or null.</summary>
    public string? CheckSequenceLength(int maxLength) =>
        maxLength > MaxSequenceLength ? $"MaxLength = {maxLength:N0} exceeds the limit of {MaxSequenceLength:N0} tokens" : null;

    private static void At(List<string> problems, string field, long value, long limit)
    {
        if (value > limit) problems.Add($"{field} = {value:N0} exceeds the limit of {limit:N0}");
    }

    private static void Each(List<string> problems, string field, int[]? values, int limit)
    {
        if (values is null) return;
        for (int i = 0; i < values.Length; i++)
            if (values[i] > limit) { problems.Add($"{field}[{i}] = {values[i]:N0} exceeds the limit of {limit:N0}"); return; }
    }
}
