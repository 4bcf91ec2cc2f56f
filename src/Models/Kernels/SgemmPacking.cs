// Panel packing for the blocked SGEMM, and the per-thread buffers the packed panels live in.
//
// Packing copies a KC-deep slice of op(A) / op(B) into the exact order the micro-kernel reads
// it: A as consecutive MR-row micro-panels, each stored k-major (MR values per k step, already
// multiplied by alpha so the kernel never has to), and B as consecutive NR-column
// micro-panels, each k-major (NR values per k step). The micro-kernel then streams both with
// unit stride, independent of the caller's transposes and leading dimensions, and the
// panels stay resident in L1/L2 while they are reused across a whole row/column of tiles.
// Ragged edges are padded with zeros, so the kernel always computes a full tile and the
// padding contributes nothing to the sums. Row-major A (and transposed B) need a transpose
// while packing; full panels do it in 4×4 register blocks instead of scalar strided stores.

using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pipeline.Models.Kernels;

/// <summary>Packs A and B panels for <see cref="SgemmBlocked"/>.</summary>
internal static unsafe class SgemmPacking
{
    /// <summary>
    /// Packs rows [0, mc) × k-range [0, kc) of op(A) (alpha-scaled) into MR-row micro-panels.
    /// <paramref name="a"/> points at op(A)[0, 0] of the block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(bool transposeA, float* a, nint lda, int mc, int kc, float alpha, float* dst, int mr)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            if (transposeA)
            {
                // op(A)[i, p] = A[p, i]: each k step is a contiguous run of `rows` values.
                float* src = a + ir;
                int vectorRows = rows == mr ? mr & ~3 : 0;
                Vector128<float> va = Vector128.Create(alpha);
                for (int p = 0; p < kc; p++, src += lda, dst += mr)
                {
                    int i = 0;
                    for (; i < vectorRows; i += 4)
                        (Vector128.Load(src + i) * va).Store(dst + i);
                    for (; i < rows; i++)
                        dst[i] = alpha * src[i];
                    for (; i < mr; i++)
                        dst[i] = 0f;
                }
            }
            else if (rows == mr && mr % 4 == 0)
            {
                PackTransposed(a + ir * lda, lda, mr, kc, alpha, dst);
                dst += (nint)mr * kc;
            }
            else
            {
                // op(A)[i, p] = A[i, p]: read each source row contiguously, scatter with stride mr.
                for (int i = 0; i < rows; i++)
                {
                    float* src = a + (ir + i) * lda;
                    float* d = dst + i;
                    for (int p = 0; p < kc; p++, d += mr)
                        d[0] = alpha * src[p];
                }
                for (int i = rows; i < mr; i++)
                {
                    float* d = dst + i;
                    for (int p = 0; p < kc; p++, d += mr)
                        d[0] = 0f;
                }
                dst += (nint)mr * kc;
            }
        }
    }

    /// <summary>
    /// Packs k-range [0, kc) × columns [0, nc) of op(B) into NR-column micro-panels.
    /// <paramref name="b"/> points at op(B)[0, 0] of the block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(bool transposeB, float* b, nint ldb, int kc, int nc, float* dst, int nr)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            if (transposeB && cols == nr && nr % 4 == 0)
            {
                PackTransposed(b + jr * ldb, ldb, nr, kc, 1f, dst);
                dst += (nint)nr * kc;
            }
            else if (transposeB)
            {
                // op(B)[p, j] = B[j, p]: read each source row contiguously, scatter with stride nr.
                for (int j = 0; j < cols; j++)
                {
                    float* src = b + (jr + j) * ldb;
                    float* d = dst + j;
                    for (int p = 0; p < kc; p++, d += nr)
                        d[0] = src[p];
                }
                for (int j = cols; j < nr; j++)
                {
                    float* d = dst + j;
                    for (int p = 0; p < kc; p++, d += nr)
                        d[0] = 0f;
                }
                dst += (nint)nr * kc;
            }
            else
            {
                // op(B)[p, j] = B[p, j]: each k step is a contiguous run of `cols` values.
                float* src = b + jr;
                for (int p = 0; p < kc; p++, src += ldb, dst += nr)
                {
                    Buffer.MemoryCopy(src, dst, cols * sizeof(float), cols * sizeof(float));
                    if (cols < nr)
                        new Span<float>(dst + cols, nr - cols).Clear();
                }
            }
        }
    }

    /// <summary>
    /// dst[p·width + i] = scale·src[i·ld + p] for i &lt; width, p &lt; kc: turns `width` source rows into one
    /// k-major micro-panel (A not transposed, or B transposed). Works in 8×8 blocks of 256-bit vectors
    /// when the scale is 1 (B always, A for alpha = 1; a 12-row panel as 8 + 4 rows), otherwise in 4×4
    /// blocks — rows loaded as vectors, transposed in registers, stored as k steps — which replaces the
    /// scalar strided stores; the tail of kc falls back to scalar code.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackTransposed(float* src, nint ld, int width, int kc, float scale, float* dst)
    {
        Debug.Assert(width % 4 == 0);
        if (Avx.IsSupported && width % 8 == 0 && scale == 1f)
        {
            PackTransposed8(src, ld, width, kc, dst);
            return;
        }
        if (Avx.IsSupported && width % 8 == 4 && scale == 1f && width > 4)
        {
            // MR = 12: the first 8 rows as 8×8 blocks, the last 4 by the 4×4 path below.
            PackTransposed8(src, ld, width - 4, kc, dst, width);
            src += (width - 4) * ld;
            dst += width - 4;
            PackTransposed4(src, ld, 4, kc, scale, dst, width);
            return;
        }
        PackTransposed4(src, ld, width, kc, scale, dst, width);
    }

    /// <summary>
    /// The 8-row form of <see cref="PackTransposed"/> for rows [0, <paramref name="rows"/>) of a panel <paramref name="stride"/>
    /// wide (defaults to rows): eight rows loaded as 256-bit vectors and transposed in registers give eight k steps,
    /// half the instructions per value of the 4×4 form. Measured: packing the transposed weights was 17% of a greedy
    /// decoding step (every x·Wᵀ repacks W for a batch of 32).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackTransposed8(float* src, nint ld, int rows, int kc, float* dst, int stride = 0)
    {
        if (stride == 0) stride = rows;
        Debug.Assert(rows % 8 == 0);
        int kc8 = kc & ~7;
        for (int i = 0; i < rows; i += 8)
        {
            float* s = src + i * ld;
            float* d = dst + i;
            for (int p = 0; p < kc8; p += 8, s += 8, d += 8 * stride)
            {
                Vector256<float> r0 = Avx.LoadVector256(s), r1 = Avx.LoadVector256(s + ld);
                Vector256<float> r2 = Avx.LoadVector256(s + 2 * ld), r3 = Avx.LoadVector256(s + 3 * ld);
                Vector256<float> r4 = Avx.LoadVector256(s + 4 * ld), r5 = Avx.LoadVector256(s + 5 * ld);
                Vector256<float> r6 = Avx.LoadVector256(s + 6 * ld), r7 = Avx.LoadVector256(s + 7 * ld);
                // Interleave pairs of rows, then pairs of pairs (within 128-bit lanes), then swap the lanes.
                Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
                Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
                Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
                Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
                Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
                Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
                Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
                Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
                Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
                Avx.Store(d + stride, Avx.Permute2x128(u1, u5, 0x20));
                Avx.Store(d + 2 * stride, Avx.Permute2x128(u2, u6, 0x20));
                Avx.Store(d + 3 * stride, Avx.Permute2x128(u3, u7, 0x20));
                Avx.Store(d + 4 * stride, Avx.Permute2x128(u0, u4, 0x31));
                Avx.Store(d + 5 * stride, Avx.Permute2x128(u1, u5, 0x31));
                Avx.Store(d + 6 * stride, Avx.Permute2x128(u2, u6, 0x31));
                Avx.Store(d + 7 * stride, Avx.Permute2x128(u3, u7, 0x31));
            }
        }
        for (int p = kc8; p < kc; p++)
        {
            float* d = dst + (nint)p * stride;
            for (int i = 0; i < rows; i++)
                d[i] = src[i * ld + p];
        }
    }

    /// <summary>The 4×4-block form of <see cref="PackTransposed"/> (any scale) for a panel <paramref name="stride"/> wide.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackTransposed4(float* src, nint ld, int width, int kc, float scale, float* dst, int stride)
    {
        int p = 0;
        if (Sse.IsSupported)
        {
            // Row groups outermost: the source rows are usually a power-of-two stride apart, so
            // walking all `width` rows at once would pile them into one L1 set; four sequential
            // streams at a time do not.
            Vector128<float> vs = Vector128.Create(scale);
            int kc4 = kc & ~3;
            for (int i = 0; i < width; i += 4)
            {
                float* s = src + i * ld;
                float* d = dst + i;
                for (p = 0; p < kc4; p += 4, s += 4, d += 4 * stride)
                {
                    Vector128<float> r0 = Vector128.Load(s) * vs;
                    Vector128<float> r1 = Vector128.Load(s + ld) * vs;
                    Vector128<float> r2 = Vector128.Load(s + 2 * ld) * vs;
                    Vector128<float> r3 = Vector128.Load(s + 3 * ld) * vs;
                    // 4×4 transpose: interleave pairs of rows, then pair up the 64-bit halves.
                    Vector128<float> t0 = Sse.UnpackLow(r0, r1), t1 = Sse.UnpackLow(r2, r3);
                    Vector128<float> t2 = Sse.UnpackHigh(r0, r1), t3 = Sse.UnpackHigh(r2, r3);
                    Sse.MoveLowToHigh(t0, t1).Store(d);
                    Sse.MoveHighToLow(t1, t0).Store(d + stride);
                    Sse.MoveLowToHigh(t2, t3).Store(d + 2 * stride);
                    Sse.MoveHighToLow(t3, t2).Store(d + 3 * stride);
                }
            }
            p = kc4;
        }
        for (; p < kc; p++)
        {
            float* d = dst + (nint)p * stride;
            for (int i = 0; i < width; i++)
                d[i] = scale * src[i * ld + p];
        }
    }
}

/// <summary>
/// A growable, 64-byte aligned, pinned float buffer cached per thread, so steady-state GEMM
/// calls allocate nothing. Pinned (POH) arrays keep the raw pointer valid without a fixed scope.
/// </summary>
internal sealed unsafe class PackBuffer
{
    [ThreadStatic] private static PackBuffer? t_a;
    [ThreadStatic] private static PackBuffer? t_b;

    private float[] _array = [];
    private float* _aligned;
    private int _capacity;

    /// <summary>The calling thread's A-panel buffer with room for at least <paramref name="floats"/> values.</summary>
    public static float* ForA(int floats) => (t_a ??= new PackBuffer()).Ensure(floats);

    /// <summary>The calling thread's B-panel buffer with room for at least <paramref name="floats"/> values.</summary>
    public static float* ForB(int floats) => (t_b ??= new PackBuffer()).Ensure(floats);

    private float* Ensure(int floats)
    {
        if (floats > _capacity)
        {
            // 16 spare floats = 64 bytes of slack to align the start to a cache line.
            _array = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true);
            nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
            _aligned = (float*)((start + 63) & ~(nint)63);
            _capacity = floats;
        }
        Debug.Assert(((nint)_aligned & 63) == 0);
        return _aligned;
    }
}
