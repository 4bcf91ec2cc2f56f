// Direct 2-D convolution on channel-blocked activations (BlockedLayout), inference only, with the
// evaluation-mode batch norm folded into the weights (DirectConvWeights) and the rest of a ResNet layer
// applied before the single store of each output vector:
//   y[n, o, oy, ox] = ReLU?( Σ_{c, ky, kx} W'[o, c, ky, kx] · x[n, c, oy·s − p + ky, ox·s − p + kx] + bias'[o] + residual?[n, o, oy, ox] )
// No im2col and no packing per call: the kernel broadcasts one input value (one lane of one pixel) and
// multiplies it by the 32 output channels' weights of that (channel, tap), two vectors, into the
// accumulators of 14 output pixels × 32 channels (28 of the 32 zmm registers) — the register blocking of
// the SGEMM micro-kernel (2 vector loads + 14 broadcasts per 28 FMAs), with A read in place from the
// image: pixel r of a run is r·stride·L floats further on. The 14 pixels are two runs of 7 along output
// rows, which need not be adjacent: 7 divides the widths of ImageNet ResNets (112, 56, 28, 14, 7), so
// every run is full, and a 7-wide map pairs two rows per call. Power-of-two widths (the captioning encoders'
// 64, 32, 16, 8) would waste up to 6 of 14 pixels that way, so for them a second kernel takes three runs of 4
// (12 pixels × 32 channels, 24 accumulators); each call's run shape is the one that computes fewer pixels for
// the width. A row whose width is no multiple of the run ends with a run that overlaps its predecessor (its
// pixels are computed twice, with the same result); maps narrower than a run go through a one-pixel kernel.
// The input border supplies the zero padding.
// Work items: (output tile of 32 channels, a chunk of kernel calls), tile-major so that threads claiming
// neighbouring items share that tile's weights in cache. Each output element is written by one item with
// one summation order, so results do not depend on the thread count.
// A naive version of the same computation is DirectConv2dReference; the tests hold this to it.
// Shape key: N = batch, C/O = input/output channels, L = lanes, T = 32-channel tile, s = stride, p = padding.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pipeline.Models.Kernels;

/// <summary>Floats between the input values of horizontally adjacent output pixels (stride · lanes), as a compile-time constant.</summary>
internal interface IPixelStride
{
    /// <summary>stride · L.</summary>
    static abstract int Floats { get; }
}

/// <summary>Direct convolution of blocked activations with BN-folded weights, bias, residual and ReLU fused.</summary>
internal static unsafe class DirectConv2d
{
    /// <summary>Output pixels per run; two runs per kernel call.</summary>
    public const int Run = 7;

    private const int Lanes = BlockedLayout.VectorLanes;

    /// <summary>Multiply-adds one work item aims at: enough to amortise claiming it, small enough to balance two threads.</summary>
    private const long WorkPerItem = 2L << 20;

    /// <summary>Whether this CPU runs the kernel (AVX-512F).</summary>
    public static bool IsSupported => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    /// <summary>Whether <see cref="Forward"/> accepts this geometry (a pixel stride it is compiled for, whole output tiles).</summary>
    public static bool Supports(int outChannels, int inLanes, int stride)
        => IsSupported && outChannels % DirectConvWeights.Tile == 0 && PixelStrideOf(stride * inLanes) is not null;

    /// <summary>
    /// Whether <paramref name="outputs"/> outputs along one axis read only the interior and border of the input: rows
    /// [origin, (outputs − 1)·stride + origin + kernel) within [−border, input + border). A convolution's origin is
    /// −padding and its outputs <see cref="OutputSize"/>; the phases of an input gradient (DirectConvInputGradient) have
    /// other counts and origins.
    /// </summary>
    public static bool WindowFits(int input, int border, int outputs, int kernel, int stride, int origin)
        => origin >= -border && (long)(outputs - 1) * stride + origin + kernel <= input + border;

    /// <summary>Output side of a convolution along one axis.</summary>
    public static int OutputSize(int input, int kernel, int stride, int padding) => (input + 2 * padding - kernel) / stride + 1;

    /// <summary>
    /// output = ReLU?(conv(input) + bias + residual?) on blocked buffers. <paramref name="input"/>'s border must be at
    /// least <paramref name="padding"/>; <paramref name="output"/>'s interior is written, its border untouched.
    /// </summary>
    public static void Forward(DirectConvWeights weights, int stride, int padding, BlockedLayout inLayout, float* input,
        BlockedLayout outLayout, float* output, BlockedLayout residualLayout, float* residual, bool relu)
        => ForwardFrom(weights, stride, -padding, -padding, inLayout, input, outLayout, output, residualLayout, residual, relu);

    /// <summary>
    /// As <see cref="Forward"/>, with output pixel (oy, ox) reading the input window whose top-left pixel is
    /// (oy·stride + <paramref name="originY"/>, ox·stride + <paramref name="originX"/>) — every window must lie within the
    /// input's interior and border (<see cref="WindowFits"/>) — and written to pixel
    /// (oy·step + phaseY, ox·step + phaseX) of the output for the pixels of <paramref name="grid"/> (default: all of them).
    /// The phases of an input gradient (DirectConvInputGradient) interleave their outputs into one buffer this way.
    /// </summary>
    public static void ForwardFrom(DirectConvWeights weights, int stride, int originY, int originX, BlockedLayout inLayout, float* input,
        BlockedLayout outLayout, float* output, BlockedLayout residualLayout, float* residual, bool relu, OutputGrid? grid = null)
    {
        var g = grid ?? new OutputGrid(outLayout.Height, outLayout.Width, 1, 0, 0);
        if (!Supports(weights.OutChannels, inLayout.Lanes, stride)) throw new NotSupportedException($"direct conv: stride {stride} with {inLayout.Lanes}-lane input and {weights.OutChannels} output channels is not supported on this CPU.");
        if (inLayout.Lanes != weights.InLanes || inLayout.Channels != weights.InChannels) throw new ArgumentException("direct conv: the input layout does not match the packed weights.");
        if (outLayout.Lanes != Lanes || outLayout.Channels != weights.OutChannels || outLayout.Batch != inLayout.Batch || g.Height < 1 || g.Width < 1 || g.Step < 1
            || g.PhaseY < 0 || g.PhaseX < 0 || (long)(g.Height - 1) * g.Step + g.PhaseY >= outLayout.Height || (long)(g.Width - 1) * g.Step + g.PhaseX >= outLayout.Width
            || !WindowFits(inLayout.Height, inLayout.Border, g.Height, weights.KernelH, stride, originY)
            || !WindowFits(inLayout.Width, inLayout.Border, g.Width, weights.KernelW, stride, originX))
            throw new ArgumentException($"direct conv: output {g} of layout {outLayout} does not fit, or reads outside input {inLayout} (kernel {weights.KernelH}x{weights.KernelW}, stride {stride}, origin ({originY}, {originX})).");
        if (residual is not null && (g.Step != 1 || residualLayout.Lanes != Lanes || residualLayout.Channels != outLayout.Channels || residualLayout.Batch != outLayout.Batch
            || residualLayout.Height != outLayout.Height || residualLayout.Width != outLayout.Width))
            throw new ArgumentException($"direct conv: residual layout {residualLayout} does not match the output {outLayout}.");
        switch (PixelStrideOf(stride * inLayout.Lanes))
        {
            case 3: Dispatch<Floats3>(weights, stride, originY, originX, inLayout, input, outLayout, output, residualLayout, residual, relu, g); break;
            case 6: Dispatch<Floats6>(weights, stride, originY, originX, inLayout, input, outLayout, output, residualLayout, residual, relu, g); break;
            case 16: Dispatch<Floats16>(weights, stride, originY, originX, inLayout, input, outLayout, output, residualLayout, residual, relu, g); break;
            default: Dispatch<Floats32>(weights, stride, originY, originX, inLayout, input, outLayout, output, residualLayout, residual, relu, g); break;
        }
    }

    /// <summary>Which output pixels a call writes: <paramref name="Height"/> × <paramref name="Width"/>, <paramref name="Step"/> apart, from (PhaseY, PhaseX).</summary>
    internal readonly record struct OutputGrid(int Height, int Width, int Step, int PhaseY, int PhaseX);

    private static int? PixelStrideOf(int floats) => floats is 3 or 6 or 16 or 32 ? floats : null;

    /// <summary>
    /// Run length and runs per kernel call for output rows of <paramref name="width"/> pixels: 2 × 7 (Kernel14) or
    /// 3 × 4 (Kernel12), whichever computes fewer pixels per row (ties go to 2 × 7), or 1 × 1 (Kernel1) for rows narrower than 4.
    /// </summary>
    internal static (int RunLength, int RunsPerCall) RunShape(int width)
    {
        if (width < 4) return (1, 1);
        if (width < Run) return (4, 3);
        int sevens = (width + Run - 1) / Run * Run, fours = (width + 3) / 4 * 4;
        return sevens <= fours ? (Run, 2) : (4, 3);
    }

    private static void Dispatch<TStride>(DirectConvWeights weights, int stride, int originY, int originX, BlockedLayout inLayout, float* input,
        BlockedLayout outLayout, float* output, BlockedLayout residualLayout, float* residual, bool relu, OutputGrid grid) where TStride : struct, IPixelStride
    {
        var (runLength, runsPerCall) = RunShape(grid.Width);
        int runsPerRow = (grid.Width + runLength - 1) / runLength;
        int runs = outLayout.Batch * grid.Height * runsPerRow;
        int calls = (runs + runsPerCall - 1) / runsPerCall;
        long workPerCall = (long)runLength * runsPerCall * weights.TileLength;
        int callsPerItem = (int)Math.Clamp(WorkPerItem / Math.Max(1, workPerCall), 1, calls);
        int chunks = (calls + callsPerItem - 1) / callsPerItem;
        fixed (float* w = weights.Packed)
        fixed (float* bias = weights.Bias)
        {
            var job = new Job<TStride>
            {
                Weights = w, TileLength = weights.TileLength, Bias = bias, KernelH = weights.KernelH, KernelW = weights.KernelW,
                InBlocks = inLayout.Blocks, InLanes = inLayout.Lanes, Stride = stride, OriginY = originY, OriginX = originX,
                In = inLayout, Input = input, Out = outLayout, Output = output, Res = residualLayout, Residual = residual, Relu = relu, Grid = grid,
                RunLength = runLength, RunsPerCall = runsPerCall, RunsPerRow = runsPerRow, Runs = runs, Calls = calls, CallsPerItem = callsPerItem, Chunks = chunks,
            };
            Parallelism.For(weights.OutChannels / DirectConvWeights.Tile * chunks, ref job);
        }
    }

    /// <summary>One work item: one 32-channel output tile over a chunk of kernel calls.</summary>
    private struct Job<TStride> : IParallelBody where TStride : struct, IPixelStride
    {
        public float* Weights, Bias, Input, Output, Residual;
        public int TileLength, KernelH, KernelW, InBlocks, InLanes, Stride, OriginY, OriginX, RunLength, RunsPerCall, RunsPerRow, Runs, Calls, CallsPerItem, Chunks;
        public BlockedLayout In, Out, Res;
        public OutputGrid Grid;
        public bool Relu;

        public readonly void Invoke(int index)
        {
            int tile = index / Chunks, chunk = index % Chunks;
            var e = new Epilogue
            {
                Bias0 = Vector512.Load(Bias + tile * DirectConvWeights.Tile), Bias1 = Vector512.Load(Bias + tile * DirectConvWeights.Tile + Lanes),
                OutBlockStride = Out.BlockStride, OutPixelStride = (nint)Grid.Step * Lanes, ResidualBlockStride = Res.BlockStride, HasResidual = Residual is not null, Relu = Relu,
            };
            float* w = Weights + (nint)tile * TileLength;
            int first = chunk * CallsPerItem, end = Math.Min(first + CallsPerItem, Calls);
            for (int call = first; call < end; call++)
            {
                // A last call short of runs computes its last run again (same values, same place) rather than needing a smaller kernel.
                int run = call * RunsPerCall;
                Locate(run, tile, out float* in0, out float* out0, out float* res0);
                if (RunsPerCall == 1)
                {
                    Kernel1<TStride>(in0, w, InBlocks, In.BlockStride, KernelH, In.RowStride, KernelW, InLanes, out0, res0, ref e);
                    continue;
                }
                Locate(Math.Min(run + 1, Runs - 1), tile, out float* in1, out float* out1, out float* res1);
                if (RunsPerCall == 2)
                {
                    Kernel14<TStride>(in0, in1, w, InBlocks, In.BlockStride, KernelH, In.RowStride, KernelW, InLanes, out0, out1, res0, res1, ref e);
                    continue;
                }
                Locate(Math.Min(run + 2, Runs - 1), tile, out float* in2, out float* out2, out float* res2);
                Kernel12<TStride>(in0, in1, in2, w, InBlocks, In.BlockStride, KernelH, In.RowStride, KernelW, InLanes, out0, out1, out2, res0, res1, res2, ref e);
            }
        }

        /// <summary>Input, output and residual addresses of the first pixel of run <paramref name="run"/> in output tile <paramref name="tile"/>.</summary>
        private readonly void Locate(int run, int tile, out float* input, out float* output, out float* residual)
        {
            int image = run / (Grid.Height * RunsPerRow), rest = run % (Grid.Height * RunsPerRow);
            int oy = rest / RunsPerRow, k = rest % RunsPerRow;
            int ox = Math.Min(k * RunLength, Grid.Width - RunLength);
            input = Input + In.Offset(image, 0, oy * Stride + OriginY, ox * Stride + OriginX);
            output = Output + Out.Offset(image, 2 * tile, oy * Grid.Step + Grid.PhaseY, ox * Grid.Step + Grid.PhaseX);
            residual = Residual is null ? null : Residual + Res.Offset(image, 2 * tile, oy, ox);
        }
    }

    /// <summary>What happens to the accumulators before they are stored.</summary>
    internal struct Epilogue
    {
        public Vector512<float> Bias0, Bias1;
        public nint OutBlockStride, ResidualBlockStride;
        /// <summary>Floats between the outputs of neighbouring pixels of a run (L, or L·step for a phase grid).</summary>
        public nint OutPixelStride;
        public bool HasResidual, Relu;
    }

    /// <summary>Bias, residual, ReLU and the store of one pixel's 32 channels (two blocks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(Vector512<float> c0, Vector512<float> c1, float* output, float* residual, ref Epilogue e)
    {
        c0 += e.Bias0;
        c1 += e.Bias1;
        if (e.HasResidual)
        {
            c0 += Vector512.Load(residual);
            c1 += Vector512.Load(residual + e.ResidualBlockStride);
        }
        if (e.Relu)
        {
            // max(0, x) with x second: a NaN passes through, as in ReLU elsewhere in the engine.
            c0 = Avx512F.Max(Vector512<float>.Zero, c0);
            c1 = Avx512F.Max(Vector512<float>.Zero, c1);
        }
        c0.Store(output);
        c1.Store(output + e.OutBlockStride);
    }

    /// <summary>14 output pixels (runs at <paramref name="in0"/> and <paramref name="in1"/>, 7 each) × 32 channels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Kernel14<TStride>(float* in0, float* in1, float* w, int blocks, nint blockStride, int kernelH, nint rowStride, int kernelW, int lanes,
        float* out0, float* out1, float* res0, float* res1, ref Epilogue e) where TStride : struct, IPixelStride
    {
        Vector512<float> c0_0 = default, c0_1 = default;
        Vector512<float> c1_0 = default, c1_1 = default;
        Vector512<float> c2_0 = default, c2_1 = default;
        Vector512<float> c3_0 = default, c3_1 = default;
        Vector512<float> c4_0 = default, c4_1 = default;
        Vector512<float> c5_0 = default, c5_1 = default;
        Vector512<float> c6_0 = default, c6_1 = default;
        Vector512<float> c7_0 = default, c7_1 = default;
        Vector512<float> c8_0 = default, c8_1 = default;
        Vector512<float> c9_0 = default, c9_1 = default;
        Vector512<float> c10_0 = default, c10_1 = default;
        Vector512<float> c11_0 = default, c11_1 = default;
        Vector512<float> c12_0 = default, c12_1 = default;
        Vector512<float> c13_0 = default, c13_1 = default;
        Vector512<float> a;
        for (int cb = 0; cb < blocks; cb++)
        {
            for (int y = 0; y < kernelH; y++)
            {
                float* row0 = in0 + cb * blockStride + y * rowStride;
                float* row1 = in1 + cb * blockStride + y * rowStride;
                for (int x = 0; x < kernelW; x++)
                {
                    float* a0 = row0 + x * lanes, a1 = row1 + x * lanes;
                    for (int l = 0; l < lanes; l++, a0++, a1++, w += DirectConvWeights.Tile)
                    {
                        Vector512<float> b0 = Vector512.Load(w), b1 = Vector512.Load(w + Lanes);
                        a = Vector512.Create(*(a0 + 0 * TStride.Floats)); c0_0 = Avx512F.FusedMultiplyAdd(a, b0, c0_0); c0_1 = Avx512F.FusedMultiplyAdd(a, b1, c0_1);
                        a = Vector512.Create(*(a0 + 1 * TStride.Floats)); c1_0 = Avx512F.FusedMultiplyAdd(a, b0, c1_0); c1_1 = Avx512F.FusedMultiplyAdd(a, b1, c1_1);
                        a = Vector512.Create(*(a0 + 2 * TStride.Floats)); c2_0 = Avx512F.FusedMultiplyAdd(a, b0, c2_0); c2_1 = Avx512F.FusedMultiplyAdd(a, b1, c2_1);
                        a = Vector512.Create(*(a0 + 3 * TStride.Floats)); c3_0 = Avx512F.FusedMultiplyAdd(a, b0, c3_0); c3_1 = Avx512F.FusedMultiplyAdd(a, b1, c3_1);
                        a = Vector512.Create(*(a0 + 4 * TStride.Floats)); c4_0 = Avx512F.FusedMultiplyAdd(a, b0, c4_0); c4_1 = Avx512F.FusedMultiplyAdd(a, b1, c4_1);
                        a = Vector512.Create(*(a0 + 5 * TStride.Floats)); c5_0 = Avx512F.FusedMultiplyAdd(a, b0, c5_0); c5_1 = Avx512F.FusedMultiplyAdd(a, b1, c5_1);
                        a = Vector512.Create(*(a0 + 6 * TStride.Floats)); c6_0 = Avx512F.FusedMultiplyAdd(a, b0, c6_0); c6_1 = Avx512F.FusedMultiplyAdd(a, b1, c6_1);
                        a = Vector512.Create(*(a1 + 0 * TStride.Floats)); c7_0 = Avx512F.FusedMultiplyAdd(a, b0, c7_0); c7_1 = Avx512F.FusedMultiplyAdd(a, b1, c7_1);
                        a = Vector512.Create(*(a1 + 1 * TStride.Floats)); c8_0 = Avx512F.FusedMultiplyAdd(a, b0, c8_0); c8_1 = Avx512F.FusedMultiplyAdd(a, b1, c8_1);
                        a = Vector512.Create(*(a1 + 2 * TStride.Floats)); c9_0 = Avx512F.FusedMultiplyAdd(a, b0, c9_0); c9_1 = Avx512F.FusedMultiplyAdd(a, b1, c9_1);
                        a = Vector512.Create(*(a1 + 3 * TStride.Floats)); c10_0 = Avx512F.FusedMultiplyAdd(a, b0, c10_0); c10_1 = Avx512F.FusedMultiplyAdd(a, b1, c10_1);
                        a = Vector512.Create(*(a1 + 4 * TStride.Floats)); c11_0 = Avx512F.FusedMultiplyAdd(a, b0, c11_0); c11_1 = Avx512F.FusedMultiplyAdd(a, b1, c11_1);
                        a = Vector512.Create(*(a1 + 5 * TStride.Floats)); c12_0 = Avx512F.FusedMultiplyAdd(a, b0, c12_0); c12_1 = Avx512F.FusedMultiplyAdd(a, b1, c12_1);
                        a = Vector512.Create(*(a1 + 6 * TStride.Floats)); c13_0 = Avx512F.FusedMultiplyAdd(a, b0, c13_0); c13_1 = Avx512F.FusedMultiplyAdd(a, b1, c13_1);
                    }
                }
            }
        }
        Finish(c0_0, c0_1, out0 + 0 * e.OutPixelStride, res0 + 0 * Lanes, ref e);
        Finish(c1_0, c1_1, out0 + 1 * e.OutPixelStride, res0 + 1 * Lanes, ref e);
        Finish(c2_0, c2_1, out0 + 2 * e.OutPixelStride, res0 + 2 * Lanes, ref e);
        Finish(c3_0, c3_1, out0 + 3 * e.OutPixelStride, res0 + 3 * Lanes, ref e);
        Finish(c4_0, c4_1, out0 + 4 * e.OutPixelStride, res0 + 4 * Lanes, ref e);
        Finish(c5_0, c5_1, out0 + 5 * e.OutPixelStride, res0 + 5 * Lanes, ref e);
        Finish(c6_0, c6_1, out0 + 6 * e.OutPixelStride, res0 + 6 * Lanes, ref e);
        Finish(c7_0, c7_1, out1 + 0 * e.OutPixelStride, res1 + 0 * Lanes, ref e);
        Finish(c8_0, c8_1, out1 + 1 * e.OutPixelStride, res1 + 1 * Lanes, ref e);
        Finish(c9_0, c9_1, out1 + 2 * e.OutPixelStride, res1 + 2 * Lanes, ref e);
        Finish(c10_0, c10_1, out1 + 3 * e.OutPixelStride, res1 + 3 * Lanes, ref e);
        Finish(c11_0, c11_1, out1 + 4 * e.OutPixelStride, res1 + 4 * Lanes, ref e);
        Finish(c12_0, c12_1, out1 + 5 * e.OutPixelStride, res1 + 5 * Lanes, ref e);
        Finish(c13_0, c13_1, out1 + 6 * e.OutPixelStride, res1 + 6 * Lanes, ref e);
    }

    /// <summary>12 output pixels (runs of 4 at <paramref name="in0"/>, <paramref name="in1"/>, <paramref name="in2"/>) × 32 channels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Kernel12<TStride>(float* in0, float* in1, float* in2, float* w, int blocks, nint blockStride, int kernelH, nint rowStride, int kernelW, int lanes,
        float* out0, float* out1, float* out2, float* res0, float* res1, float* res2, ref Epilogue e) where TStride : struct, IPixelStride
    {
        Vector512<float> c0_0 = default, c0_1 = default;
        Vector512<float> c1_0 = default, c1_1 = default;
        Vector512<float> c2_0 = default, c2_1 = default;
        Vector512<float> c3_0 = default, c3_1 = default;
        Vector512<float> c4_0 = default, c4_1 = default;
        Vector512<float> c5_0 = default, c5_1 = default;
        Vector512<float> c6_0 = default, c6_1 = default;
        Vector512<float> c7_0 = default, c7_1 = default;
        Vector512<float> c8_0 = default, c8_1 = default;
        Vector512<float> c9_0 = default, c9_1 = default;
        Vector512<float> c10_0 = default, c10_1 = default;
        Vector512<float> c11_0 = default, c11_1 = default;
        Vector512<float> a;
        for (int cb = 0; cb < blocks; cb++)
        {
            for (int y = 0; y < kernelH; y++)
            {
                float* row0 = in0 + cb * blockStride + y * rowStride;
                float* row1 = in1 + cb * blockStride + y * rowStride;
                float* row2 = in2 + cb * blockStride + y * rowStride;
                for (int x = 0; x < kernelW; x++)
                {
                    float* a0 = row0 + x * lanes, a1 = row1 + x * lanes, a2 = row2 + x * lanes;
                    for (int l = 0; l < lanes; l++, a0++, a1++, a2++, w += DirectConvWeights.Tile)
                    {
                        Vector512<float> b0 = Vector512.Load(w), b1 = Vector512.Load(w + Lanes);
                        a = Vector512.Create(*(a0 + 0 * TStride.Floats)); c0_0 = Avx512F.FusedMultiplyAdd(a, b0, c0_0); c0_1 = Avx512F.FusedMultiplyAdd(a, b1, c0_1);
                        a = Vector512.Create(*(a0 + 1 * TStride.Floats)); c1_0 = Avx512F.FusedMultiplyAdd(a, b0, c1_0); c1_1 = Avx512F.FusedMultiplyAdd(a, b1, c1_1);
                        a = Vector512.Create(*(a0 + 2 * TStride.Floats)); c2_0 = Avx512F.FusedMultiplyAdd(a, b0, c2_0); c2_1 = Avx512F.FusedMultiplyAdd(a, b1, c2_1);
                        a = Vector512.Create(*(a0 + 3 * TStride.Floats)); c3_0 = Avx512F.FusedMultiplyAdd(a, b0, c3_0); c3_1 = Avx512F.FusedMultiplyAdd(a, b1, c3_1);
                        a = Vector512.Create(*(a1 + 0 * TStride.Floats)); c4_0 = Avx512F.FusedMultiplyAdd(a, b0, c4_0); c4_1 = Avx512F.FusedMultiplyAdd(a, b1, c4_1);
                        a = Vector512.Create(*(a1 + 1 * TStride.Floats)); c5_0 = Avx512F.FusedMultiplyAdd(a, b0, c5_0); c5_1 = Avx512F.FusedMultiplyAdd(a, b1, c5_1);
                        a = Vector512.Create(*(a1 + 2 * TStride.Floats)); c6_0 = Avx512F.FusedMultiplyAdd(a, b0, c6_0); c6_1 = Avx512F.FusedMultiplyAdd(a, b1, c6_1);
                        a = Vector512.Create(*(a1 + 3 * TStride.Floats)); c7_0 = Avx512F.FusedMultiplyAdd(a, b0, c7_0); c7_1 = Avx512F.FusedMultiplyAdd(a, b1, c7_1);
                        a = Vector512.Create(*(a2 + 0 * TStride.Floats)); c8_0 = Avx512F.FusedMultiplyAdd(a, b0, c8_0); c8_1 = Avx512F.FusedMultiplyAdd(a, b1, c8_1);
                        a = Vector512.Create(*(a2 + 1 * TStride.Floats)); c9_0 = Avx512F.FusedMultiplyAdd(a, b0, c9_0); c9_1 = Avx512F.FusedMultiplyAdd(a, b1, c9_1);
                        a = Vector512.Create(*(a2 + 2 * TStride.Floats)); c10_0 = Avx512F.FusedMultiplyAdd(a, b0, c10_0); c10_1 = Avx512F.FusedMultiplyAdd(a, b1, c10_1);
                        a = Vector512.Create(*(a2 + 3 * TStride.Floats)); c11_0 = Avx512F.FusedMultiplyAdd(a, b0, c11_0); c11_1 = Avx512F.FusedMultiplyAdd(a, b1, c11_1);
                    }
                }
            }
        }
        Finish(c0_0, c0_1, out0 + 0 * e.OutPixelStride, res0 + 0 * Lanes, ref e);
        Finish(c1_0, c1_1, out0 + 1 * e.OutPixelStride, res0 + 1 * Lanes, ref e);
        Finish(c2_0, c2_1, out0 + 2 * e.OutPixelStride, res0 + 2 * Lanes, ref e);
        Finish(c3_0, c3_1, out0 + 3 * e.OutPixelStride, res0 + 3 * Lanes, ref e);
        Finish(c4_0, c4_1, out1 + 0 * e.OutPixelStride, res1 + 0 * Lanes, ref e);
        Finish(c5_0, c5_1, out1 + 1 * e.OutPixelStride, res1 + 1 * Lanes, ref e);
        Finish(c6_0, c6_1, out1 + 2 * e.OutPixelStride, res1 + 2 * Lanes, ref e);
        Finish(c7_0, c7_1, out1 + 3 * e.OutPixelStride, res1 + 3 * Lanes, ref e);
        Finish(c8_0, c8_1, out2 + 0 * e.OutPixelStride, res2 + 0 * Lanes, ref e);
        Finish(c9_0, c9_1, out2 + 1 * e.OutPixelStride, res2 + 1 * Lanes, ref e);
        Finish(c10_0, c10_1, out2 + 2 * e.OutPixelStride, res2 + 2 * Lanes, ref e);
        Finish(c11_0, c11_1, out2 + 3 * e.OutPixelStride, res2 + 3 * Lanes, ref e);
    }

    /// <summary>One output pixel × 32 channels: maps narrower than a run.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Kernel1<TStride>(float* input, float* w, int blocks, nint blockStride, int kernelH, nint rowStride, int kernelW, int lanes,
        float* output, float* residual, ref Epilogue e) where TStride : struct, IPixelStride
    {
        Vector512<float> c0 = default, c1 = default;
        for (int cb = 0; cb < blocks; cb++)
            for (int y = 0; y < kernelH; y++)
            {
                float* row = input + cb * blockStride + y * rowStride;
                for (int x = 0; x < kernelW; x++)
                {
                    float* a0 = row + x * lanes;
                    for (int l = 0; l < lanes; l++, a0++, w += DirectConvWeights.Tile)
                    {
                        var a = Vector512.Create(*a0);
                        c0 = Avx512F.FusedMultiplyAdd(a, Vector512.Load(w), c0);
                        c1 = Avx512F.FusedMultiplyAdd(a, Vector512.Load(w + Lanes), c1);
                    }
                }
            }
        Finish(c0, c1, output, residual, ref e);
    }

    internal struct Floats3 : IPixelStride { public static int Floats => 3; }
    internal struct Floats6 : IPixelStride { public static int Floats => 6; }
    internal struct Floats16 : IPixelStride { public static int Floats => 16; }
    internal struct Floats32 : IPixelStride { public static int Floats => 32; }
}
