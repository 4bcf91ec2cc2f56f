// The cache-blocked GEMM driver (GotoBLAS/BLIS loop structure) for one thread's share of C.
//
//   for jc in N by NC:                      B block (KC×NC) is sized for the L3 / L2
//     for pc in K by KC:
//       pack op(B)[pc.., jc..] -> Bp          (NR-column micro-panels)
//       for ic in M by MC:
//         pack alpha·op(A)[ic.., pc..] -> Ap  (MR-row micro-panels, MC×KC fits in L2)
//         for jr in NC by NR:                 one B micro-panel (KC×NR) stays hot in L1 ...
//           for ir in MC by MR:               ... while the A micro-panels stream from L2
//             micro-kernel: C[ir, jr] tile += Ap[ir] · Bp[jr]
//
// beta is applied by the first KC slice only (later slices accumulate with beta = 1). Edge
// tiles run the full-size kernel into a stack scratch tile and copy the valid part out, so
// the kernels never need masks. Each thread packs into its own cached buffers; Sgemm splits
// C between threads so that no two threads write the same element. The hot methods are
// compiled fully optimised up front: they are called too few times (each call is long) for
// tiered compilation to promote them before a benchmark or a short job is over.

using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Pipeline.Models.Kernels;

/// <summary>Single-threaded packed, blocked GEMM over a (sub-)problem; the workhorse of <see cref="Sgemm"/>.</summary>
internal static unsafe class SgemmBlocked
{
    /// <summary>Depth of a packed slice: KC×NR floats of B (32 KiB at NR=32) sit in L1.</summary>
    public const int KC = 256;

    /// <summary>
    /// Deeper slice for large C: every slice re-reads and re-writes all of C, and once C no longer
    /// fits in the last-level cache that traffic goes to DRAM, so fewer, deeper slices win even
    /// though the B micro-panel then spills from L1 to L2 (measured: ~15% at 2048³).
    /// </summary>
    public const int KCLarge = 512;

    /// <summary>C elements (floats) above which <see cref="KCLarge"/> is used: 8 MiB of C.</summary>
    private const long LargeC = 2L << 20;

    /// <summary>
    /// Slice depth for a whole problem: KC or KCLarge, then evened out so that k splits into
    /// equal slices (300 becomes 150 + 150, not 256 + 44). Computed once per call from the full
    /// m, n, k so that every thread uses the same slices and results do not depend on threading.
    /// </summary>
    public static int SliceDepth(int m, int n, int k)
    {
        int target = (long)m * n > LargeC ? KCLarge : KC;
        int slices = (k + target - 1) / target;
        return Math.Max(1, (k + slices - 1) / slices);
    }

    /// <summary>Rows of A packed at once (rounded to MR): MC×KC floats target half the 1-2 MiB L2.</summary>
    public const int MCTarget = 240;

    /// <summary>Columns of B packed at once (rounded to NR): KC×NC floats target the shared L3.</summary>
    public const int NCTarget = 2048;

    /// <summary>
    /// C[m×n] = alpha·op(A)·op(B) + beta·C for pointers already offset to this thread's block.
    /// Requires m, n, k &gt; 0.
    /// </summary>
    public static void Run(SgemmKernelKind kind, bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc, int sliceDepth)
    {
        var source = new MatrixBSource(transposeB, b, ldb);
        Run(kind, transposeA, m, n, k, alpha, a, lda, ref source, 0, beta, c, ldc, sliceDepth);
    }

    /// <summary>
    /// As above with op(B) supplied by <paramref name="source"/>: this call computes columns
    /// [<paramref name="columnStart"/>, columnStart + n) of op(B) into C (already offset to them).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TSource>(SgemmKernelKind kind, bool transposeA, int m, int n, int k, float alpha,
        float* a, nint lda, ref TSource source, int columnStart, float beta, float* c, nint ldc, int sliceDepth)
        where TSource : struct, IPackedBSource
    {
        Debug.Assert(m > 0 && n > 0 && k > 0 && sliceDepth > 0);
        (int mr, int nr) = SgemmMicroKernels.TileShape(kind);
        int mcMax = Math.Max(mr, MCTarget / mr * mr);
        int ncMax = Math.Max(nr, NCTarget / nr * nr);
        int kcMax = Math.Min(sliceDepth, k);

        int mcAlloc = RoundUp(Math.Min(mcMax, m), mr);
        int ncAlloc = RoundUp(Math.Min(ncMax, n), nr);
        float* ap = PackBuffer.ForA(mcAlloc * kcMax);
        float* bp = PackBuffer.ForB(ncAlloc * kcMax);
        float* scratch = stackalloc float[mr * nr];

        for (int jc = 0; jc < n; jc += ncMax)
        {
            int nc = Math.Min(ncMax, n - jc);
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                source.Pack(pc, kc, columnStart + jc, nc, bp, nr);
                float betaNow = pc == 0 ? beta : 1f;

                for (int ic = 0; ic < m; ic += mcMax)
                {
                    int mc = Math.Min(mcMax, m - ic);
                    float* aBlock = transposeA ? a + pc * lda + ic : a + ic * lda + pc;
                    SgemmPacking.PackA(transposeA, aBlock, lda, mc, kc, alpha, ap, mr);
                    MacroKernel(kind, mr, nr, mc, nc, kc, ap, bp, betaNow, c + ic * ldc + jc, ldc, scratch);
                }
            }
        }
    }

    /// <summary>Runs the micro-kernel over every MR×NR tile of one packed MC×NC block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MacroKernel(SgemmKernelKind kind, int mr, int nr, int mc, int nc, int kc,
        float* ap, float* bp, float beta, float* c, nint ldc, float* scratch)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* bPanel = bp + (nint)jr * kc;
            for (int ir = 0; ir < mc; ir += mr)
            {
                int rows = Math.Min(mr, mc - ir);
                float* aPanel = ap + (nint)ir * kc;
                float* cTile = c + ir * ldc + jr;
                if (rows == mr && cols == nr)
                {
                    SgemmMicroKernels.Run(kind, kc, aPanel, bPanel, cTile, ldc, beta);
                }
                else
                {
                    SgemmMicroKernels.RunEdge(kind, rows, cols, kc, aPanel, bPanel, scratch, nr);
                    MergeEdge(scratch, nr, rows, cols, cTile, ldc, beta);
                }
            }
        }
    }

    /// <summary>Copies the valid rows×cols corner of a scratch tile into C with beta semantics.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MergeEdge(float* tile, int nr, int rows, int cols, float* c, nint ldc, float beta)
    {
        for (int r = 0; r < rows; r++)
        {
            float* src = tile + r * nr;
            float* dst = c + r * ldc;
            if (beta == 0f)
            {
                for (int j = 0; j < cols; j++)
                    dst[j] = src[j];
            }
            else
            {
                for (int j = 0; j < cols; j++)
                    dst[j] = src[j] + beta * dst[j];
            }
        }
    }

    internal static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
