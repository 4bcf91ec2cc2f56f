// Corpus-level caption metrics in the COCO caption evaluation toolkit's conventions
// (Chen et al. 2015): BLEU-1..4 from summed n-gram statistics with a corpus brevity penalty,
// ROUGE-L and CIDEr-D as means of per-image scores, plus our METEOR-es (exact+stem METEOR,
// corpus score from summed alignment statistics). Immutable and round-trippable through
// System.Text.Json; metric keys follow the toolkit's names with "METEOR-es" marking our METEOR.
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Evaluation.Captioning;

/// <summary>Corpus scores of a caption evaluation run together with the per-image scores.</summary>
/// <param name="ImageCount">Number of evaluated images.</param>
/// <param name="Bleu1">Corpus BLEU-1.</param>
/// <param name="Bleu2">Corpus BLEU-2.</param>
/// <param name="Bleu3">Corpus BLEU-3.</param>
/// <param name="Bleu4">Corpus BLEU-4.</param>
/// <param name="MeteorEs">Corpus METEOR (exact+stem, no synonyms/paraphrase).</param>
/// <param name="RougeL">Mean ROUGE-L.</param>
/// <param name="CiderD">Mean CIDEr-D.</param>
/// <param name="PerImage">Per-image scores, ordered by image id (ordinal).</param>
public sealed record CaptionMetrics(
    [property: JsonPropertyName("images")] int ImageCount,
    [property: JsonPropertyName("BLEU-1")] double Bleu1,
    [property: JsonPropertyName("BLEU-2")] double Bleu2,
    [property: JsonPropertyName("BLEU-3")] double Bleu3,
    [property: JsonPropertyName("BLEU-4")] double Bleu4,
    [property: JsonPropertyName(Meteor.MetricName)] double MeteorEs,
    [property: JsonPropertyName("ROUGE-L")] double RougeL,
    [property: JsonPropertyName("CIDEr-D")] double CiderD,
    [property: JsonPropertyName("per_image")] ImmutableArray<ImageCaptionScores> PerImage)
{
    private static readonly JsonSerializerOptions IndentedOptions = new() { WriteIndented = true };
    private static readonly JsonSerializerOptions CompactOptions = new() { WriteIndented = false };

    /// <summary>Corpus scores keyed by metric name ("BLEU-1".."BLEU-4", "METEOR-es", "ROUGE-L", "CIDEr-D").</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, double> Scores => new Dictionary<string, double>
    {
        ["BLEU-1"] = Bleu1,
        ["BLEU-2"] = Bleu2,
        ["BLEU-3"] = Bleu3,
        ["BLEU-4"] = Bleu4,
        [Meteor.MetricName] = MeteorEs,
        ["ROUGE-L"] = RougeL,
        ["CIDEr-D"] = CiderD,
    };

    /// <summary>The <paramref name="count"/> highest-scoring images by CIDEr-D (ties by image id).</summary>
    public IReadOnlyList<ImageCaptionScores> Best(int count) =>
        PerImage.OrderByDescending(s => s.CiderD).ThenBy(s => s.ImageId, StringComparer.Ordinal).Take(count).ToArray();

    /// <summary>The <paramref name="count"/> lowest-scoring images by CIDEr-D (ties by image id).</summary>
    public IReadOnlyList<ImageCaptionScores> Worst(int count) =>
        PerImage.OrderBy(s => s.CiderD).ThenBy(s => s.ImageId, StringComparer.Ordinal).Take(count).ToArray();

    /// <summary>Serializes to JSON (System.Text.Json).</summary>
    public string ToJson(bool indented = true) =>
        JsonSerializer.Serialize(this, indented ? IndentedOptions : CompactOptions);

    /// <summary>Reads metrics written by <see cref="ToJson"/>.</summary>
    public static CaptionMetrics FromJson(string json) =>
        JsonSerializer.Deserialize<CaptionMetrics>(json, CompactOptions)
        ?? throw new JsonException("The JSON document is null.");
}
