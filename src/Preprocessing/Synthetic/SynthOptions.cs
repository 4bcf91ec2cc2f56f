// Settings for the synthetic-scenes generator, validated before any file is written.
namespace Pipeline.Preprocessing.Synthetic;

/// <summary>What <c>SyntheticScenes.Generate</c> produces and where.</summary>
public sealed record SynthOptions
{
    /// <summary>Sides the generator supports; the layout constants are tuned for these.</summary>
    public static IReadOnlyList<int> SupportedSizes { get; } = [64, 96, 128];

    /// <summary>Directory that receives the PNGs and <c>dataset.json</c> (created if missing).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Number of images.</summary>
    public int Count { get; init; } = 1000;

    /// <summary>Seed; the same seed and settings always give byte-identical output.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Image side: 64, 96 or 128.</summary>
    public int Size { get; init; } = 64;

    /// <summary>Reference captions per image (all distinct).</summary>
    public int CaptionsPerImage { get; init; } = 5;

    /// <summary>Peak amplitude of the uniform per-channel pixel noise (0 = none).</summary>
    public int NoiseAmplitude { get; init; } = 6;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting; returns this.</summary>
    public SynthOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputDirectory))
            throw new ArgumentException("OutputDirectory is required.");
        if (Count is < 1 or > 10_000_000)
            throw new ArgumentException($"Count must be in 1..10,000,000, got {Count}.");
        if (!SupportedSizes.Contains(Size))
            throw new ArgumentException($"Size must be one of {string.Join(", ", SupportedSizes)}, got {Size}.");
        if (CaptionsPerImage is < 1 or > 5)
            throw new ArgumentException($"CaptionsPerImage must be in 1..5, got {CaptionsPerImage}.");
        if (NoiseAmplitude is < 0 or > 32)
            throw new ArgumentException($"NoiseAmplitude must be in 0..32, got {NoiseAmplitude}.");
        return this;
    }

    /// <summary>The split of image <paramref name="index"/>: a fixed 80/10/10 interleave (8 train, 1 val, 1 test per 10).</summary>
    public static string SplitOf(int index) => (index % 10) switch { 8 => "val", 9 => "test", _ => "train" };
}
