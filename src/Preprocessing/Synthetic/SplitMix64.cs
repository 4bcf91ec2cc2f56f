// Our own seeded generator for the synthetic data. System.Random's algorithm is an implementation
// detail that may change between runtimes; SplitMix64 is tiny, fast and fixed forever, which is
// what "same seed → byte-identical dataset" needs.
namespace Pipeline.Preprocessing.Synthetic;

/// <summary>The SplitMix64 generator (Steele, Lea, Flood 2014): a 64-bit state advanced by a Weyl constant and mixed.</summary>
public sealed class SplitMix64
{
    private ulong _state;

    /// <summary>Starts the sequence at <paramref name="seed"/>.</summary>
    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>A seed for sub-stream <paramref name="stream"/> of <paramref name="seed"/>, so item i never depends on items before it.</summary>
    public static ulong Derive(ulong seed, ulong stream) => Mix(seed ^ Mix(stream + 0x9E3779B97F4A7C15UL));

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64() => Mix(_state += 0x9E3779B97F4A7C15UL);

    /// <summary>Uniform integer in [0, <paramref name="n"/>).</summary>
    public int Next(int n)
    {
        if (n <= 0)
            throw new ArgumentOutOfRangeException(nameof(n));
        // Multiply-high maps 64 bits onto [0,n) with negligible bias for the small n used here.
        return (int)Math.BigMul(NextUInt64(), (ulong)n, out _);
    }

    /// <summary>Uniform integer in [<paramref name="lo"/>, <paramref name="hi"/>].</summary>
    public int NextInclusive(int lo, int hi) => lo + Next(hi - lo + 1);

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform double in [<paramref name="lo"/>, <paramref name="hi"/>).</summary>
    public double NextDouble(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
