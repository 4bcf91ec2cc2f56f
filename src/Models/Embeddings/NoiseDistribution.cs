// The noise distribution of negative sampling (Mikolov et al. 2013, §2.2): a word is drawn with probability
// proportional to count^0.75, which the paper found beats both the plain unigram and the uniform
// distribution — it flattens the unigram so rare words are drawn more often than their share. Sampling uses
// Walker's alias method (Vose's construction): O(V) set-up, O(1) per draw, exact probabilities, and memory
// of two V-long arrays instead of the reference implementation's 1e8-entry lookup table.
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Embeddings;

/// <summary>Samples word ids from the unigram distribution raised to a power (0.75 by default) in O(1) per draw.</summary>
public sealed class NoiseDistribution
{
    /// <summary>The exponent recommended by the paper.</summary>
    public const double DefaultPower = 0.75;

    // Column i is chosen uniformly; it returns i with probability _threshold[i], else _alias[i].
    private readonly float[] _threshold;
    private readonly int[] _alias;
    private readonly double[] _probabilities;

    /// <summary>Builds the table from word counts (at least one must be positive).</summary>
    public NoiseDistribution(IReadOnlyList<long> counts, double power = DefaultPower)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count == 0)
            throw new ArgumentException("Noise distribution needs at least one word.", nameof(counts));
        var n = counts.Count;
        _probabilities = new double[n];
        double total = 0;
        for (var i = 0; i < n; i++)
        {
            if (counts[i] < 0)
                throw new ArgumentException($"Count {i} is negative ({counts[i]}).", nameof(counts));
            _probabilities[i] = Math.Pow(counts[i], power);
            total += _probabilities[i];
        }
        if (!(total > 0))
            throw new ArgumentException("Noise distribution needs at least one positive count.", nameof(counts));
        for (var i = 0; i < n; i++)
            _probabilities[i] /= total;

        // Vose: scale to mean 1, then repeatedly top up one "small" column with mass from one "large" one.
        _threshold = new float[n];
        _alias = new int[n];
        var scaled = new double[n];
        var small = new Stack<int>();
        var large = new Stack<int>();
        for (var i = n - 1; i >= 0; i--)
        {
            scaled[i] = _probabilities[i] * n;
            (scaled[i] < 1.0 ? small : large).Push(i);
        }
        while (small.Count > 0 && large.Count > 0)
        {
            var lo = small.Pop();
            var hi = large.Pop();
            _threshold[lo] = (float)scaled[lo];
            _alias[lo] = hi;
            scaled[hi] = scaled[hi] + scaled[lo] - 1.0;
            (scaled[hi] < 1.0 ? small : large).Push(hi);
        }
        // Whatever is left is 1 up to rounding error: those columns always return themselves.
        while (large.Count > 0)
        {
            var i = large.Pop();
            _threshold[i] = 1f;
            _alias[i] = i;
        }
        while (small.Count > 0)
        {
            var i = small.Pop();
            _threshold[i] = 1f;
            _alias[i] = i;
        }
    }

    /// <summary>Number of words.</summary>
    public int Count => _alias.Length;

    /// <summary>The exact probability of drawing word <paramref name="id"/>.</summary>
    public double Probability(int id) => _probabilities[id];

    /// <summary>Draws one word id.</summary>
    public int Sample(Generator generator)
    {
        // One 64-bit draw serves both choices: the high 32 bits pick the column, the low 24 the coin flip.
        var bits = generator.NextUInt64();
        var column = (int)(((bits >> 32) * (ulong)_alias.Length) >> 32);
        var coin = (bits & 0xFFFFFF) * (1.0f / (1 << 24));
        return coin < _threshold[column] ? column : _alias[column];
    }
}
