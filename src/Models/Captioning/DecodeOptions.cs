// Settings of caption generation (greedy or beam search, see CaptionDecoding). Length normalisation
// follows Wu et al. 2016 in its simplest form: a hypothesis is ranked by
//   score = log P(y_1..y_n) / n^α        (α = LengthPenalty; α = 0 ranks by raw log-probability)
// where n counts the predicted tokens including <end> when it was emitted.
namespace Pipeline.Models.Captioning;

/// <summary>How <see cref="CaptionModel.Generate"/> decodes.</summary>
/// <param name="BeamSize">K beams per image; 1 = greedy decoding.</param>
/// <param name="MaxLength">Maximum predicted tokens per caption (including a final &lt;end&gt;).</param>
/// <param name="LengthPenalty">α of the length normalisation score / n^α (0 = off).</param>
/// <param name="TopK">How many ranked candidates to return per image in <see cref="CaptionHypothesis.Alternatives"/>.</param>
/// <param name="ReturnAttention">Whether to record the attention weights of every emitted token.</param>
/// <param name="SuppressUnknown">Never emit &lt;unk&gt; (the usual practice: a caption with a placeholder for "some rare word" helps nobody;
/// the next most likely word is taken instead).</param>
public sealed record DecodeOptions(int BeamSize = 1, int MaxLength = 20, float LengthPenalty = 1.0f, int TopK = 1, bool ReturnAttention = true, bool SuppressUnknown = true)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the bad setting.</summary>
    public void Validate()
    {
        if (BeamSize < 1) throw new ArgumentOutOfRangeException(nameof(BeamSize), $"decode: beam size must be ≥ 1, got {BeamSize}.");
        if (MaxLength < 1) throw new ArgumentOutOfRangeException(nameof(MaxLength), $"decode: max length must be ≥ 1, got {MaxLength}.");
        if (TopK < 1) throw new ArgumentOutOfRangeException(nameof(TopK), $"decode: top-k must be ≥ 1, got {TopK}.");
        if (!(LengthPenalty >= 0f) || !float.IsFinite(LengthPenalty))
            throw new ArgumentOutOfRangeException(nameof(LengthPenalty), $"decode: length penalty must be finite and ≥ 0, got {LengthPenalty}.");
    }

    /// <summary>score = logProbability / length^α (length ≥ 1).</summary>
    public float Normalise(float logProbability, int length)
        => LengthPenalty == 0f ? logProbability : logProbability / MathF.Pow(Math.Max(1, length), LengthPenalty);
}
