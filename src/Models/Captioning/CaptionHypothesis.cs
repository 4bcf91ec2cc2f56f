// What caption generation returns: per image the best caption (tokens without <start>/<end>), its
// length-normalised log-probability (DecodeOptions.Normalise), optional attention maps and the ranked
// list of the top candidates. Shape key: R = regions.
namespace Pipeline.Models.Captioning;

/// <summary>One decoded candidate.</summary>
/// <param name="Tokens">Token ids without &lt;start&gt;/&lt;end&gt;.</param>
/// <param name="Score">Length-normalised log-probability (the ranking key).</param>
/// <param name="LogProbability">Raw log-probability of the predicted tokens (including &lt;end&gt; when emitted).</param>
/// <param name="Finished">True when the candidate ended with &lt;end&gt;; false when it was cut at the maximum length.</param>
/// <param name="Attention">Per token in <paramref name="Tokens"/>: R attention weights summing to 1; null without attention.</param>
public sealed record BeamCandidate(int[] Tokens, float Score, float LogProbability, bool Finished, float[][]? Attention);

/// <summary>The best caption of one image.</summary>
/// <param name="Tokens">Token ids without &lt;start&gt;/&lt;end&gt; (possibly empty).</param>
/// <param name="Score">Length-normalised log-probability.</param>
/// <param name="Attention">Per token: R weights summing to 1; null for the baseline model or when not requested.</param>
/// <param name="Alternatives">The top candidates best first (at most TopK); element 0 is this hypothesis.</param>
public sealed record CaptionHypothesis(int[] Tokens, float Score, float[][]? Attention, IReadOnlyList<BeamCandidate> Alternatives);
