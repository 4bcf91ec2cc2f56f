// ResNet basic block (He et al. 2016, "Deep Residual Learning", Fig. 2 / option B shortcuts):
//   y = ReLU( BN2(conv3x3(ReLU(BN1(conv3x3_stride(x))))) + shortcut(x) )
// shortcut = identity, or BN(conv1x1_stride(x)) when the stride is not 1 or the channel count changes.
// Parameter names follow torchvision (conv1, bn1, conv2, bn2, downsample.0, downsample.1) so that
// state dicts line up. Convolutions have no bias: the following batch norm's β plays that role.
// Shapes: x (N, C, H, W) → y (N, O, ⌈H/stride⌉, ⌈W/stride⌉).
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn;

/// <summary>Two 3×3 conv-BN stages with a residual connection.</summary>
public sealed class ResidualBlock : Module, ITensorModule
{
    private readonly Conv2d conv1, conv2;
    private readonly BatchNorm2d bn1, bn2;

    /// <summary>Creates the block; a projection shortcut is added when <paramref name="stride"/> ≠ 1 or channels change.</summary>
    public ResidualBlock(int inChannels, int outChannels, Generator generator, int stride = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        conv1 = RegisterModule("conv1", new Conv2d(inChannels, outChannels, 3, generator, stride: stride, padding: 1, bias: false));
        bn1 = RegisterModule("bn1", new BatchNorm2d(outChannels));
        conv2 = RegisterModule("conv2", new Conv2d(outChannels, outChannels, 3, generator, stride: 1, padding: 1, bias: false));
        bn2 = RegisterModule("bn2", new BatchNorm2d(outChannels));
        if (stride != 1 || inChannels != outChannels)
            Downsample = RegisterModule("downsample", new Sequential(
                new Conv2d(inChannels, outChannels, 1, generator, stride: stride, bias: false),
                new BatchNorm2d(outChannels)));
    }

    /// <summary>The projection shortcut, or null for identity.</summary>
    public Sequential? Downsample { get; }

    /// <summary>The first 3×3 convolution (carries the block's stride).</summary>
    internal Conv2d Conv1 => conv1;
    /// <summary>Batch norm after <see cref="Conv1"/>.</summary>
    internal BatchNorm2d Bn1 => bn1;
    /// <summary>The second 3×3 convolution.</summary>
    internal Conv2d Conv2 => conv2;
    /// <summary>Batch norm after <see cref="Conv2"/>.</summary>
    internal BatchNorm2d Bn2 => bn2;
    /// <summary>The projection's 1×1 convolution and batch norm, or null for an identity shortcut.</summary>
    internal (Conv2d Conv, BatchNorm2d Norm)? Projection => Downsample is null ? null : ((Conv2d)Downsample[0], (BatchNorm2d)Downsample[1]);

    /// <summary>(N, C, H, W) → (N, O, H', W').</summary>
    public Tensor Forward(Tensor input)
    {
        var h = ConvBatchNorm.Forward(conv1, bn1, input, relu: true);             // (N, O, H', W')
        h = ConvBatchNorm.Forward(conv2, bn2, h, relu: false);
        var shortcut = Downsample?.Forward(input) ?? input;
        return Tensor.Relu(h + shortcut);
    }
}
