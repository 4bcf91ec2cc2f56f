// 2-D convolution with its gradients on the channel-blocked AVX-512 kernels: the path Functional.Conv2d takes
// (training included) when the geometry is one they run — square kernel, equal strides (1 or 2) and paddings,
// dilation 1, output channels a multiple of 32, more than 3 input channels; the input gradient also needs input
// channels a multiple of 32 and the weight gradient a 3×3 or 1×1 kernel. Otherwise ConvolutionCore's im2col GEMM runs.
// RGB input layers (3 channels, 3-lane blocks) stay on the GEMM: in the in-process A/B (bench conv-layers, the
// encoder preset `small`'s first layer, batch 32) their blocked forward took 1.5–2.9× the GEMM's CPU time and
// forward + weight gradient 1.2–1.6×, while every layer of 32 or more channels won or tied as a whole.
//   forward:          x → blocked (BlockedLayout, border = padding) → DirectConv2d, or WinogradConv2d for a 3×3
//                     stride-1 padding-1 layer where it pays → y blocked → NCHW
//   weight gradient:  DirectConvWeightGradient on blocked x and dY (x is blocked again in the backward instead of
//                     being kept alive from the forward)
//   input gradient:   DirectConvInputGradient: the transposed convolution as sub-pixel phases on the forward kernels
//   bias gradient:    Σ dY per output channel
// Each direction costs one reorder pass per tensor it reads or writes; the im2col GEMM it replaces wrote and
// read back a column matrix nine times the input (or transposed it while packing) in every direction, and
// scattered the input gradient back with col2im. Weights are packed on every call into pooled buffers (they
// change every training step). Results equal ConvolutionCore's up to float32 summation order and do not
// depend on the thread count. Whether this path runs at all is CpuProfile.DirectConvolutions: a fixed rule (AVX-512F),
// the same in every process, never a start-up timing.
// Shape key: N = batch, C/O = input/output channels, K = kernel, s = stride, p = padding, L = input lanes.
using Pipeline.Models.Kernels;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn;

/// <summary>Convolution forward and backward on blocked buffers.</summary>
internal static unsafe class BlockedConvolution
{
    /// <summary>
    /// Off: every convolution runs ConvolutionCore's GEMM path. Tests use it to compare the two paths; the benchmark's
    /// A/B command (NAME@gemm) to measure them in one process.
    /// </summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>Input lanes: an RGB image stays 3 lanes (pixel stride 3 or 6), anything else is padded to 16.</summary>
    public static int InputLanes(int channels) => channels == 3 ? 3 : BlockedLayout.VectorLanes;

    /// <summary>
    /// Whether this path runs a convolution of (N, C, H, W) by (O, C, K, K) with the given geometry, needing the input
    /// and/or weight gradient.
    /// </summary>
    public static bool Applies(ConvGeometry g, int outChannels, bool inputGrad, bool weightGrad)
    {
        if (!Enabled || !CpuProfile.DirectConvolutions || g.Channels == 3 || g.KernelH != g.KernelW || g.StrideH != g.StrideW || g.PadH != g.PadW
            || g.DilationH != 1 || g.DilationW != 1 || g.PadH >= g.KernelH)
            return false;
        int lanes = InputLanes(g.Channels);
        return DirectConv2d.Supports(outChannels, lanes, g.StrideH)
            && (!inputGrad || DirectConvInputGradient.Supports(g.Channels))
            && (!weightGrad || DirectConvWeightGradient.Supports(outChannels, g.KernelH, g.KernelW, lanes, g.StrideH));
    }

    /// <summary>y = conv(x, W) + b with the backward recorded; the caller checked <see cref="Applies"/>.</summary>
    public static Tensor Run(Tensor input, Tensor weight, Tensor? bias, ConvGeometry g)
    {
        int batch = input.Shape[0], outChannels = weight.Shape[0], kernel = g.KernelH, stride = g.StrideH, padding = g.PadH;
        int lanes = InputLanes(g.Channels);
        bool winograd = IsWinograd(g, lanes, batch);
        var xl = new BlockedLayout(batch, g.Channels, lanes, g.Height, g.Width, winograd ? Math.Max(padding, WinogradConv2d.InputBorder(g.Height, g.Width)) : padding);
        var yl = new BlockedLayout(batch, outChannels, BlockedLayout.VectorLanes, g.OutH, g.OutW, 0);
        var y = Tensor.Uninitialized([batch, outChannels, g.OutH, g.OutW]);                 // (N, O, outH, outW)
        var x = BufferPool.Rent(xl.Length);
        var yb = BufferPool.Rent(yl.Length);
        var biasBuffer = BufferPool.Rent(outChannels);
        var packed = BufferPool.Rent(winograd ? WinogradWeights.PackedLength(outChannels, g.Channels) : DirectConvWeights.PackedLength(outChannels, g.Channels, kernel, kernel, lanes));
        var shift = bias is null ? default : bias.Data;
        fixed (float* xp = x)
        fixed (float* yp = yb)
        {
            xl.FromNchw(input.Data, xp);
            if (winograd)
                WinogradConv2d.Forward(WinogradWeights.Pack(weight.Data, outChannels, g.Channels, default, shift, packed, biasBuffer), xl, xp, yl, yp, default, null, relu: false);
            else
                DirectConv2d.Forward(DirectConvWeights.Pack(weight.Data, outChannels, g.Channels, kernel, kernel, lanes, default, shift, packed, biasBuffer),
                    stride, padding, xl, xp, yl, yp, default, null, relu: false);
            yl.ToNchw(yp, y.Data);
        }
        BufferPool.Return(packed);
        BufferPool.Return(biasBuffer);
        BufferPool.Return(yb);
        BufferPool.Return(x);

        Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
        return y.Record("conv2d", inputs, grad => Backward(grad, input, weight, bias, g));
    }

    /// <summary>Whether the forward of a 3×3 stride-1 padding-1 layer runs on Winograd F(2×2, 3×3) (as in inference, where it pays).</summary>
    private static bool IsWinograd(ConvGeometry g, int lanes, int batch)
        => g.KernelH == 3 && g.StrideH == 1 && g.PadH == 1 && lanes == BlockedLayout.VectorLanes
            && WinogradConv2d.Pays(WinogradConv2d.TileCount(batch, g.Height, g.Width), Parallelism.DegreeOfParallelism);

    private static void Backward(Tensor grad, Tensor input, Tensor weight, Tensor? bias, ConvGeometry g)
    {
        int batch = input.Shape[0], outChannels = weight.Shape[0], kernel = g.KernelH, stride = g.StrideH, padding = g.PadH;
        bool weightGrad = weight.RequiresGrad, inputGrad = input.RequiresGrad;
        if (weightGrad || inputGrad)
        {
            int border = inputGrad ? DirectConvInputGradient.GradientBorder(g.Height, g.Width, g.OutH, g.OutW, kernel, stride, padding) : 0;
            var gl = new BlockedLayout(batch, outChannels, BlockedLayout.VectorLanes, g.OutH, g.OutW, border);
            var dy = BufferPool.Rent(gl.Length);
            fixed (float* dyp = dy)
            {
                gl.FromNchw(grad.Data, dyp);
                if (weightGrad) WeightGradient(input, weight, g, gl, dyp);
                if (inputGrad) InputGradient(input, weight, g, gl, dyp);
            }
            BufferPool.Return(dy);
        }
        if (bias is not null && bias.RequiresGrad)
        {
            var gb = bias.GradBuffer();
            int positions = g.OutH * g.OutW;
            for (int n = 0; n < batch; n++)
                for (int o = 0; o < outChannels; o++)
                    gb[o] += System.Numerics.Tensors.TensorPrimitives.Sum(grad.Data.Slice((n * outChannels + o) * positions, positions));
        }
    }

    private static void WeightGradient(Tensor input, Tensor weight, ConvGeometry g, BlockedLayout gl, float* dy)
    {
        int lanes = InputLanes(g.Channels), outChannels = weight.Shape[0];
        var xl = new BlockedLayout(input.Shape[0], g.Channels, lanes, g.Height, g.Width, g.PadH);
        int length = DirectConvWeightGradient.PackedLength(outChannels, xl, g.KernelH, g.KernelW);
        int groups = DirectConvWeightGradient.ImageGroups(outChannels, xl);
        var x = BufferPool.Rent(xl.Length);
        var packed = BufferPool.Rent(length);
        var scratch = groups > 1 ? BufferPool.Rent((groups - 1) * length) : null;
        fixed (float* xp = x)
        fixed (float* pp = packed)
        fixed (float* sp = scratch)
        {
            xl.FromNchw(input.Data, xp);
            DirectConvWeightGradient.Compute(g.KernelH, g.KernelW, g.StrideH, g.PadH, xl, xp, gl, dy, pp, length, sp);
            DirectConvWeightGradient.AddTo(pp, sp, groups, length, outChannels, g.Channels, lanes, g.KernelH, g.KernelW, weight.GradBuffer());
        }
        if (scratch is not null) BufferPool.Return(scratch);
        BufferPool.Return(packed);
        BufferPool.Return(x);
    }

    private static void InputGradient(Tensor input, Tensor weight, ConvGeometry g, BlockedLayout gl, float* dy)
    {
        int outChannels = weight.Shape[0];
        var phase = BufferPool.Rent(DirectConvInputGradient.BufferLength(gl.Batch, g.Channels, g.Height, g.Width));
        var packed = BufferPool.Rent(DirectConvInputGradient.WeightBufferLength(g.Channels, outChannels, g.KernelH, g.StrideH, g.PadH));
        var biasBuffer = BufferPool.Rent(g.Channels);
        fixed (float* pp = phase)
            DirectConvInputGradient.Accumulate(weight.Data, g.Channels, g.KernelH, g.StrideH, g.PadH, gl, dy, g.Height, g.Width, input.GradBuffer(), pp, packed, biasBuffer);
        BufferPool.Return(biasBuffer);
        BufferPool.Return(packed);
        BufferPool.Return(phase);
    }
}
