// Everything that turns raw text into the token ids a classifier was trained on: normalization
// (TextNormalizer), tokenization (word or BPE, as a TokenizerSpec), the vocabulary, and truncation
// to a maximum length. It is fitted on the training texts only (estimator) and then applied
// unchanged at prediction time (transformer), so it is saved beside the weights.
//
//   text ─normalize→ text' ─tokenize→ tokens ─vocabulary→ ids (unknown → <unk>) ─truncate→ ids[..T]
using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Preprocessing.Text;

namespace Pipeline.Classification;

/// <summary>Serializable preprocessing settings of a classifier (written to <c>preprocessing.json</c>).</summary>
/// <param name="Normalizer">Normalization applied before the tokenizer (the tokenizer applies its own NFKC/case rule too).</param>
/// <param name="MaxLength">Longest token sequence the model sees; longer texts are truncated.</param>
/// <param name="Truncation">Which end of a long text is kept.</param>
/// <param name="MinFrequency">Vocabulary: drop tokens seen fewer times in training.</param>
/// <param name="MaxVocabularySize">Vocabulary: keep at most this many ids (special tokens included); null = all.</param>
public sealed record ClassifierPreprocessing(
    TextNormalizerOptions Normalizer,
    int MaxLength = ClassifierPreprocessing.DefaultMaxLength,
    TruncationSide Truncation = TruncationSide.End,
    int MinFrequency = ClassifierPreprocessing.DefaultMinFrequency,
    int? MaxVocabularySize = 50_000)
{
    /// <summary>Default maximum sequence length (tokens).</summary>
    public const int DefaultMaxLength = 256;

    /// <summary>Default minimum training frequency of a vocabulary token (rarer tokens read as &lt;unk&gt;).</summary>
    public const int DefaultMinFrequency = 2;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (MaxLength < 1) throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, "must be at least 1");
        new VocabularyOptions(MinFrequency, MaxVocabularySize).Validate();
    }

    /// <summary>Serializes to indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses JSON written by <see cref="ToJson"/>; errors name <paramref name="source"/>.</summary>
    public static ClassifierPreprocessing FromJson(string json, string source)
    {
        try
        {
            var result = JsonSerializer.Deserialize<ClassifierPreprocessing>(json, Json) ?? throw new InvalidDataException($"{source}: preprocessing settings are null");
            result.Validate();
            return result;
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{source}: invalid preprocessing settings: {e.Message}", e);
        }
    }
}
