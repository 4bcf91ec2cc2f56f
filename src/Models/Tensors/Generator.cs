// Seeded random numbers for everything stochastic in the engine (initialisation, dropout, shuffling).
// xoshiro256** seeded through splitmix64: fast, high quality, and its whole state is four words, so a
// checkpoint can save and restore it for bit-exact resume.
namespace Pipeline.Models.Tensors;

/// <summary>A seeded pseudo-random generator whose state can be saved and restored exactly.</summary>
public sealed class Generator
{
    private ulong s0, s1, s2, s3;
    private bool hasSpareNormal;
    private float spareNormal;

    /// <summary>Creates a generator from a 64-bit seed.</summary>
    public Generator(ulong seed) => Reseed(seed);

    /// <summary>Resets the generator to the state given by <paramref name="seed"/>.</summary>
    public void Reseed(ulong seed)
    {
        ulong x = seed;
        s0 = SplitMix(ref x); s1 = SplitMix(ref x); s2 = SplitMix(ref x); s3 = SplitMix(ref x);
        hasSpareNormal = false;
        spareNormal = 0;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform float in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>) without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), "must be positive");
        // Lemire's multiply-shift with rejection keeps the distribution exactly uniform.
        ulong range = (ulong)maxExclusive;
        while (true)
        {
            ulong r = NextUInt64() >> 32;
            ulong m = r * range;
            if ((uint)m >= (uint)((0x1_0000_0000UL - range) % range)) return (int)(m >> 32);
        }
    }

    /// <summary>Standard normal sample (Box–Muller; the second value of each pair is kept for the next call).</summary>
    public float NextNormal()
    {
        if (hasSpareNormal) { hasSpareNormal = false; return spareNormal; }
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1));
        spareNormal = (float)(radius * Math.Sin(2 * Math.PI * u2));
        hasSpareNormal = true;
        return (float)(radius * Math.Cos(2 * Math.PI * u2));
    }

    /// <summary>In-place Fisher–Yates shuffle.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>The complete state, for checkpoints.</summary>
    public GeneratorState GetState() => new([s0, s1, s2, s3], hasSpareNormal, spareNormal);

    /// <summary>Restores a state captured by <see cref="GetState"/>.</summary>
    public void SetState(GeneratorState state)
    {
        if (state.Words is not { Length: 4 }) throw new ArgumentException("generator state must have exactly 4 words", nameof(state));
        (s0, s1, s2, s3) = (state.Words[0], state.Words[1], state.Words[2], state.Words[3]);
        hasSpareNormal = state.HasSpareNormal;
        spareNormal = state.SpareNormal;
    }
}

/// <summary>Serializable state of a <see cref="Generator"/>.</summary>
public sealed record GeneratorState(ulong[] Words, bool HasSpareNormal, float SpareNormal);
