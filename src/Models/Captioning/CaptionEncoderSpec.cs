// Architecture of the captioner's convolutional encoder as plain data (saved inside config.json), plus the
// named presets. The encoder is a stem of conv3×3(no bias)+BN+ReLU layers followed by residual stages
// (He et al. 2016, basic blocks); each conv3×3 with padding 1 and stride s maps a side n to ⌈n/s⌉, so the
// feature grid is the image side divided by every stride in turn.
// Presets:
//   tiny  stem 3→16 s2; stages [32, 64, 128] × 1 block, strides [2, 2, 1] → 8×8×128 at 64 px (tests, synthetic data)
//   small stem 3→32 s2 → 64 s2 → 64 s1 → 128 s2 → 128 s1 → 256 s2, no residual stages → 8×8×256 at 128 px.
//         This is exactly the benchmark encoder (six conv-BN-ReLU layers), expressed as a six-layer stem.
//   base  stem 3→32 s2 → 64 s1; stages [64, 128, 256] × 2 blocks, strides [2, 2, 2] → 8×8×256 at 128 px.
// Shape key: S = image side, G = grid side, F = output channels.
namespace Pipeline.Models.Captioning;

/// <summary>Layer widths and strides of <see cref="CaptionEncoder"/>.</summary>
/// <param name="StemChannels">Output channels of each stem conv-BN-ReLU layer (at least one).</param>
/// <param name="StemStrides">Stride of each stem layer (same length as <paramref name="StemChannels"/>).</param>
/// <param name="StageChannels">Output channels of each residual stage (may be empty).</param>
/// <param name="StageDepths">Residual blocks per stage.</param>
/// <param name="StageStrides">Stride of the first block of each stage.</param>
public sealed record CaptionEncoderSpec(int[] StemChannels, int[] StemStrides, int[] StageChannels, int[] StageDepths, int[] StageStrides)
{
    /// <summary>Preset name of the test/synthetic encoder.</summary>
    public const string Tiny = "tiny";
    /// <summary>Preset name of the benchmark encoder.</summary>
    public const string Small = "small";
    /// <summary>Preset name of the deeper residual encoder.</summary>
    public const string Base = "base";

    /// <summary>The names accepted by <see cref="FromPreset"/>.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = [Tiny, Small, Base];

    /// <summary>The architecture of a named preset (tiny, small, base); throws for an unknown name.</summary>
    public static CaptionEncoderSpec FromPreset(string name) => name switch
    {
        Tiny => new([16], [2], [32, 64, 128], [1, 1, 1], [2, 2, 1]),
        Small => new([32, 64, 64, 128, 128, 256], [2, 2, 1, 2, 1, 2], [], [], []),
        Base => new([32, 64], [2, 1], [64, 128, 256], [2, 2, 2], [2, 2, 2]),
        _ => throw new ArgumentException($"unknown encoder preset '{name}'; expected one of {string.Join(", ", PresetNames)}.", nameof(name)),
    };

    /// <summary>Channels F of the output features.</summary>
    public int OutputChannels => StageChannels is { Length: > 0 } ? StageChannels[^1] : StemChannels[^1];

    /// <summary>Side G of the feature grid for an input of side <paramref name="imageSize"/>.</summary>
    public int GridSize(int imageSize)
    {
        int side = imageSize;
        foreach (int s in StemStrides) side = (side + s - 1) / s;
        foreach (int s in StageStrides) side = (side + s - 1) / s;
        return side;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent field.</summary>
    public void Validate()
    {
        if (StemChannels is null || StemStrides is null || StageChannels is null || StageDepths is null || StageStrides is null)
            throw new ArgumentException("encoder spec: every list must be present (use [] for no residual stages).");
        if (StemChannels.Length == 0) throw new ArgumentException("encoder spec: the stem needs at least one layer.");
        if (StemStrides.Length != StemChannels.Length)
            throw new ArgumentException($"encoder spec: {StemChannels.Length} stem channel counts but {StemStrides.Length} stem strides.");
        if (StageDepths.Length != StageChannels.Length || StageStrides.Length != StageChannels.Length)
            throw new ArgumentException($"encoder spec: {StageChannels.Length} stages but {StageDepths.Length} depths and {StageStrides.Length} strides.");
        if (StemChannels.Concat(StemStrides).Concat(StageChannels).Concat(StageDepths).Concat(StageStrides).Any(v => v < 1))
            throw new ArgumentException("encoder spec: channels, depths and strides must all be ≥ 1.");
    }
}
