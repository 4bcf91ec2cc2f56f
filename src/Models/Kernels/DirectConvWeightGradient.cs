// Weight gradient of a 2-D convolution on channel-blocked activations (BlockedLayout), the training
// counterpart of DirectConv2d:
//   dW[o, c, ky, kx] = Σ_{n, oy, ox} dY[n, o, oy, ox] · x[n, c, oy·s − p + ky, ox·s − p + kx]
// a GEMM dY (O × pixels) · cols (pixels × C·KH·KW) whose operands are read where they lie. In the blocked layout
// one pixel's output-channel gradients are contiguous vectors and one pixel's input lanes are contiguous
// floats, so at each output pixel the kernel loads 32 output channels' gradients (two vectors) and broadcasts
// 12 input values — 12 (kx, lane) pairs of one kernel row ky — into 24 accumulators: 12 weights × 32 output
// channels, the SGEMM micro-kernel's register blocking (2 loads + 12 broadcasts per 24 FMAs) with no im2col,
// no packing and no transposition. (In NCHW both operands are position-major and one of them must be
// transposed on every use; that transposition and the explicit im2col were a fifth of a training step.)
// Which 12 input values a pixel broadcasts is a compile-time table (IWeightGradientTaps): 3 kx × 4 lanes of a
// 16-lane input (four lane groups), 3 kx × 3 lanes of a 3-channel image, 12 lanes of a 1×1 kernel.
// Pixels are walked in chunks of output rows of one image, and for each chunk every (ky, lane group) runs over
// it with its accumulators loaded from and stored back to the gradient: the chunk's dY and x rows stay in L1.
// Work items: (32-channel output tile, input block, image group). Image groups — a count fixed by the shapes,
// never by the thread count — accumulate into separate buffers that are then summed in order, so results do
// not depend on the number of threads.
// The gradient is produced in DirectConvWeights' packed layout (O/T, CB, KH, KW, L, T) and added to an
// (O, C, KH, KW) gradient by AddTo. A naive version is DirectConv2dReference.WeightGradient.
// Shape key: N = batch, C/O = input/output channels, CB = input blocks, L = input lanes, T = 32-channel tile.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pipeline.Models.Kernels;

/// <summary>The 12 input values one pixel broadcasts: float offsets from the lane group's first lane, and where each result goes.</summary>
internal interface IWeightGradientTaps
{
    static abstract int O0 { get; }
    static abstract int O1 { get; }
    static abstract int O2 { get; }
    static abstract int O3 { get; }
    static abstract int O4 { get; }
    static abstract int O5 { get; }
    static abstract int O6 { get; }
    static abstract int O7 { get; }
    static abstract int O8 { get; }
    static abstract int O9 { get; }
    static abstract int O10 { get; }
    static abstract int O11 { get; }

    /// <summary>Lane groups that together cover every (kx, lane) of one kernel row.</summary>
    static abstract int Groups { get; }

    /// <summary>Lane the offsets of <paramref name="group"/> start from.</summary>
    static abstract int FirstLane(int group);

    /// <summary>The (kx, lane) that accumulator <paramref name="j"/> of <paramref name="group"/> computes, or false when it only repeats another.</summary>
    static abstract bool Tap(int j, int group, out int kx, out int lane);
}

/// <summary>Gradient of a convolution's weight from blocked input and output gradient.</summary>
internal static unsafe class DirectConvWeightGradient
{
    private const int Lanes = BlockedLayout.VectorLanes;
    private const int Tile = DirectConvWeights.Tile;
    private const int Combos = 12;

    /// <summary>Output pixels a chunk aims at: enough to amortise loading and storing the 24 accumulators.</summary>
    private const int ChunkPixels = 64;

    /// <summary>Work items wanted for two threads and some balance; images are split into groups until there are this many.</summary>
    private const int MinimumItems = 8;

    /// <summary>
    /// Whether the kernel runs this geometry: AVX-512, whole output tiles, and a square kernel and input lane count it
    /// has a tap table for (3×3 with 16 or 3 lanes, 1×1 with 16 lanes), at stride 1 or 2.
    /// </summary>
    public static bool Supports(int outChannels, int kernelH, int kernelW, int inLanes, int stride)
        => DirectConv2d.IsSupported && outChannels % Tile == 0 && stride is 1 or 2 && kernelH == kernelW
            && ((kernelW == 3 && inLanes is 16 or 3) || (kernelW == 1 && inLanes == 16));

    /// <summary>Floats of the packed gradient: (O/T, CB, KH, KW, L, T).</summary>
    public static int PackedLength(int outChannels, BlockedLayout inLayout, int kernelH, int kernelW)
        => outChannels / Tile * inLayout.Blocks * kernelH * kernelW * inLayout.Lanes * Tile;

    /// <summary>Image groups for a geometry (a function of the shapes only).</summary>
    public static int ImageGroups(int outChannels, BlockedLayout inLayout)
    {
        int items = outChannels / Tile * inLayout.Blocks;
        return Math.Clamp((MinimumItems + items - 1) / items, 1, Math.Max(1, inLayout.Batch));
    }

    /// <summary>
    /// packed = dW in (O/T, CB, KH, KW, L, T) from <paramref name="input"/> (border ≥ <paramref name="padding"/>) and
    /// <paramref name="gradOutput"/> (16 lanes, any border); overwritten. <paramref name="scratch"/> holds
    /// (<see cref="ImageGroups"/> − 1) · <paramref name="packedLength"/> floats (null when there is one group).
    /// </summary>
    public static void Compute(int kernelH, int kernelW, int stride, int padding, BlockedLayout inLayout, float* input,
        BlockedLayout gradLayout, float* gradOutput, float* packed, int packedLength, float* scratch)
    {
        int outChannels = gradLayout.Channels;
        if (!Supports(outChannels, kernelH, kernelW, inLayout.Lanes, stride)) throw new NotSupportedException($"direct conv weight gradient: kernel width {kernelW}, {inLayout.Lanes}-lane input, stride {stride}, {outChannels} output channels are not supported here.");
        if (inLayout.Border < padding) throw new ArgumentException($"direct conv weight gradient: the input border {inLayout.Border} is smaller than the padding {padding}.");
        if (gradLayout.Lanes != Lanes || gradLayout.Batch != inLayout.Batch
            || gradLayout.Height != DirectConv2d.OutputSize(inLayout.Height, kernelH, stride, padding) || gradLayout.Width != DirectConv2d.OutputSize(inLayout.Width, kernelW, stride, padding))
            throw new ArgumentException($"direct conv weight gradient: output gradient {gradLayout} does not match input {inLayout}, kernel {kernelH}x{kernelW}, stride {stride}, padding {padding}.");
        if (packedLength != PackedLength(outChannels, inLayout, kernelH, kernelW)) throw new ArgumentException("direct conv weight gradient: the packed gradient has the wrong length.");
        switch (kernelW, inLayout.Lanes, stride)
        {
            case (3, 16, 1): Dispatch<Taps3x16, DirectConv2d.Floats16>(kernelH, kernelW, stride, padding, inLayout, input, gradLayout, gradOutput, packed, packedLength, scratch); break;
            case (3, 16, 2): Dispatch<Taps3x16, DirectConv2d.Floats32>(kernelH, kernelW, stride, padding, inLayout, input, gradLayout, gradOutput, packed, packedLength, scratch); break;
            case (3, 3, 1): Dispatch<Taps3x3, DirectConv2d.Floats3>(kernelH, kernelW, stride, padding, inLayout, input, gradLayout, gradOutput, packed, packedLength, scratch); break;
            case (3, 3, 2): Dispatch<Taps3x3, DirectConv2d.Floats6>(kernelH, kernelW, stride, padding, inLayout, input, gradLayout, gradOutput, packed, packedLength, scratch); break;
            case (1, 16, 1): Dispatch<Taps1x16, DirectConv2d.Floats16>(kernelH, kernelW, stride, padding, inLayout, input, gradLayout, gradOutput, packed, packedLength, scratch); break;
            default: Dispatch<Taps1x16, DirectConv2d.Floats32>(kernelH, kernelW, stride, padding, inLayout, input, gradLayout, gradOutput, packed, packedLength, scratch); break;
        }
    }

    /// <summary>weightGrad (O, C, KH, KW) += the packed gradient (and the image groups' partial ones, in order).</summary>
    public static void AddTo(float* packed, float* scratch, int groups, int packedLength, int outChannels, int inChannels, int inLanes, int kernelH, int kernelW, Span<float> weightGrad)
    {
        int blocks = (inChannels + inLanes - 1) / inLanes;
        fixed (float* dw = weightGrad)
        {
            for (int o = 0; o < outChannels; o++)
                for (int c = 0; c < inChannels; c++)
                    for (int ky = 0; ky < kernelH; ky++)
                        for (int kx = 0; kx < kernelW; kx++)
                        {
                            nint at = (nint)((((o / Tile * blocks + c / inLanes) * kernelH + ky) * kernelW + kx) * inLanes + c % inLanes) * Tile + o % Tile;
                            float sum = packed[at];
                            for (int g = 1; g < groups; g++) sum += scratch[(nint)(g - 1) * packedLength + at];
                            dw[((o * inChannels + c) * kernelH + ky) * kernelW + kx] += sum;
                        }
        }
    }

    private static void Dispatch<TTaps, TStride>(int kernelH, int kernelW, int stride, int padding, BlockedLayout inLayout, float* input,
        BlockedLayout gradLayout, float* gradOutput, float* packed, int packedLength, float* scratch)
        where TTaps : struct, IWeightGradientTaps where TStride : struct, IPixelStride
    {
        int tiles = gradLayout.Channels / Tile, groups = ImageGroups(gradLayout.Channels, inLayout);
        var job = new Job<TTaps, TStride>
        {
            KernelH = kernelH, KernelW = kernelW, Stride = stride, Padding = padding, In = inLayout, Input = input, Grad = gradLayout, GradOutput = gradOutput,
            Packed = packed, PackedLength = packedLength, Scratch = scratch, Tiles = tiles, Groups = groups,
            ChunkRows = Math.Clamp(ChunkPixels / Math.Max(1, gradLayout.Width), 1, gradLayout.Height),
        };
        Parallelism.For(tiles * inLayout.Blocks * groups, ref job);
    }

    /// <summary>One work item: one output tile × one input block over one group of images.</summary>
    private struct Job<TTaps, TStride> : IParallelBody where TTaps : struct, IWeightGradientTaps where TStride : struct, IPixelStride
    {
        public float* Input, GradOutput, Packed, Scratch;
        public int KernelH, KernelW, Stride, Padding, PackedLength, Tiles, Groups, ChunkRows;
        public BlockedLayout In, Grad;

        public readonly void Invoke(int index)
        {
            int group = index % Groups, rest = index / Groups;
            int tile = rest / In.Blocks, cb = rest % In.Blocks;
            int regionLength = KernelH * KernelW * In.Lanes * Tile;
            float* target = (group == 0 ? Packed : Scratch + (nint)(group - 1) * PackedLength) + (nint)(tile * In.Blocks + cb) * regionLength;
            new Span<float>(target, regionLength).Clear();
            // Where accumulator j of (ky, lane group) lives; repeated taps go to a scratch tile that is never read.
            float* discard = stackalloc float[2 * Lanes];
            int lanesGroups = TTaps.Groups;
            nint* accumulators = stackalloc nint[KernelH * lanesGroups * Combos];   // at most 3 · 4 · 12
            for (int ky = 0; ky < KernelH; ky++)
                for (int g = 0; g < lanesGroups; g++)
                    for (int j = 0; j < Combos; j++)
                        accumulators[(ky * lanesGroups + g) * Combos + j] = TTaps.Tap(j, g, out int kx, out int lane)
                            ? (nint)(target + ((ky * KernelW + kx) * In.Lanes + lane) * Tile)
                            : (nint)discard;
            int first = (int)((long)In.Batch * group / Groups), end = (int)((long)In.Batch * (group + 1) / Groups);
            nint xRow = (nint)Stride * In.RowStride, gRow = Grad.RowStride;
            float** pointers = stackalloc float*[Combos];
            for (int n = first; n < end; n++)
                for (int oy = 0; oy < Grad.Height; oy += ChunkRows)
                {
                    int rows = Math.Min(ChunkRows, Grad.Height - oy);
                    float* dy = GradOutput + Grad.Offset(n, 2 * tile, oy, 0);
                    for (int ky = 0; ky < KernelH; ky++)
                    {
                        float* x = Input + In.Offset(n, cb, oy * Stride - Padding + ky, -Padding);
                        for (int g = 0; g < lanesGroups; g++)
                        {
                            for (int j = 0; j < Combos; j++) pointers[j] = (float*)accumulators[(ky * lanesGroups + g) * Combos + j];
                            Kernel<TTaps, TStride>(x + TTaps.FirstLane(g), xRow, dy, gRow, Grad.BlockStride, rows, Grad.Width, pointers);
                        }
                    }
                }
        }
    }

    /// <summary>
    /// acc[j] (32 floats each) += Σ over <paramref name="rows"/> × <paramref name="width"/> pixels of x[pixel + Oj] · dY[pixel, 32 channels].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Kernel<TTaps, TStride>(float* x, nint xRowStride, float* dy, nint dyRowStride, nint dyBlockStride, int rows, int width, float** acc)
        where TTaps : struct, IWeightGradientTaps where TStride : struct, IPixelStride
    {
        Vector512<float> c0_0 = Vector512.Load(acc[0]), c0_1 = Vector512.Load(acc[0] + Lanes);
        Vector512<float> c1_0 = Vector512.Load(acc[1]), c1_1 = Vector512.Load(acc[1] + Lanes);
        Vector512<float> c2_0 = Vector512.Load(acc[2]), c2_1 = Vector512.Load(acc[2] + Lanes);
        Vector512<float> c3_0 = Vector512.Load(acc[3]), c3_1 = Vector512.Load(acc[3] + Lanes);
        Vector512<float> c4_0 = Vector512.Load(acc[4]), c4_1 = Vector512.Load(acc[4] + Lanes);
        Vector512<float> c5_0 = Vector512.Load(acc[5]), c5_1 = Vector512.Load(acc[5] + Lanes);
        Vector512<float> c6_0 = Vector512.Load(acc[6]), c6_1 = Vector512.Load(acc[6] + Lanes);
        Vector512<float> c7_0 = Vector512.Load(acc[7]), c7_1 = Vector512.Load(acc[7] + Lanes);
        Vector512<float> c8_0 = Vector512.Load(acc[8]), c8_1 = Vector512.Load(acc[8] + Lanes);
        Vector512<float> c9_0 = Vector512.Load(acc[9]), c9_1 = Vector512.Load(acc[9] + Lanes);
        Vector512<float> c10_0 = Vector512.Load(acc[10]), c10_1 = Vector512.Load(acc[10] + Lanes);
        Vector512<float> c11_0 = Vector512.Load(acc[11]), c11_1 = Vector512.Load(acc[11] + Lanes);
        for (int r = 0; r < rows; r++)
        {
            float* a = x + r * xRowStride, g = dy + r * dyRowStride;
            for (int i = 0; i < width; i++, a += TStride.Floats, g += Lanes)
            {
                Vector512<float> g0 = Vector512.Load(g), g1 = Vector512.Load(g + dyBlockStride), b;
                b = Vector512.Create(a[TTaps.O0]); c0_0 = Avx512F.FusedMultiplyAdd(b, g0, c0_0); c0_1 = Avx512F.FusedMultiplyAdd(b, g1, c0_1);
                b = Vector512.Create(a[TTaps.O1]); c1_0 = Avx512F.FusedMultiplyAdd(b, g0, c1_0); c1_1 = Avx512F.FusedMultiplyAdd(b, g1, c1_1);
                b = Vector512.Create(a[TTaps.O2]); c2_0 = Avx512F.FusedMultiplyAdd(b, g0, c2_0); c2_1 = Avx512F.FusedMultiplyAdd(b, g1, c2_1);
                b = Vector512.Create(a[TTaps.O3]); c3_0 = Avx512F.FusedMultiplyAdd(b, g0, c3_0); c3_1 = Avx512F.FusedMultiplyAdd(b, g1, c3_1);
                b = Vector512.Create(a[TTaps.O4]); c4_0 = Avx512F.FusedMultiplyAdd(b, g0, c4_0); c4_1 = Avx512F.FusedMultiplyAdd(b, g1, c4_1);
                b = Vector512.Create(a[TTaps.O5]); c5_0 = Avx512F.FusedMultiplyAdd(b, g0, c5_0); c5_1 = Avx512F.FusedMultiplyAdd(b, g1, c5_1);
                b = Vector512.Create(a[TTaps.O6]); c6_0 = Avx512F.FusedMultiplyAdd(b, g0, c6_0); c6_1 = Avx512F.FusedMultiplyAdd(b, g1, c6_1);
                b = Vector512.Create(a[TTaps.O7]); c7_0 = Avx512F.FusedMultiplyAdd(b, g0, c7_0); c7_1 = Avx512F.FusedMultiplyAdd(b, g1, c7_1);
                b = Vector512.Create(a[TTaps.O8]); c8_0 = Avx512F.FusedMultiplyAdd(b, g0, c8_0); c8_1 = Avx512F.FusedMultiplyAdd(b, g1, c8_1);
                b = Vector512.Create(a[TTaps.O9]); c9_0 = Avx512F.FusedMultiplyAdd(b, g0, c9_0); c9_1 = Avx512F.FusedMultiplyAdd(b, g1, c9_1);
                b = Vector512.Create(a[TTaps.O10]); c10_0 = Avx512F.FusedMultiplyAdd(b, g0, c10_0); c10_1 = Avx512F.FusedMultiplyAdd(b, g1, c10_1);
                b = Vector512.Create(a[TTaps.O11]); c11_0 = Avx512F.FusedMultiplyAdd(b, g0, c11_0); c11_1 = Avx512F.FusedMultiplyAdd(b, g1, c11_1);
            }
        }
        c0_0.Store(acc[0]); c0_1.Store(acc[0] + Lanes);
        c1_0.Store(acc[1]); c1_1.Store(acc[1] + Lanes);
        c2_0.Store(acc[2]); c2_1.Store(acc[2] + Lanes);
        c3_0.Store(acc[3]); c3_1.Store(acc[3] + Lanes);
        c4_0.Store(acc[4]); c4_1.Store(acc[4] + Lanes);
        c5_0.Store(acc[5]); c5_1.Store(acc[5] + Lanes);
        c6_0.Store(acc[6]); c6_1.Store(acc[6] + Lanes);
        c7_0.Store(acc[7]); c7_1.Store(acc[7] + Lanes);
        c8_0.Store(acc[8]); c8_1.Store(acc[8] + Lanes);
        c9_0.Store(acc[9]); c9_1.Store(acc[9] + Lanes);
        c10_0.Store(acc[10]); c10_1.Store(acc[10] + Lanes);
        c11_0.Store(acc[11]); c11_1.Store(acc[11] + Lanes);
    }

    /// <summary>3-wide kernel, 16 input lanes: four groups of 3 kx × 4 lanes.</summary>
    private struct Taps3x16 : IWeightGradientTaps
    {
        public static int O0 => 0; public static int O1 => 1; public static int O2 => 2; public static int O3 => 3;
        public static int O4 => 16; public static int O5 => 17; public static int O6 => 18; public static int O7 => 19;
        public static int O8 => 32; public static int O9 => 33; public static int O10 => 34; public static int O11 => 35;
        public static int Groups => 4;
        public static int FirstLane(int group) => 4 * group;
        public static bool Tap(int j, int group, out int kx, out int lane) { kx = j / 4; lane = 4 * group + j % 4; return true; }
    }

    /// <summary>3-wide kernel, 3 input lanes (an RGB image): 3 kx × 3 lanes, the last three accumulators repeat the first.</summary>
    private struct Taps3x3 : IWeightGradientTaps
    {
        public static int O0 => 0; public static int O1 => 1; public static int O2 => 2; public static int O3 => 3;
        public static int O4 => 4; public static int O5 => 5; public static int O6 => 6; public static int O7 => 7;
        public static int O8 => 8; public static int O9 => 0; public static int O10 => 1; public static int O11 => 2;
        public static int Groups => 1;
        public static int FirstLane(int group) => 0;
        public static bool Tap(int j, int group, out int kx, out int lane) { kx = j / 3; lane = j % 3; return j < 9; }
    }

    /// <summary>1×1 kernel, 16 input lanes: lanes 0–11, then lanes 4–15 of which only 12–15 are new.</summary>
    private struct Taps1x16 : IWeightGradientTaps
    {
        public static int O0 => 0; public static int O1 => 1; public static int O2 => 2; public static int O3 => 3;
        public static int O4 => 4; public static int O5 => 5; public static int O6 => 6; public static int O7 => 7;
        public static int O8 => 8; public static int O9 => 9; public static int O10 => 10; public static int O11 => 11;
        public static int Groups => 2;
        public static int FirstLane(int group) => 4 * group;
        public static bool Tap(int j, int group, out int kx, out int lane) { kx = 0; lane = 4 * group + j; return group == 0 || lane >= 12; }
    }
}
