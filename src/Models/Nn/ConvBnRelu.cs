// conv3×3 → batch norm → ReLU as one layer, y = ReLU(BN(conv3×3_stride(x))) (the captioning encoder's stem is
// built from it). The conv has no bias since the batch norm's β plays that role (Ioffe & Szegedy 2015).
// Parameter names conv.weight, bn.weight, bn.bias, bn.running_mean, bn.running_var.
// Shapes: x (N, C, S, S) → y (N, O, ⌈S/stride⌉, ⌈S/stride⌉).
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn;

/// <summary>conv3×3 (no bias) + BatchNorm2d + ReLU.</summary>
public sealed class ConvBnRelu : Module, ITensorModule
{
    private readonly Conv2d conv;
    private readonly BatchNorm2d bn;

    /// <summary>Creates the layer; weights drawn from <paramref name="generator"/>.</summary>
    public ConvBnRelu(int inChannels, int outChannels, int stride, Generator generator)
    {
        conv = RegisterModule("conv", new Conv2d(inChannels, outChannels, 3, generator, stride: stride, padding: 1, bias: false));
        bn = RegisterModule("bn", new BatchNorm2d(outChannels));
    }

    /// <summary>The convolution.</summary>
    internal Conv2d Conv => conv;

    /// <summary>The batch norm.</summary>
    internal BatchNorm2d Norm => bn;

    /// <summary>(N, C, S, S) → (N, O, S', S').</summary>
    public Tensor Forward(Tensor input) => ConvBatchNorm.Forward(conv, bn, input, relu: true);
}
