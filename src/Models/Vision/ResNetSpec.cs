// Architecture of an ImageNet-style residual network (He et al. 2016, "Deep Residual Learning", Table 1)
// as plain data, saved inside a captioner's config.json:
//   stem   conv k×k stride 2 (no bias) → BN → ReLU → max-pool 3×3 stride 2 padding 1
//   stages basic blocks (two 3×3 convs, see Nn/ResidualBlock); stage k > 1 halves the grid in its first block
// Padding of the stem conv is k/2, of every 3×3 conv 1; for even input sides this gives the same windows as
// the "same" padding of frameworks that pad asymmetrically (CNTK pads the stride-2 layers 1 before, 0 after:
// OnnxResNetImporter checks that equivalence for the graph it reads).
// Shape key: S = image side, G = grid side = S / 32, F = channels of the last stage.
namespace Pipeline.Models.Vision;

/// <summary>Layer widths and depths of a <see cref="ResNet"/>.</summary>
/// <param name="StemChannels">Output channels of the stem convolution (64 in the ImageNet networks).</param>
/// <param name="StemKernel">Side of the stem convolution's kernel (7 in the ImageNet networks).</param>
/// <param name="StageChannels">Output channels of each residual stage (64, 128, 256, 512).</param>
/// <param name="StageDepths">Basic blocks per stage (torchvision's ResNet-18: 2, 2, 2, 2).</param>
public sealed record ResNetSpec(int StemChannels, int StemKernel, int[] StageChannels, int[] StageDepths)
{
    /// <summary>Largest channel count accepted in a spec (a config from an untrusted folder is checked before allocation).</summary>
    public const int MaxChannels = 4096;
    /// <summary>Largest number of blocks in one stage.</summary>
    public const int MaxDepth = 64;

    /// <summary>Total downsampling factor from the image to the feature grid: stem conv 2 × pool 2 × 2 per later stage.</summary>
    public int Reduction => 4 << Math.Max(0, StageChannels.Length - 1);

    /// <summary>Channels F of the last stage.</summary>
    public int OutputChannels => StageChannels[^1];

    /// <summary>Side G of the feature grid for images of side <paramref name="imageSize"/> (each stride-2 layer maps n to ⌈n/2⌉).</summary>
    public int GridSize(int imageSize)
    {
        int side = (imageSize + 1) / 2;                      // stem conv, stride 2, padding k/2
        side = (side + 1) / 2;                               // max pool 3×3, stride 2, padding 1
        for (int k = 1; k < StageChannels.Length; k++) side = (side + 1) / 2;
        return side;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent field.</summary>
    public ResNetSpec Validate()
    {
        if (StageChannels is null || StageDepths is null || StageChannels.Length == 0)
            throw new ArgumentException("resnet spec: at least one stage is needed (StageChannels and StageDepths).");
        if (StageDepths.Length != StageChannels.Length)
            throw new ArgumentException($"resnet spec: {StageChannels.Length} stage widths but {StageDepths.Length} depths.");
        if (StemKernel < 1 || StemKernel % 2 == 0 || StemKernel > 15)
            throw new ArgumentException($"resnet spec: the stem kernel must be odd and at most 15, got {StemKernel}.");
        if (StemChannels < 1 || StemChannels > MaxChannels || StageChannels.Any(c => c < 1 || c > MaxChannels))
            throw new ArgumentException($"resnet spec: channel counts must be in 1..{MaxChannels}.");
        if (StageDepths.Any(d => d < 1 || d > MaxDepth))
            throw new ArgumentException($"resnet spec: stage depths must be in 1..{MaxDepth}.");
        return this;
    }

    /// <summary>Parameters and buffers of the network (what loading it will allocate), for checks before allocation.</summary>
    public long ElementCount()
    {
        long count = (long)StemChannels * 3 * StemKernel * StemKernel + 4L * StemChannels;
        int inChannels = StemChannels;
        for (int k = 0; k < StageChannels.Length; k++)
        {
            int c = StageChannels[k];
            for (int j = 0; j < StageDepths[k]; j++)
            {
                count += 9L * inChannels * c + 9L * c * c + 8L * c;
                if (inChannels != c || (k > 0 && j == 0)) count += (long)inChannels * c + 4L * c;
                inChannels = c;
            }
        }
        return count;
    }

    /// <inheritdoc/>
    public bool Equals(ResNetSpec? other) => other is not null && StemChannels == other.StemChannels && StemKernel == other.StemKernel
        && StageChannels.AsSpan().SequenceEqual(other.StageChannels) && StageDepths.AsSpan().SequenceEqual(other.StageDepths);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(StemChannels, StemKernel, StageChannels.Length, StageDepths.Sum());
}
