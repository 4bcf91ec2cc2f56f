// 3×3 stride-1 convolution (padding 1) by Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray 2016) on
// channel-blocked activations, inference only, with the batch norm folded in and bias, residual and ReLU
// fused into the output transform:
//   per 2×2 output tile t and its 4×4 input tile d:   V = Bᵀ d B,   M_ξ = Σ_c U_ξ[o, c] · V_ξ[c, t],   Y = Aᵀ M A
//   Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]],   Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]]
// 16 multiplies per output tile and channel pair instead of 36 (2.25× fewer); the transforms are adds only,
// vectorised over the 16 lanes of a channel block, and cost O(C + O) per tile against the GEMMs' O(C·O).
// Data flow per chunk of tiles (one work item, all in the thread's cache): transform the chunk's input tiles
// into V (16, CB, T, L); for each position ξ and 32-channel output tile run the direct convolution's
// register-blocked kernel as a 1×1 "convolution" over the T tiles (V_ξ broadcast, U_ξ vectors) into
// M (16, O/L, T, L); then the output transform writes each tile once. Chunks are sized so that one position's
// V_ξ stays in L2 while it is reused by every output tile. Each output element is computed by one item in a
// fixed order, so results do not depend on the chunking or the thread count.
// Error: the transforms only add and subtract inputs (and halve weights, in double), so results stay within
// a few ulps of the direct convolution's; the tests hold both to DirectConv2dReference.
// Shape key: N = batch, C/O = input/output channels, CB/OB = their 16-lane blocks, L = lanes, T = tiles per chunk.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pipeline.Models.Kernels;

/// <summary>Winograd F(2×2, 3×3) convolution of blocked activations with BN-folded weights, bias, residual and ReLU fused.</summary>
internal static unsafe class WinogradConv2d
{
    private const int Lanes = BlockedLayout.VectorLanes;
    private const int Positions = WinogradWeights.Positions;

    /// <summary>Floats of V_ξ (C × T) aimed at per chunk: 96 KB, well inside a 1 MB L2 next to U_ξ's tile.</summary>
    private const int ChunkFloats = 24 * 1024;

    /// <summary>Whether this CPU runs the kernel (the direct convolution's AVX-512 kernel does the products).</summary>
    public static bool IsSupported => DirectConv2d.IsSupported;

    /// <summary>2×2 output tiles of a batch.</summary>
    public static int TileCount(int batch, int height, int width) => batch * ((height + 1) / 2) * ((width + 1) / 2);

    /// <summary>Border the input needs: 1 for even sizes, 2 when the last tile of an odd side reads one past the interior.</summary>
    public static int InputBorder(int height, int width) => height % 2 == 1 || width % 2 == 1 ? 2 : 1;

    /// <summary>
    /// output = ReLU?(conv3×3(input, padding 1) + bias + residual?) on blocked buffers of the same height and width;
    /// the output's border is untouched.
    /// </summary>
    public static void Forward(WinogradWeights weights, BlockedLayout inLayout, float* input, BlockedLayout outLayout, float* output,
        BlockedLayout residualLayout, float* residual, bool relu)
    {
        if (!IsSupported) throw new NotSupportedException("winograd conv: needs AVX-512F.");
        if (inLayout.Lanes != Lanes || inLayout.Channels != weights.InChannels || inLayout.Border < InputBorder(inLayout.Height, inLayout.Width))
            throw new ArgumentException($"winograd conv: input {inLayout} does not match {weights.InChannels} channels of 16 lanes with border {InputBorder(inLayout.Height, inLayout.Width)}.");
        if (outLayout.Lanes != Lanes || outLayout.Channels != weights.OutChannels || outLayout.Batch != inLayout.Batch
            || outLayout.Height != inLayout.Height || outLayout.Width != inLayout.Width)
            throw new ArgumentException($"winograd conv: output {outLayout} does not match input {inLayout}.");
        if (residual is not null && (residualLayout.Lanes != Lanes || residualLayout.Channels != outLayout.Channels || residualLayout.Batch != outLayout.Batch
            || residualLayout.Height != outLayout.Height || residualLayout.Width != outLayout.Width))
            throw new ArgumentException($"winograd conv: residual {residualLayout} does not match the output {outLayout}.");
        int tiles = TileCount(inLayout.Batch, inLayout.Height, inLayout.Width);
        int chunk = ChunkTiles(weights.InChannels, tiles, Parallelism.DegreeOfParallelism);
        fixed (float* u = weights.Packed)
        fixed (float* bias = weights.Bias)
        {
            var job = new Job
            {
                Weights = u, PositionLength = weights.PositionLength, TileLength = weights.TileLength, Bias = bias,
                InBlocks = weights.InBlocks, OutBlocks = weights.OutChannels / Lanes, In = inLayout, Input = input, Out = outLayout, Output = output,
                Res = residualLayout, Residual = residual, Relu = relu, TilesX = (inLayout.Width + 1) / 2, TilesY = (inLayout.Height + 1) / 2,
                Tiles = tiles, Chunk = chunk,
            };
            Parallelism.For((tiles + chunk - 1) / chunk, ref job);
        }
    }

    /// <summary>
    /// Tiles per work item: a multiple of 14 (one kernel call) with one position's V_ξ near <see cref="ChunkFloats"/>, but
    /// small enough that every thread gets at least two items.
    /// </summary>
    internal static int ChunkTiles(int channels, int tiles, int threads)
    {
        const int Pair = 2 * DirectConv2d.Run;        // one kernel call: a chunk of whole pairs wastes nothing
        int byCache = Pair * Math.Clamp(ChunkFloats / (Math.Max(channels, 1) * Pair), 1, 8);
        int byThreads = Math.Max(Pair, tiles / (2 * Math.Max(threads, 1)) / Pair * Pair);
        return Math.Min(byCache, byThreads);
    }

    /// <summary>
    /// Whether Winograd beats the direct kernel for a map of <paramref name="tiles"/> tiles: it needs every thread to get at
    /// least two full chunks, else the direct kernel's finer work items balance better and a partial chunk's padding
    /// run costs more than the transform saves (7×7 maps of one image: 16 tiles).
    /// </summary>
    public static bool Pays(int tiles, int threads) => IsSupported && tiles >= 2 * 2 * DirectConv2d.Run * 2 * Math.Max(threads, 1);

    private struct Job : IParallelBody
    {
        public float* Weights, Bias, Input, Output, Residual;
        public int PositionLength, TileLength, InBlocks, OutBlocks, TilesX, TilesY, Tiles, Chunk;
        public BlockedLayout In, Out, Res;
        public bool Relu;

        public readonly void Invoke(int index)
        {
            int first = index * Chunk, count = Math.Min(Chunk, Tiles - first);
            // The thread's GEMM packing buffers are free here: no SGEMM runs inside this item.
            float* v = PackBuffer.ForA(Positions * InBlocks * Chunk * Lanes);       // (16, CB, T, L)
            float* m = PackBuffer.ForB(Positions * OutBlocks * Chunk * Lanes);      // (16, OB, T, L)
            for (int t = 0; t < count; t++) TransformInput(first + t, t, v);
            Multiply(count, v, m);
            for (int t = 0; t < count; t++) TransformOutput(first + t, t, m);
        }

        private readonly (int Image, int Y, int X) Locate(int tile)
        {
            int perImage = TilesY * TilesX;
            int rest = tile % perImage;
            return (tile / perImage, 2 * (rest / TilesX), 2 * (rest % TilesX));
        }

        /// <summary>V[ξ, cb, t] = Bᵀ d B for the 4×4 input tile whose top-left pixel is (y − 1, x − 1), every channel block.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void TransformInput(int tile, int t, float* v)
        {
            var (image, y, x) = Locate(tile);
            nint row = In.RowStride, blockStride = In.BlockStride, positionStride = (nint)InBlocks * Chunk * Lanes;
            float* first = Input + In.Offset(image, 0, y - 1, x - 1);
            for (int cb = 0; cb < InBlocks; cb++)
            {
                float* d = first + cb * blockStride;
                float* target = v + ((nint)cb * Chunk + t) * Lanes;
                // Bᵀ on the rows (t_ic = row i of Bᵀd, column c), then B on each row of t; named locals stay in registers.
                var d00 = Vector512.Load(d + 0); var d10 = Vector512.Load(d + row + 0);
                var d20 = Vector512.Load(d + 2 * row + 0); var d30 = Vector512.Load(d + 3 * row + 0);
                var t00 = d00 - d20; var t10 = d10 + d20; var t20 = d20 - d10; var t30 = d10 - d30;
                var d01 = Vector512.Load(d + 16); var d11 = Vector512.Load(d + row + 16);
                var d21 = Vector512.Load(d + 2 * row + 16); var d31 = Vector512.Load(d + 3 * row + 16);
                var t01 = d01 - d21; var t11 = d11 + d21; var t21 = d21 - d11; var t31 = d11 - d31;
                var d02 = Vector512.Load(d + 32); var d12 = Vector512.Load(d + row + 32);
                var d22 = Vector512.Load(d + 2 * row + 32); var d32 = Vector512.Load(d + 3 * row + 32);
                var t02 = d02 - d22; var t12 = d12 + d22; var t22 = d22 - d12; var t32 = d12 - d32;
                var d03 = Vector512.Load(d + 48); var d13 = Vector512.Load(d + row + 48);
                var d23 = Vector512.Load(d + 2 * row + 48); var d33 = Vector512.Load(d + 3 * row + 48);
                var t03 = d03 - d23; var t13 = d13 + d23; var t23 = d23 - d13; var t33 = d13 - d33;
                (t00 - t02).Store(target + 0 * positionStride); (t01 + t02).Store(target + 1 * positionStride);
                (t02 - t01).Store(target + 2 * positionStride); (t01 - t03).Store(target + 3 * positionStride);
                (t10 - t12).Store(target + 4 * positionStride); (t11 + t12).Store(target + 5 * positionStride);
                (t12 - t11).Store(target + 6 * positionStride); (t11 - t13).Store(target + 7 * positionStride);
                (t20 - t22).Store(target + 8 * positionStride); (t21 + t22).Store(target + 9 * positionStride);
                (t22 - t21).Store(target + 10 * positionStride); (t21 - t23).Store(target + 11 * positionStride);
                (t30 - t32).Store(target + 12 * positionStride); (t31 + t32).Store(target + 13 * positionStride);
                (t32 - t31).Store(target + 14 * positionStride); (t31 - t33).Store(target + 15 * positionStride);
            }
        }

        /// <summary>M_ξ = U_ξ · V_ξ for the chunk's tiles, every position and output tile, on the direct kernel.</summary>
        private readonly void Multiply(int count, float* v, float* m)
        {
            nint blockStride = (nint)Chunk * Lanes;
            var e = new DirectConv2d.Epilogue { OutBlockStride = blockStride, OutPixelStride = Lanes };
            int tiles = OutBlocks / 2, runs = (count + DirectConv2d.Run - 1) / DirectConv2d.Run;
            for (int xi = 0; xi < Positions; xi++)
            {
                float* vx = v + xi * InBlocks * blockStride;
                for (int tile = 0; tile < tiles; tile++)
                {
                    float* u = Weights + xi * PositionLength + (nint)tile * TileLength;
                    float* mx = m + (xi * OutBlocks + 2 * tile) * blockStride;
                    if (count < DirectConv2d.Run)
                    {
                        for (int t = 0; t < count; t++)
                            DirectConv2d.Kernel1<DirectConv2d.Floats16>(vx + t * Lanes, u, InBlocks, blockStride, 1, 0, 1, Lanes, mx + t * Lanes, null, ref e);
                        continue;
                    }
                    for (int pair = 0; pair < (runs + 1) / 2; pair++)
                    {
                        int t0 = Math.Min(2 * pair * DirectConv2d.Run, count - DirectConv2d.Run);
                        int t1 = Math.Min(Math.Min(2 * pair + 1, runs - 1) * DirectConv2d.Run, count - DirectConv2d.Run);
                        DirectConv2d.Kernel14<DirectConv2d.Floats16>(vx + t0 * Lanes, vx + t1 * Lanes, u, InBlocks, blockStride, 1, 0, 1, Lanes,
                            mx + t0 * Lanes, mx + t1 * Lanes, null, null, ref e);
                    }
                }
            }
        }

        /// <summary>Y = Aᵀ M A + bias (+ residual) (ReLU) for one tile, every output block; pixels past the map are dropped.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void TransformOutput(int tile, int t, float* m)
        {
            var (image, y, x) = Locate(tile);
            bool right = x + 1 < Out.Width, below = y + 1 < Out.Height;
            nint positionStride = (nint)OutBlocks * Chunk * Lanes, outBlock = Out.BlockStride, resBlock = Res.BlockStride;
            float* firstTarget = Output + Out.Offset(image, 0, y, x);
            float* firstResidual = Residual is null ? null : Residual + Res.Offset(image, 0, y, x);
            for (int ob = 0; ob < OutBlocks; ob++)
            {
                float* source = m + ((nint)ob * Chunk + t) * Lanes;
                // Aᵀ on the rows (s0 = m0 + m1 + m2, s1 = m1 − m2 − m3), column by column, then A on s0 and s1.
                var s00 = Vector512.Load(source + 0 * positionStride) + Vector512.Load(source + 4 * positionStride) + Vector512.Load(source + 8 * positionStride);
                var s10 = Vector512.Load(source + 4 * positionStride) - Vector512.Load(source + 8 * positionStride) - Vector512.Load(source + 12 * positionStride);
                var s01 = Vector512.Load(source + 1 * positionStride) + Vector512.Load(source + 5 * positionStride) + Vector512.Load(source + 9 * positionStride);
                var s11 = Vector512.Load(source + 5 * positionStride) - Vector512.Load(source + 9 * positionStride) - Vector512.Load(source + 13 * positionStride);
                var s02 = Vector512.Load(source + 2 * positionStride) + Vector512.Load(source + 6 * positionStride) + Vector512.Load(source + 10 * positionStride);
                var s12 = Vector512.Load(source + 6 * positionStride) - Vector512.Load(source + 10 * positionStride) - Vector512.Load(source + 14 * positionStride);
                var s03 = Vector512.Load(source + 3 * positionStride) + Vector512.Load(source + 7 * positionStride) + Vector512.Load(source + 11 * positionStride);
                var s13 = Vector512.Load(source + 7 * positionStride) - Vector512.Load(source + 11 * positionStride) - Vector512.Load(source + 15 * positionStride);
                var bias = Vector512.Load(Bias + ob * Lanes);
                float* target = firstTarget + ob * outBlock;
                float* residual = firstResidual is null ? null : firstResidual + ob * resBlock;
                Finish(s00 + s01 + s02 + bias, target, residual, 0);
                if (right) Finish(s01 - s02 - s03 + bias, target + Lanes, residual, Lanes);
                if (below)
                {
                    Finish(s10 + s11 + s12 + bias, target + Out.RowStride, residual, Res.RowStride);
                    if (right) Finish(s11 - s12 - s13 + bias, target + Out.RowStride + Lanes, residual, Res.RowStride + Lanes);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void Finish(Vector512<float> value, float* target, float* residual, nint residualOffset)
        {
            if (residual is not null) value += Vector512.Load(residual + residualOffset);
            if (Relu) value = Avx512F.Max(Vector512<float>.Zero, value);     // NaN passes, as in the direct kernel
            value.Store(target);
        }
    }
}
