// Word alignment for METEOR (Banerjee & Lavie 2005, sec. 2): matching proceeds in stages, each
// stage only linking words left unmatched by earlier stages:
//   stage 1 "exact": identical tokens;  stage 2 "stem": identical Porter stems.
// Within a stage the number of links is maximal (for an equivalence relation this is, per class,
// min(#candidate words, #reference words) of that class), and among the maximal link sets the one
// giving the FEWEST chunks in the complete alignment is chosen (ties: smallest total |i - j|
// displacement, then the first found). The search is an exact branch-and-bound over candidate
// positions, bounded by a node budget so pathological inputs (hundreds of repeated tokens) stay
// fast; captions never come close to the budget.
namespace Pipeline.Evaluation.Captioning;

/// <summary>Computes METEOR's exact+stem unigram alignment between a candidate and one reference.</summary>
internal static class MeteorAligner
{
    private const int NodeBudget = 200_000;

    /// <summary>Aligns the sentences and returns the alignment statistics.</summary>
    internal static MeteorStatistics Align(IReadOnlyList<string> candidate, IReadOnlyList<string> reference)
    {
        int n = candidate.Count;
        // link[i] = reference index aligned to candidate word i, or -1.
        var link = new int[n];
        Array.Fill(link, -1);
        var refUsed = new bool[reference.Count];

        int exact = RunStage(candidate.ToArray(), reference.ToArray(), link, refUsed);
        var candStems = candidate.Select(PorterStemmer.Stem).ToArray();
        var refStems = reference.Select(PorterStemmer.Stem).ToArray();
        int stem = RunStage(candStems, refStems, link, refUsed);

        return new MeteorStatistics(exact + stem, exact, stem, CountChunks(link), n, reference.Count);
    }

    /// <summary>Chunks = matched candidate positions that do not continue the previous position's chunk.</summary>
    internal static int CountChunks(IReadOnlyList<int> link)
    {
        int chunks = 0;
        for (int i = 0; i < link.Count; i++)
        {
            if (link[i] < 0) continue;
            bool continues = i > 0 && link[i - 1] >= 0 && link[i - 1] == link[i] - 1;
            if (!continues) chunks++;
        }
        return chunks;
    }

    // One matching stage over words still unmatched; keys are surface forms or stems.
    // Updates link/refUsed in place with the best link set and returns the number of new links.
    private static int RunStage(string[] candKeys, string[] refKeys, int[] link, bool[] refUsed)
    {
        int n = candKeys.Length;
        // Free reference positions per key.
        var refByKey = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int j = 0; j < refKeys.Length; j++)
        {
            if (refUsed[j]) continue;
            if (!refByKey.TryGetValue(refKeys[j], out var list)) refByKey[refKeys[j]] = list = [];
            list.Add(j);
        }
        // Free candidate positions per key that have at least one reference partner.
        var candCount = new Dictionary<string, int>(StringComparer.Ordinal);
        var candidates = new List<int>();
        for (int i = 0; i < n; i++)
        {
            if (link[i] >= 0 || !refByKey.ContainsKey(candKeys[i])) continue;
            candidates.Add(i);
            candCount[candKeys[i]] = candCount.TryGetValue(candKeys[i], out int c) ? c + 1 : 1;
        }
        if (candidates.Count == 0) return 0;

        // Maximal link count per key: min(#free candidate, #free reference) of that key.
        var needed = new Dictionary<string, int>(StringComparer.Ordinal);
        int total = 0;
        foreach (var (key, c) in candCount)
        {
            needed[key] = Math.Min(c, refByKey[key].Count);
            total += needed[key];
        }

        var search = new StageSearch(candKeys, link, refUsed, refByKey, needed, candCount, candidates);
        search.Run();
        Array.Copy(search.BestLink, link, n);
        foreach (int j in search.BestLink)
        {
            if (j >= 0) refUsed[j] = true;
        }
        return total;
    }

    // Branch and bound over the stage's candidate positions, in sentence order. Chunk count and
    // displacement are accumulated left to right and only ever grow, so a partial assignment that
    // is already no better than the best complete one can be abandoned.
    private sealed class StageSearch(
        string[] candKeys,
        int[] fixedLink,
        bool[] refUsed,
        Dictionary<string, List<int>> refByKey,
        Dictionary<string, int> needed,
        Dictionary<string, int> candRemaining,
        List<int> positions)
    {
        private readonly int[] _link = (int[])fixedLink.Clone();
        private readonly bool[] _used = (bool[])refUsed.Clone();
        private readonly HashSet<int> _stagePositions = [.. positions];
        private int _bestChunks = int.MaxValue;
        private int _bestDistance = int.MaxValue;
        private int _nodes;

        internal int[] BestLink { get; private set; } = (int[])fixedLink.Clone();

        internal void Run() => Visit(0, 0, 0);

        // i = next candidate position; chunks/distance so far for positions < i.
        private void Visit(int i, int chunks, int distance)
        {
            if (++_nodes > NodeBudget && _bestChunks != int.MaxValue) return;
            if (chunks > _bestChunks || (chunks == _bestChunks && distance >= _bestDistance)) return;
            if (i == _link.Length)
            {
                _bestChunks = chunks;
                _bestDistance = distance;
                BestLink = (int[])_link.Clone();
                return;
            }
            if (!_stagePositions.Contains(i))
            {
                // Position fixed by an earlier stage (or unmatchable): just account for it.
                Visit(i + 1, chunks + ChunkIncrement(i), distance + Displacement(i));
                return;
            }

            string key = candKeys[i];
            int need = needed[key];
            int remaining = candRemaining[key];
            candRemaining[key] = remaining - 1;

            if (need > 0)
            {
                // Try the reference position continuing the previous chunk first: it usually is
                // optimal and gives a tight bound early.
                foreach (int j in OrderedOptions(i, refByKey[key]))
                {
                    _used[j] = true;
                    _link[i] = j;
                    needed[key] = need - 1;
                    Visit(i + 1, chunks + ChunkIncrement(i), distance + Math.Abs(i - j));
                    needed[key] = need;
                    _link[i] = -1;
                    _used[j] = false;
                }
            }
            // Leaving i unmatched is allowed only if the other words of the class can still
            // provide all needed links (the stage's link count must be maximal).
            if (remaining - 1 >= need) Visit(i + 1, chunks, distance);

            candRemaining[key] = remaining;
        }

        private IEnumerable<int> OrderedOptions(int i, List<int> refs)
        {
            int preferred = i > 0 && _link[i - 1] >= 0 ? _link[i - 1] + 1 : -1;
            return refs.Where(j => !_used[j]).OrderBy(j => j == preferred ? -1 : Math.Abs(i - j)).ToArray();
        }

        private int ChunkIncrement(int i)
        {
            if (_link[i] < 0) return 0;
            return i > 0 && _link[i - 1] >= 0 && _link[i - 1] == _link[i] - 1 ? 0 : 1;
        }

        private int Displacement(int i) => _link[i] < 0 ? 0 : Math.Abs(i - _link[i]);
    }
}
