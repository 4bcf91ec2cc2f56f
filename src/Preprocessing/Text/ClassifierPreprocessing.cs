// Everything that turns raw text into the token ids a classifier was trained on: normalization
// (TextNormalizer), tokenization (word or BPE, as a TokenizerSpec), the vocabulary, and truncation
// to a maximum length. It is fitted on the training texts only (estimator) and then applied
// unchanged at prediction time (transformer), so it is saved beside the weights.
//
//   text ─normalize→ text' ─tokenize→ tokens ─vocabulary→ ids (unknown → <unk>) ─truncate→ ids[..T]
//
// Two lengths: the network reads at most MaxLength tokens (its cost grows with T), the NB n-gram branch up to
// NgramMaxLength (a lookup per token, cheap): a long e-mail is then judged on all its n-grams, as a linear
// n-gram model would (ML.NET's baseline featurizes the whole text), not on its first 256 tokens only.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Preprocessing.Text;

/// <summary>Serializable preprocessing settings of a classifier (written to <c>preprocessing.json</c>).</summary>
/// <param name="Normalizer">Normalization applied before the tokenizer (the tokenizer applies its own NFKC/case rule too).</param>
/// <param name="MaxLength">Longest token sequence the network sees; longer texts are truncated.</param>
/// <param name="Truncation">Which end of a long text is kept.</param>
/// <param name="MinFrequency">Vocabulary: drop tokens seen fewer times in training.</param>
/// <param name="MaxVocabularySize">Vocabulary: keep at most this many ids (special tokens included); null = all.</param>
/// <param name="NgramMaxLength">Longest token sequence the n-gram branch reads (≥ MaxLength wins); null = MaxLength, which is
/// also what a preprocessing.json written before this setting existed means.</param>
public sealed record ClassifierPreprocessing(
    TextNormalizerOptions Normalizer,
    int MaxLength = ClassifierPreprocessing.DefaultMaxLength,
    TruncationSide Truncation = TruncationSide.End,
    int MinFrequency = ClassifierPreprocessing.DefaultMinFrequency,
    int? MaxVocabularySize = 50_000,
    int? NgramMaxLength = null)
{
    /// <summary>Default maximum sequence length (tokens) of the network.</summary>
    public const int DefaultMaxLength = 256;

    /// <summary>Default maximum sequence length (tokens) of the n-gram branch: whole e-mails and reviews, with a bound on memory.</summary>
    public const int DefaultNgramMaxLength = 4096;

    /// <summary>Tokens kept per text by the encoder: the longer of the network's and the n-gram branch's lengths.</summary>
    [JsonIgnore]
    public int EncodedLength => Math.Max(MaxLength, NgramMaxLength ?? MaxLength);

    /// <summary>Default minimum training frequency of a vocabulary token (rarer tokens read as &lt;unk&gt;).</summary>
    public const int DefaultMinFrequency = 2;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (MaxLength < 1) throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, "must be at least 1");
        if (NgramMaxLength is < 1) throw new ArgumentOutOfRangeException(nameof(NgramMaxLength), NgramMaxLength, "must be at least 1 (or absent)");
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
