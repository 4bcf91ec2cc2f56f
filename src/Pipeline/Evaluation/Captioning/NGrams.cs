// n-gram counting shared by BLEU (Papineni et al. 2002) and CIDEr-D (Vedantam et al. 2015):
// both count every contiguous n-gram of orders 1..N in a token sequence.
namespace Pipeline.Evaluation.Captioning;

/// <summary>Counts contiguous n-grams of a token sequence, keyed by order.</summary>
internal static class NGrams
{
    // Tokens never contain this control character, so joining with it gives unambiguous keys.
    internal const char Separator = '\u001F';

    /// <summary>
    /// Returns one dictionary per order (index 0 = unigrams ... index maxOrder-1), mapping the
    /// n-gram key to its count in <paramref name="tokens"/>.
    /// </summary>
    internal static Dictionary<string, int>[] Count(IReadOnlyList<string> tokens, int maxOrder)
    {
        var counts = new Dictionary<string, int>[maxOrder];
        for (int n = 1; n <= maxOrder; n++)
        {
            var d = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int start = 0; start + n <= tokens.Count; start++)
            {
                string key = Key(tokens, start, n);
                d[key] = d.TryGetValue(key, out int c) ? c + 1 : 1;
            }
            counts[n - 1] = d;
        }
        return counts;
    }

    private static string Key(IReadOnlyList<string> tokens, int start, int n)
    {
        if (n == 1) return tokens[start];
        var parts = new string[n];
        for (int k = 0; k < n; k++) parts[k] = tokens[start + k];
        return string.Join(Separator, parts);
    }
}
