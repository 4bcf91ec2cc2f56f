// The benchmark's image encoder: six Conv2d 3×3 (padding 1, no bias) + BatchNorm2d + ReLU blocks (the
// captioning encoder's ConvBnRelu stem layer),
// (B, 3, 128, 128) → (B, 256, 8, 8), as reference.py's Encoder.
// Shape key: B = batch, C = channels, H/W = height/width.
using Pipeline.Models.Captioning;
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;

namespace Pipeline.Bench.Models;

/// <summary>Conv/BatchNorm/ReLU stack of the captioning benchmarks.</summary>
internal sealed class ConvEncoder : Module, ITensorModule
{
    private readonly Sequential body;

    public ConvEncoder(Generator generator)
    {
        body = new Sequential();
        foreach (var (cin, cout, stride) in BenchSizes.EncoderBlocks)
        {
            // The product's stem layer: conv3×3 (no bias) + BatchNorm2d + ReLU, run fused (ConvBatchNorm).
            body.Append(new ConvBnRelu(cin, cout, stride, generator));
        }
        RegisterModule("body", body);
    }

    /// <summary>(B, 3, 128, 128) → (B, 256, 8, 8).</summary>
    public Tensor Forward(Tensor images) => body.Forward(images);

    /// <summary>Encoder grid as a region sequence: (B, 256, 8, 8) → (B, 64, 256), as permute(0, 2, 3, 1).reshape.</summary>
    public Tensor Regions(Tensor images)
    {
        var grid = Forward(images);                                       // (B, C, H, W)
        int batch = grid.Size(0), channels = grid.Size(1);
        return grid.Permute(0, 2, 3, 1).Reshape(batch, -1, channels);    // (B, H·W, C)
    }
}
