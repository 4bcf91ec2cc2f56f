// The training vocabulary of word2vec (Mikolov et al. 2013): words counted over the corpus, rare ones
// (count < min count) dropped, the rest ordered by descending count so frequent words get small ids
// (ordinal ties keep the order reproducible). Counts feed the two frequency-driven parts of training:
// sub-sampling of frequent words (paper §2.3) and the unigram^0.75 noise distribution (§2.2).
namespace Pipeline.Models.Embeddings;

/// <summary>Words kept for training with their corpus counts, most frequent first.</summary>
public sealed class Word2VecVocabulary
{
    private readonly string[] _words;
    private readonly long[] _counts;
    private readonly Dictionary<string, int> _ids;

    private Word2VecVocabulary(string[] words, long[] counts)
    {
        _words = words;
        _counts = counts;
        _ids = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (var i = 0; i < words.Length; i++)
            _ids.Add(words[i], i);
        TotalCount = counts.Sum();
    }

    /// <summary>Number of kept words.</summary>
    public int Count => _words.Length;

    /// <summary>Kept words, most frequent first.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>Corpus counts aligned with <see cref="Words"/>.</summary>
    public IReadOnlyList<long> Counts => _counts;

    /// <summary>Sum of the kept words' counts (the number of training tokens per epoch before sub-sampling).</summary>
    public long TotalCount { get; }

    /// <summary>The id of <paramref name="word"/>, or -1 when it was dropped or never seen.</summary>
    public int IndexOf(string word) => _ids.TryGetValue(word, out var id) ? id : -1;

    /// <summary>Counts every token of one pass over <paramref name="sentences"/> and keeps words seen at least <paramref name="minCount"/> times.</summary>
    public static Word2VecVocabulary Build(IEnumerable<IReadOnlyList<string>> sentences, int minCount, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var sentence in sentences)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var word in sentence)
            {
                ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, word, out _);
                count++;
            }
        }
        return FromCounts(counts, minCount);
    }

    /// <summary>Builds the vocabulary from precomputed counts (words below <paramref name="minCount"/> are dropped).</summary>
    public static Word2VecVocabulary FromCounts(IEnumerable<KeyValuePair<string, long>> counts, int minCount)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var kept = counts.Where(pair => pair.Value >= minCount)
            .OrderByDescending(pair => pair.Value)
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .ToArray();
        return new Word2VecVocabulary(kept.Select(p => p.Key).ToArray(), kept.Select(p => p.Value).ToArray());
    }

    /// <summary>
    /// Probability of keeping each occurrence of each word under sub-sampling with threshold t. The paper
    /// discards a word of relative frequency f with probability 1 − √(t/f), i.e. keeps it with min(1, √(t/f)):
    /// words rarer than t are always kept, "the" in a large corpus is kept only a few percent of the time.
    /// (The reference C code uses the slightly gentler √(t/f) + t/f; we follow the paper's formula.)
    /// A threshold of 0 keeps everything.
    /// </summary>
    public float[] KeepProbabilities(double threshold)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        var keep = new float[_counts.Length];
        for (var i = 0; i < keep.Length; i++)
        {
            var frequency = (double)_counts[i] / TotalCount;
            keep[i] = threshold == 0 ? 1f : (float)Math.Min(1.0, Math.Sqrt(threshold / frequency));
        }
        return keep;
    }
}
