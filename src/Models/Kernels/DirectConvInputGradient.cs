// Input gradient of a 2-D convolution — a transposed convolution — run by the forward kernels (DirectConv2d,
// WinogradConv2d) on blocked buffers:
//   dX[n, c, y, x] = Σ_{o, ky, kx} W[o, c, ky, kx] · dY[n, o, (y + p − ky)/s, (x + p − kx)/s]   (exact divisions, in range)
// Sub-pixel decomposition (per axis): the pixels y = s·m + r of phase r receive only the taps with
// (r + p − ky) ≡ 0 (mod s), tap ky from row m + (r + p − ky)/s of dY. Those offsets are consecutive integers
// (taps s apart), so sorted by offset — ky descending, the kernel flipped — a phase is a stride-1 convolution
// of dY with Wᵀ (O inputs, C outputs) restricted to its taps, whose input origin is the smallest offset
// (a negative "padding" when it is positive). Stride 1 has one phase, the whole flipped kernel with padding
// K − 1 − p; stride 2 with a 3×3 kernel has four (1×1, 1×2, 2×1 and 2×2 taps: 9 products per input pixel in
// all, as the GEMM form). Each phase writes its pixels — every s-th, from (r_y, r_x) — of one blocked input
// gradient (DirectConv2d.OutputGrid), which is then added to dX in one pass: no column matrix, no col2im. A 3×3 stride-1 padding-1 layer's phase is a 3×3
// padding-1 convolution, run by Winograd F(2×2, 3×3) when it pays (WinogradConv2d.Pays).
// Dilation 1 only. Results do not depend on the thread count (the kernels' work items own their outputs).
// Shape key: N = batch, C/O = input/output channels of the layer, K = kernel, s = stride, p = padding, r = phase.
namespace Pipeline.Models.Kernels;

/// <summary>Transposed-convolution phases of a convolution's input gradient, and the pass that runs them.</summary>
internal static unsafe class DirectConvInputGradient
{
    /// <summary>One axis of one phase: its output count, kernel taps (in read order) and the row offset of the first.</summary>
    /// <param name="Phase">r: the phase's pixels are s·m + r.</param>
    /// <param name="Outputs">Pixels m of the phase: ⌈(size − r) / s⌉.</param>
    /// <param name="Taps">Kernel indices in read order (offset ascending, so kernel index descending).</param>
    /// <param name="FirstOffset">dY row read by the first tap for m = 0.</param>
    internal readonly record struct AxisPhase(int Phase, int Outputs, int[] Taps, int FirstOffset);

    /// <summary>Phases along one axis of <paramref name="size"/> input pixels (those with no tap are left out: they get no gradient).</summary>
    internal static AxisPhase[] Phases(int size, int kernel, int stride, int padding)
    {
        var phases = new List<AxisPhase>();
        for (int r = 0; r < stride && r < size; r++)
        {
            var taps = new List<int>();
            for (int k = kernel - 1; k >= 0; k--)
                if (((r + padding - k) % stride + stride) % stride == 0) taps.Add(k);
            if (taps.Count == 0) continue;
            phases.Add(new AxisPhase(r, (size - r + stride - 1) / stride, [.. taps], (r + padding - taps[0]) / stride));
        }
        return [.. phases];
    }

    /// <summary>
    /// Whether the pass runs this geometry: AVX-512 and output-channel tiles of the transposed convolution, i.e. a
    /// layer input with a multiple of 32 channels.
    /// </summary>
    public static bool Supports(int inChannels) => DirectConv2d.IsSupported && inChannels % DirectConvWeights.Tile == 0;

    /// <summary>
    /// Border the blocked dY needs so that every phase reads inside it (and, at stride 1 with a 3×3 padding-1
    /// kernel, Winograd's tile overhang).
    /// </summary>
    public static int GradientBorder(int height, int width, int outHeight, int outWidth, int kernel, int stride, int padding)
    {
        int border = 0;
        foreach (var (size, outSize) in new[] { (height, outHeight), (width, outWidth) })
            foreach (var phase in Phases(size, kernel, stride, padding))
            {
                int last = phase.Outputs - 1 + phase.FirstOffset + phase.Taps.Length - 1;
                border = Math.Max(border, Math.Max(-phase.FirstOffset, last - (outSize - 1)));
            }
        if (IsWinograd(kernel, stride, padding)) border = Math.Max(border, WinogradConv2d.InputBorder(outHeight, outWidth));
        return border;
    }

    private static bool IsWinograd(int kernel, int stride, int padding) => kernel == 3 && stride == 1 && padding == 1;

    /// <summary>Floats of the blocked input gradient the phases write (the buffer <see cref="Accumulate"/> needs).</summary>
    public static int BufferLength(int batch, int inChannels, int height, int width)
        => new BlockedLayout(batch, inChannels, BlockedLayout.VectorLanes, height, width, 0).Length;

    /// <summary>Floats of the largest phase's packed weights (the weight buffer <see cref="Accumulate"/> needs).</summary>
    public static int WeightBufferLength(int inChannels, int outChannels, int kernel, int stride, int padding)
    {
        int taps = Phases(kernel * stride, kernel, stride, padding).Max(p => p.Taps.Length);   // every phase exists for a size of K·s
        int direct = DirectConvWeights.PackedLength(inChannels, outChannels, taps, taps, BlockedLayout.VectorLanes);
        return IsWinograd(kernel, stride, padding) ? Math.Max(direct, WinogradWeights.PackedLength(inChannels, outChannels)) : direct;
    }

    /// <summary>
    /// inputGrad (N, C, H, W) += the input gradient of a convolution with (O, C, K, K) <paramref name="weight"/>, from
    /// the blocked output gradient (16 lanes, border ≥ <see cref="GradientBorder"/>). Scratch: <paramref name="buffer"/>
    /// (<see cref="BufferLength"/> floats) for the blocked input gradient, which every phase writes its pixels of,
    /// <paramref name="weightBuffer"/> (<see cref="WeightBufferLength"/>) and <paramref name="biasBuffer"/> (C).
    /// </summary>
    public static void Accumulate(ReadOnlySpan<float> weight, int inChannels, int kernel, int stride, int padding,
        BlockedLayout gradLayout, float* gradOutput, int height, int width, Span<float> inputGrad,
        float* buffer, float[] weightBuffer, float[] biasBuffer)
    {
        int outChannels = gradLayout.Channels;
        if (!Supports(inChannels)) throw new NotSupportedException($"direct conv input gradient: {inChannels} input channels are not a multiple of {DirectConvWeights.Tile} or this CPU has no AVX-512.");
        if (weight.Length != outChannels * inChannels * kernel * kernel) throw new ArgumentException("direct conv input gradient: the weight is not (O, C, K, K).");
        int border = GradientBorder(height, width, gradLayout.Height, gradLayout.Width, kernel, stride, padding);
        if (gradLayout.Lanes != BlockedLayout.VectorLanes || gradLayout.Border < border)
            throw new ArgumentException($"direct conv input gradient: output gradient {gradLayout} needs 16 lanes and a border of {border}.");
        var layout = new BlockedLayout(gradLayout.Batch, inChannels, BlockedLayout.VectorLanes, height, width, 0);
        var rows = Phases(height, kernel, stride, padding);
        var columns = Phases(width, kernel, stride, padding);
        // Pixels of a phase without taps (e.g. the odd ones of a 1×1 stride-2 layer) get no gradient: zero them first.
        if (rows.Length < Math.Min(stride, height) || columns.Length < Math.Min(stride, width)) new Span<float>(buffer, layout.Length).Clear();
        if (IsWinograd(kernel, stride, padding)
            && WinogradConv2d.Pays(WinogradConv2d.TileCount(gradLayout.Batch, gradLayout.Height, gradLayout.Width), Parallelism.DegreeOfParallelism))
        {
            var packed = WinogradWeights.PackTransposed(weight, outChannels, inChannels, weightBuffer, biasBuffer);
            WinogradConv2d.Forward(packed, gradLayout, gradOutput, layout, buffer, default, null, relu: false);
        }
        else
            foreach (var row in rows)
                foreach (var column in columns)
                {
                    var packed = DirectConvWeights.PackTransposed(weight, outChannels, inChannels, kernel, row.Taps, column.Taps, weightBuffer, biasBuffer);
                    DirectConv2d.ForwardFrom(packed, 1, row.FirstOffset, column.FirstOffset, gradLayout, gradOutput, layout, buffer, default, null, relu: false,
                        new DirectConv2d.OutputGrid(row.Outputs, column.Outputs, stride, row.Phase, column.Phase));
                }
        layout.AddToNchw(buffer, inputGrad, height, width, 1, 0, 0);
    }
}
