// The "estimator" half of the vocabulary: counts tokens over training data and fits a Vocabulary.
// Kept apart from Vocabulary so fitting happens once on training data and the result is frozen.
namespace Pipeline.Preprocessing.Text;

/// <summary>Immutable settings for <see cref="VocabularyBuilder"/>.</summary>
/// <param name="MinFrequency">A token must occur at least this many times to get its own id.</param>
/// <param name="MaxSize">Upper bound on <see cref="Vocabulary.Count"/>, special tokens included; null for no bound.</param>
public sealed record VocabularyOptions(int MinFrequency = 1, int? MaxSize = null)
{
    /// <summary>Throws when the options are out of range.</summary>
    public void Validate()
    {
        if (MinFrequency < 1)
            throw new ArgumentOutOfRangeException(nameof(MinFrequency), MinFrequency, "Must be at least 1.");
        if (MaxSize is { } max && max < Vocabulary.SpecialTokens.Count)
            throw new ArgumentOutOfRangeException(nameof(MaxSize), max, $"Must be at least {Vocabulary.SpecialTokens.Count} (the special tokens).");
    }
}

/// <summary>Fits a <see cref="Vocabulary"/> from tokenized training texts.</summary>
public sealed class VocabularyBuilder
{
    /// <summary>Creates a builder; options are validated now.</summary>
    public VocabularyBuilder(VocabularyOptions? options = null)
    {
        Options = options ?? new VocabularyOptions();
        Options.Validate();
    }

    /// <summary>The settings used by <see cref="Fit"/>.</summary>
    public VocabularyOptions Options { get; }

    /// <summary>
    /// Counts every token and keeps those with frequency ≥ MinFrequency, most frequent first, ties in ordinal
    /// order (so the same data always yields the same ids), truncated to MaxSize. Tokens spelled like a special
    /// token are not counted: they would collide with the reserved ids.
    /// </summary>
    public Vocabulary Fit(IEnumerable<IReadOnlyList<string>> tokenizedTexts)
    {
        ArgumentNullException.ThrowIfNull(tokenizedTexts);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in tokenizedTexts)
        {
            foreach (var token in text)
            {
                if (string.IsNullOrEmpty(token) || Vocabulary.SpecialTokens.Contains(token))
                    continue;
                counts[token] = counts.GetValueOrDefault(token) + 1;
            }
        }
        var ordered = counts
            .Where(pair => pair.Value >= Options.MinFrequency)
            .OrderByDescending(pair => pair.Value)
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => pair.Key);
        var capacity = (Options.MaxSize ?? int.MaxValue) - Vocabulary.SpecialTokens.Count;
        var tokens = new List<string>(Vocabulary.SpecialTokens);
        tokens.AddRange(ordered.Take(capacity));
        return Vocabulary.FromTokens(tokens);
    }
}
