// Per-image scores of the COCO caption metrics (BLEU: Papineni et al. 2002; METEOR-es: Banerjee &
// Lavie 2005, exact+stem only; ROUGE-L: Lin 2004; CIDEr-D: Vedantam et al. 2015). Used to build
// best/worst galleries. Per-image BLEU uses that image's own brevity penalty (sentence BLEU), so
// the corpus BLEU is NOT the mean of these values; ROUGE-L and CIDEr-D corpus scores are.
using System.Text.Json.Serialization;

namespace Pipeline.Evaluation.Captioning;

/// <summary>Scores of one image's candidate caption.</summary>
/// <param name="ImageId">Image identifier.</param>
/// <param name="Candidate">The candidate caption after PTB tokenization, tokens joined by spaces.</param>
/// <param name="Bleu1">Sentence BLEU-1.</param>
/// <param name="Bleu2">Sentence BLEU-2.</param>
/// <param name="Bleu3">Sentence BLEU-3.</param>
/// <param name="Bleu4">Sentence BLEU-4.</param>
/// <param name="MeteorEs">METEOR (exact+stem, no synonyms/paraphrase), best over references.</param>
/// <param name="RougeL">ROUGE-L.</param>
/// <param name="CiderD">CIDEr-D (idf from the whole evaluated set).</param>
public sealed record ImageCaptionScores(
    [property: JsonPropertyName("image_id")] string ImageId,
    [property: JsonPropertyName("caption")] string Candidate,
    [property: JsonPropertyName("BLEU-1")] double Bleu1,
    [property: JsonPropertyName("BLEU-2")] double Bleu2,
    [property: JsonPropertyName("BLEU-3")] double Bleu3,
    [property: JsonPropertyName("BLEU-4")] double Bleu4,
    [property: JsonPropertyName(Meteor.MetricName)] double MeteorEs,
    [property: JsonPropertyName("ROUGE-L")] double RougeL,
    [property: JsonPropertyName("CIDEr-D")] double CiderD);
