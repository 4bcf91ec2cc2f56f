// The result of classifying one text: the arg-max label with its softmax probability, the full
// probability vector in class-index order (TextClassifier.Labels) and the k most probable labels.
namespace Pipeline.Classification;

/// <summary>One text's classification.</summary>
/// <param name="Label">The most probable label.</param>
/// <param name="Confidence">Its probability, in (0, 1].</param>
/// <param name="Probabilities">Probability of every class, indexed like <see cref="TextClassifier.Labels"/>; sums to 1.</param>
/// <param name="TopK">The most probable labels, best first (ties: lower class index first).</param>
public sealed record Prediction(string Label, float Confidence, float[] Probabilities, IReadOnlyList<(string Label, float Probability)> TopK);
