// Per-call settings of TextClassifier: how many of the most probable labels a Prediction lists. The full
// probability vector is always returned; TopK only sizes Prediction.TopK (fastText's predict-prob k).
namespace Pipeline.Classification;

/// <summary>How <see cref="TextClassifier"/> reports a prediction.</summary>
/// <param name="TopK">Labels listed in <see cref="Prediction.TopK"/>, best first (clamped to the number of classes); default <see cref="DefaultTopK"/>.</param>
public sealed record ClassifyOptions(int TopK = ClassifyOptions.DefaultTopK)
{
    /// <summary>Default number of labels listed in <see cref="Prediction.TopK"/>.</summary>
    public const int DefaultTopK = 3;

    /// <summary>The defaults of the library and of <c>pipeline classify</c>.</summary>
    public static ClassifyOptions Default { get; } = new();

    /// <summary>Throws when a setting is out of range; returns this instance otherwise.</summary>
    /// <exception cref="ArgumentOutOfRangeException">TopK is below 1.</exception>
    public ClassifyOptions Validate()
    {
        if (TopK < 1) throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "must be at least 1");
        return this;
    }
}
