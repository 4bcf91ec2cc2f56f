// 2-D convolution (cross-correlation, as in every DL framework) over (N, C, H, W) batches: on the channel-blocked
// direct/Winograd kernels where they run the geometry (BlockedConvolution: forward and both gradients), otherwise
// via im2col + SGEMM (ConvolutionCore). groups = 1 only.
//   outH = ⌊(H + 2·padH − dilH·(kh − 1) − 1) / strideH⌋ + 1   (same for W)
// Shapes: x (N, C, H, W), weight (O, C, kh, kw), bias (O), y (N, O, outH, outW).
using Pipeline.Models.Init;
using Pipeline.Models.Kernels;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn;

/// <summary>Settings of a 2-D convolution; (height, width) pairs.</summary>
public sealed record Conv2dOptions(int InChannels, int OutChannels, (int H, int W) Kernel)
{
    /// <summary>Step between windows (default 1).</summary>
    public (int H, int W) Stride { get; init; } = (1, 1);

    /// <summary>Zero padding on each side (default 0).</summary>
    public (int H, int W) Padding { get; init; } = (0, 0);

    /// <summary>Spacing between kernel taps (default 1).</summary>
    public (int H, int W) Dilation { get; init; } = (1, 1);

    /// <summary>Whether the layer has a bias (default true).</summary>
    public bool Bias { get; init; } = true;

    /// <summary>Square-kernel convenience constructor.</summary>
    public static Conv2dOptions Square(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, int dilation = 1, bool bias = true)
        => new(inChannels, outChannels, (kernel, kernel)) { Stride = (stride, stride), Padding = (padding, padding), Dilation = (dilation, dilation), Bias = bias };

    internal void Validate()
    {
        if (InChannels < 1 || OutChannels < 1) throw new ArgumentException($"conv2d: channel counts must be ≥ 1, got in {InChannels}, out {OutChannels}.");
        if (Kernel.H < 1 || Kernel.W < 1 || Stride.H < 1 || Stride.W < 1 || Dilation.H < 1 || Dilation.W < 1 || Padding.H < 0 || Padding.W < 0)
            throw new ArgumentException($"conv2d: invalid geometry kernel {Kernel}, stride {Stride}, padding {Padding}, dilation {Dilation}.");
    }
}

public static partial class Functional
{
    /// <summary>2-D convolution of (N, C, H, W) by weight (O, C, kh, kw) plus optional bias (O).</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, (int H, int W)? stride = null, (int H, int W)? padding = null, (int H, int W)? dilation = null)
        => Conv2dCore(input, weight, bias, stride, padding, dilation, epilogue: null);

    /// <summary>
    /// Inference-only convolution whose output rows get a per-channel affine map (and optionally ReLU) while
    /// they are still in cache: how a following evaluation-mode batch norm is folded in. Records no gradient,
    /// so it refuses inputs that would need one.
    /// </summary>
    internal static Tensor Conv2dInference(Tensor input, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, ChannelAffine epilogue)
        => Conv2dCore(input, weight, bias, stride, padding, dilation, epilogue);

    private static Tensor Conv2dCore(Tensor input, Tensor weight, Tensor? bias, (int H, int W)? stride, (int H, int W)? padding, (int H, int W)? dilation, ChannelAffine? epilogue)
    {
        var (sh, sw) = stride ?? (1, 1);
        var (ph, pw) = padding ?? (0, 0);
        var (dh, dw) = dilation ?? (1, 1);
        if (input.Rank != 4 || weight.Rank != 4 || input.Shape[1] != weight.Shape[1])
            throw new ShapeMismatchException("conv2d", $"input {TensorShape.Format(input.Shape)} must be (N, C, H, W) and weight {TensorShape.Format(weight.Shape)} (O, C, kh, kw) with the same C");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0]))
            throw new ShapeMismatchException("conv2d", $"bias {TensorShape.Format(bias.Shape)} does not match {weight.Shape[0]} output channels");
        int n = input.Shape[0], c = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        int o = weight.Shape[0], kh = weight.Shape[2], kw = weight.Shape[3];
        int oh = ConvolutionCore.OutputSize("conv2d", h, kh, sh, ph, dh), ow = ConvolutionCore.OutputSize("conv2d", w, kw, sw, pw, dw);
        if (oh < 1 || ow < 1)
            throw new ShapeMismatchException("conv2d", $"input {h}x{w} is smaller than the dilated kernel {kh}x{kw} (dilation {dh}x{dw}, padding {ph}x{pw})");
        var geometry = new ConvGeometry(c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow);
        bool recording = Autograd.GradMode.IsEnabled;
        if (epilogue is null && BlockedConvolution.Applies(geometry, o, recording && input.RequiresGrad, recording && weight.RequiresGrad))
            return BlockedConvolution.Run(input, weight, bias, geometry);
        return ConvolutionCore.Run("conv2d", input, weight, bias, [n, o, oh, ow], c * kh * kw, oh * ow,
            (img, cols, ld) => Im2Col.Im2Col2d(img, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, cols, ld),
            (cols, img, ld) => Im2Col.Col2Im2d(cols, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, img, ld), epilogue, geometry);
    }
}

/// <summary>2-D convolution layer with weight (O, C, kh, kw) and optional bias (O).</summary>
public sealed class Conv2d : Module, ITensorModule
{
    /// <summary>The layer's settings.</summary>
    public Conv2dOptions Options { get; }

    /// <summary>Weight (O, C, kh, kw).</summary>
    public Tensor Weight { get; }

    /// <summary>Bias (O), or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Creates the layer with PyTorch's default uniform(±1/√(C·kh·kw)) initialisation.</summary>
    public Conv2d(Conv2dOptions options, Generator generator)
    {
        options.Validate();
        Options = options;
        int fanIn = options.InChannels * options.Kernel.H * options.Kernel.W;
        Weight = RegisterParameter("weight", Initializers.DefaultUniform(generator, [options.OutChannels, options.InChannels, options.Kernel.H, options.Kernel.W], fanIn));
        if (options.Bias) Bias = RegisterParameter("bias", Initializers.DefaultUniform(generator, [options.OutChannels], fanIn));
    }

    /// <summary>Square-kernel shorthand for <see cref="Conv2d(Conv2dOptions, Generator)"/>.</summary>
    public Conv2d(int inChannels, int outChannels, int kernel, Generator generator, int stride = 1, int padding = 0, int dilation = 1, bool bias = true)
        : this(Conv2dOptions.Square(inChannels, outChannels, kernel, stride, padding, dilation, bias), generator) { }

    /// <summary>(N, C, H, W) → (N, O, outH, outW).</summary>
    public Tensor Forward(Tensor input) => Functional.Conv2d(input, Weight, Bias, Options.Stride, Options.Padding, Options.Dilation);
}
