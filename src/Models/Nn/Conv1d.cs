// 1-D convolution over (B, C, L) sequences (e.g. character/word CNNs for text), im2col + SGEMM via
// ConvolutionCore with the 1-D unfolding.  outL = ⌊(L + 2·pad − dil·(k − 1) − 1) / stride⌋ + 1.
// Shapes: x (B, C, L), weight (O, C, k), bias (O), y (B, O, outL).
using Pipeline.Models.Init;
using Pipeline.Models.Kernels;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn;

/// <summary>Settings of a 1-D convolution.</summary>
public sealed record Conv1dOptions(int InChannels, int OutChannels, int Kernel)
{
    /// <summary>Step between windows (default 1).</summary>
    public int Stride { get; init; } = 1;

    /// <summary>Zero padding on each side (default 0).</summary>
    public int Padding { get; init; }

    /// <summary>Spacing between kernel taps (default 1).</summary>
    public int Dilation { get; init; } = 1;

    /// <summary>Whether the layer has a bias (default true).</summary>
    public bool Bias { get; init; } = true;

    internal void Validate()
    {
        if (InChannels < 1 || OutChannels < 1) throw new ArgumentException($"conv1d: channel counts must be ≥ 1, got in {InChannels}, out {OutChannels}.");
        if (Kernel < 1 || Stride < 1 || Dilation < 1 || Padding < 0)
            throw new ArgumentException($"conv1d: invalid geometry kernel {Kernel}, stride {Stride}, padding {Padding}, dilation {Dilation}.");
    }
}

public static partial class Functional
{
    /// <summary>1-D convolution of (B, C, L) by weight (O, C, k) plus optional bias (O).</summary>
    public static Tensor Conv1d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1)
    {
        if (input.Rank != 3 || weight.Rank != 3 || input.Shape[1] != weight.Shape[1])
            throw new ShapeMismatchException("conv1d", $"input {TensorShape.Format(input.Shape)} must be (B, C, L) and weight {TensorShape.Format(weight.Shape)} (O, C, k) with the same C");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0]))
            throw new ShapeMismatchException("conv1d", $"bias {TensorShape.Format(bias.Shape)} does not match {weight.Shape[0]} output channels");
        int b = input.Shape[0], c = input.Shape[1], length = input.Shape[2], o = weight.Shape[0], k = weight.Shape[2];
        int outLength = ConvolutionCore.OutputSize("conv1d", length, k, stride, padding, dilation);
        if (outLength < 1)
            throw new ShapeMismatchException("conv1d", $"length {length} is shorter than the dilated kernel {k} (dilation {dilation}, padding {padding})");
        return ConvolutionCore.Run("conv1d", input, weight, bias, [b, o, outLength], c * k, outLength,
            (seq, cols, ld) => Im2Col.Im2Col1d(seq, c, length, k, stride, padding, dilation, cols, ld),
            (cols, seq, ld) => Im2Col.Col2Im1d(cols, c, length, k, stride, padding, dilation, seq, ld));
    }
}

/// <summary>1-D convolution layer with weight (O, C, k) and optional bias (O).</summary>
public sealed class Conv1d : Module, ITensorModule
{
    /// <summary>The layer's settings.</summary>
    public Conv1dOptions Options { get; }

    /// <summary>Weight (O, C, k).</summary>
    public Tensor Weight { get; }

    /// <summary>Bias (O), or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Creates the layer with PyTorch's default uniform(±1/√(C·k)) initialisation.</summary>
    public Conv1d(Conv1dOptions options, Generator generator)
    {
        options.Validate();
        Options = options;
        int fanIn = options.InChannels * options.Kernel;
        Weight = RegisterParameter("weight", Initializers.DefaultUniform(generator, [options.OutChannels, options.InChannels, options.Kernel], fanIn));
        if (options.Bias) Bias = RegisterParameter("bias", Initializers.DefaultUniform(generator, [options.OutChannels], fanIn));
    }

    /// <summary>(B, C, L) → (B, O, outL).</summary>
    public Tensor Forward(Tensor input) => Functional.Conv1d(input, Weight, Bias, Options.Stride, Options.Padding, Options.Dilation);
}
