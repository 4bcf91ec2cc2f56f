// Multi-threaded blocked SGEMM in which the threads share one packed B block.
//
// The loop nest is SgemmBlocked's, with two parallel phases per (jc, pc) step:
//   1. the KC×NC slice of op(B) is packed once, its NR-column micro-panels divided between
//      the threads, into a buffer owned by the calling thread;
//   2. the rows of C are cut into row blocks (several per thread, each a multiple of MR and at
//      most MC); threads claim blocks one at a time, pack that block of alpha·op(A) into their
//      own buffer and run the macro-kernel against the shared packed B.
// Compared with giving each thread a fixed strip of C, nothing is packed twice, and because
// blocks are claimed dynamically a thread slowed down by other work on the machine simply
// takes fewer blocks instead of making every other thread wait for it. Each C element is
// still computed by exactly one thread with the same k order, so results do not depend on
// the thread count.

using System.Diagnostics;

namespace Pipeline.Models.Kernels;

/// <summary>Parallel packed GEMM over the whole problem, sharing packed B between threads.</summary>
internal static unsafe class SgemmShared
{
    /// <summary>Row blocks per thread: enough slack for dynamic balancing, few enough to keep blocks large.</summary>
    private const int BlocksPerThread = 4;

    /// <summary>C[m×n] = alpha·op(A)·op(B) + beta·C with up to <paramref name="dop"/> threads; m, n, k &gt; 0.</summary>
    public static void Run(SgemmKernelKind kind, bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc, int dop, int sliceDepth)
    {
        var source = new MatrixBSource(transposeB, b, ldb);
        Run(kind, transposeA, m, n, k, alpha, a, lda, ref source, beta, c, ldc, dop, sliceDepth);
    }

    /// <summary>As above with op(B) supplied by <paramref name="source"/>.</summary>
    public static void Run<TSource>(SgemmKernelKind kind, bool transposeA, int m, int n, int k, float alpha,
        float* a, nint lda, ref TSource source, float beta, float* c, nint ldc, int dop, int sliceDepth)
        where TSource : struct, IPackedBSource
    {
        Debug.Assert(m > 0 && n > 0 && k > 0 && dop > 1);
        (int mr, int nr) = SgemmMicroKernels.TileShape(kind);
        int mcMax = Math.Max(mr, SgemmBlocked.MCTarget / mr * mr);
        int ncMax = Math.Max(nr, SgemmBlocked.NCTarget / nr * nr);
        int kcMax = Math.Min(sliceDepth, k);

        // Block count: at least BlocksPerThread per thread and blocks of at most MC rows, rounded
        // to a multiple of the thread count so that equal-speed threads finish together.
        int rowPanels = (m + mr - 1) / mr;
        int blocks = Math.Max(dop * BlocksPerThread, (rowPanels + mcMax / mr - 1) / (mcMax / mr));
        blocks = (blocks + dop - 1) / dop * dop;
        int blockPanels = Math.Max(1, (rowPanels + blocks - 1) / blocks);
        int blockRows = blockPanels * mr;
        int rowBlocks = (m + blockRows - 1) / blockRows;

        float* bp = PackBuffer.ForB(SgemmBlocked.RoundUp(Math.Min(ncMax, n), nr) * kcMax);
        var pack = new PackJob<TSource> { Source = source, Nr = nr, Packed = bp };
        var compute = new ComputeJob
        {
            Kind = kind, TransposeA = transposeA, Mr = mr, Nr = nr, M = m, BlockRows = blockRows, Alpha = alpha,
            Lda = lda, Ldc = ldc, PackedB = bp,
        };

        for (int jc = 0; jc < n; jc += ncMax)
        {
            int nc = Math.Min(ncMax, n - jc);
            int colPanels = (nc + nr - 1) / nr;
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                pack.P0 = pc;
                pack.J0 = jc;
                pack.Kc = kc;
                pack.Nc = nc;
                pack.Parts = Math.Min(dop, colPanels);
                pack.Panels = colPanels;
                Parallelism.For(pack.Parts, ref pack);

                compute.A = transposeA ? a + pc * lda : a + pc;
                compute.C = c + jc;
                compute.Kc = kc;
                compute.Nc = nc;
                compute.Beta = pc == 0 ? beta : 1f;
                Parallelism.For(rowBlocks, ref compute);
            }
        }
    }

    /// <summary>Packs one contiguous range of NR-column micro-panels of the current B slice.</summary>
    private struct PackJob<TSource> : IParallelBody where TSource : struct, IPackedBSource
    {
        public TSource Source;
        public int Nr, P0, J0, Kc, Nc, Parts, Panels;
        public float* Packed;

        public readonly void Invoke(int index)
        {
            int first = (int)((long)Panels * index / Parts), end = (int)((long)Panels * (index + 1) / Parts);
            if (end <= first)
                return;
            int col0 = first * Nr;
            int cols = Math.Min(end * Nr, Nc) - col0;
            var source = Source;
            source.Pack(P0, Kc, J0 + col0, cols, Packed + (nint)col0 * Kc, Nr);
        }
    }

    /// <summary>Packs one row block of alpha·op(A) into the worker's own buffer and multiplies it by the shared B.</summary>
    private struct ComputeJob : IParallelBody
    {
        public SgemmKernelKind Kind;
        public bool TransposeA;
        public int Mr, Nr, M, BlockRows, Kc, Nc;
        public float Alpha, Beta;
        public nint Lda, Ldc;
        public float* A, C, PackedB;

        public readonly void Invoke(int index)
        {
            int row0 = index * BlockRows;
            int rows = Math.Min(BlockRows, M - row0);
            Debug.Assert(rows > 0);
            float* ap = PackBuffer.ForA(SgemmBlocked.RoundUp(BlockRows, Mr) * Kc);
            float* aBlock = TransposeA ? A + row0 : A + row0 * Lda;
            SgemmPacking.PackA(TransposeA, aBlock, Lda, rows, Kc, Alpha, ap, Mr);
            float* scratch = stackalloc float[Mr * Nr];
            SgemmBlocked.MacroKernel(Kind, Mr, Nr, rows, Nc, Kc, ap, PackedB, Beta, C + row0 * Ldc, Ldc, scratch);
        }
    }
}
