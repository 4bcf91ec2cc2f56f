// Public single-precision GEMM entry points: argument validation, problem-size dispatch and
// the split of C between threads.
//
// Dispatch: empty problems return at once; k == 0 or alpha == 0 only scale C; problems below
// SmallProblem multiply-adds go to SgemmSmall (no packing, whose fixed cost would dominate);
// everything else runs the packed, blocked SgemmBlocked (one thread) or SgemmShared (several).
// SgemmShared shares one packed B between the threads and deals out blocks of rows; it needs
// a few MR-row blocks per thread. When C is short and wide (m small next to n) the threads
// instead get disjoint column strips, each packing its own panels: that duplicates the
// packing of A, which is cheap exactly when m is small. Strip and block edges sit on
// micro-tile boundaries and every C element is owned by one thread, so the result does not
// depend on the thread count.

using System.Diagnostics;

namespace Pipeline.Models.Kernels;

/// <summary>Row-major single-precision general matrix multiply (C = alpha·op(A)·op(B) + beta·C).</summary>
public static unsafe class Sgemm
{
    /// <summary>Below this many multiply-adds the unpacked small-problem path is faster.</summary>
    internal const long SmallProblem = 32 * 1024;

    /// <summary>Below this many multiply-adds a second thread costs more than it saves.</summary>
    internal const long ParallelProblem = 1L << 20;

    /// <summary>C counts as short and wide (column strips) when n is at least this many times m.</summary>
    private const int ShortWideRatio = 8;

    /// <summary>
    /// Computes C[m×n] = alpha·op(A)·op(B) + beta·C on row-major matrices. op(A) is m×k: A is stored
    /// m×k (or k×m when <paramref name="transposeA"/>) with row stride <paramref name="lda"/>; op(B) is k×n:
    /// B is stored k×n (or n×k when <paramref name="transposeB"/>) with row stride <paramref name="ldb"/>.
    /// When <paramref name="beta"/> is 0, C is overwritten without being read (NaNs in C are ignored).
    /// Uses up to <see cref="Parallelism.DegreeOfParallelism"/> threads.
    /// </summary>
    /// <exception cref="ArgumentException">A size is negative, a leading dimension is too small or a span is too short.</exception>
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        MultiplyWith(SgemmMicroKernels.Best, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>As the public overload, with an explicit kernel family (tests use it to cover every path).</summary>
    internal static void MultiplyWith(SgemmKernelKind kind, bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Validate(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            Core(kind, transposeA, transposeB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, Parallelism.DegreeOfParallelism);
        }
    }

    /// <summary>
    /// Runs <paramref name="batchCount"/> independent GEMMs with identical shapes; matrix i of A, B and C
    /// starts at i·<paramref name="strideA"/>, i·<paramref name="strideB"/>, i·<paramref name="strideC"/>.
    /// A stride of 0 shares one matrix across the batch (not allowed for C). Parallelises over the batch
    /// when it has at least as many items as threads, otherwise inside each GEMM.
    /// </summary>
    public static void MultiplyBatched(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, long strideA, ReadOnlySpan<float> b, int ldb, long strideB,
        float beta, Span<float> c, int ldc, long strideC, int batchCount)
    {
        if (batchCount < 0)
            throw new ArgumentException($"batchCount must be non-negative, but was {batchCount}.", nameof(batchCount));
        if (batchCount == 0)
            return;
        long needA = Required(transposeA ? k : m, transposeA ? m : k, lda);
        long needB = Required(transposeB ? n : k, transposeB ? k : n, ldb);
        long needC = Required(m, n, ldc);
        CheckStride(strideA, needA, nameof(strideA), allowZero: true);
        CheckStride(strideB, needB, nameof(strideB), allowZero: true);
        CheckStride(strideC, needC, nameof(strideC), allowZero: batchCount == 1);
        // Every item must fit, so checking the last one (largest offsets) covers the batch.
        Validate(transposeA, transposeB, m, n, k,
            ClampLength(a.Length - strideA * (batchCount - 1)), lda,
            ClampLength(b.Length - strideB * (batchCount - 1)), ldb,
            ClampLength(c.Length - strideC * (batchCount - 1)), ldc);

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            var job = new BatchJob
            {
                Kind = SgemmMicroKernels.Best, TransposeA = transposeA, TransposeB = transposeB, M = m, N = n, K = k,
                Alpha = alpha, A = pa, Lda = lda, StrideA = strideA, B = pb, Ldb = ldb, StrideB = strideB,
                Beta = beta, C = pc, Ldc = ldc, StrideC = strideC,
            };
            int dop = Parallelism.DegreeOfParallelism;
            if (batchCount >= dop && dop > 1 && (long)m * n * k * batchCount >= ParallelProblem)
            {
                job.InnerDop = 1;
                Parallelism.For(batchCount, ref job);
            }
            else
            {
                job.InnerDop = dop;
                for (int i = 0; i < batchCount; i++)
                    job.Invoke(i);
            }
        }
    }

    /// <summary>Validates a GEMM call; shared with <see cref="SgemmReference"/> so both accept the same inputs.</summary>
    internal static void Validate(bool transposeA, bool transposeB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0) throw new ArgumentException($"m (rows of op(A) and C) must be non-negative, but was {m}.", nameof(m));
        if (n < 0) throw new ArgumentException($"n (columns of op(B) and C) must be non-negative, but was {n}.", nameof(n));
        if (k < 0) throw new ArgumentException($"k (columns of op(A), rows of op(B)) must be non-negative, but was {k}.", nameof(k));
        CheckMatrix("a", "lda", transposeA ? k : m, transposeA ? m : k, aLength, lda, transposeA);
        CheckMatrix("b", "ldb", transposeB ? n : k, transposeB ? k : n, bLength, ldb, transposeB);
        CheckMatrix("c", "ldc", m, n, cLength, ldc, false);
    }

    private static void CheckMatrix(string name, string ldName, int rows, int cols, int length, int ld, bool transposed)
    {
        string shape = $"{name} is stored {rows}x{cols}{(transposed ? " (transposed)" : "")}";
        if (ld < Math.Max(1, cols))
            throw new ArgumentException($"{ldName} must be at least {Math.Max(1, cols)} because {shape}, but was {ld}.", ldName);
        long need = Required(rows, cols, ld);
        if (length < need)
            throw new ArgumentException($"{name} must hold at least {need} elements because {shape} with {ldName}={ld}, but its length was {length}.", name);
    }

    /// <summary>Elements a rows×cols row-major matrix with row stride ld spans (the last row need not be padded).</summary>
    private static long Required(int rows, int cols, int ld) => rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;

    private static void CheckStride(long stride, long need, string name, bool allowZero)
    {
        if (stride < 0 || (stride < need && !(allowZero && stride == 0)))
            throw new ArgumentException($"{name} must be at least {need} (one matrix){(allowZero ? " or 0" : "")}, but was {stride}.", name);
    }

    private static int ClampLength(long length) => (int)Math.Clamp(length, -1, int.MaxValue);

    /// <summary>Dispatches a validated problem; <paramref name="dop"/> caps the threads used.</summary>
    internal static void Core(SgemmKernelKind kind, bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc, int dop)
    {
        if (m == 0 || n == 0)
            return;
        if (k == 0 || alpha == 0f)
        {
            SgemmSmall.ScaleC(m, n, beta, c, ldc);
            return;
        }
        long work = (long)m * n * k;
        if (work < SmallProblem)
        {
            SgemmSmall.Run(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }

        (int mr, int nr) = SgemmMicroKernels.TileShape(kind);
        int sliceDepth = SgemmBlocked.SliceDepth(m, n, k);
        // Column strips duplicate the packing of A (m·k per thread) but need no row blocks;
        // use them when m is small next to n or too small to give every thread two blocks.
        bool splitColumns = (long)m * ShortWideRatio <= n || m < 2 * mr * Math.Min(dop, 8);
        int tiles = splitColumns ? (n + nr - 1) / nr : (m + mr - 1) / mr;
        int workers = work < ParallelProblem ? 1 : Math.Min(dop, tiles);
        if (workers <= 1)
        {
            SgemmBlocked.Run(kind, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, sliceDepth);
            return;
        }
        if (!splitColumns)
        {
            SgemmShared.Run(kind, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, workers, sliceDepth);
            return;
        }
        var job = new StripJob
        {
            Kind = kind, TransposeA = transposeA, TransposeB = transposeB, M = m, N = n, K = k, Alpha = alpha,
            A = a, Lda = lda, B = b, Ldb = ldb, Beta = beta, C = c, Ldc = ldc, Tiles = tiles, Workers = workers, Nr = nr, SliceDepth = sliceDepth,
        };
        Parallelism.For(workers, ref job);
    }

    /// <summary>
    /// C[m×n] = alpha·A·op(B) + beta·C with A row-major (m×k, row stride <paramref name="lda"/>) and op(B) produced
    /// block by block by <paramref name="source"/> (e.g. im2col columns gathered straight from an image). Same
    /// blocking, threading and results as <see cref="Multiply"/> on the materialised op(B); no small-problem path.
    /// </summary>
    internal static void MultiplyFromSource<TSource>(int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ref TSource source, float beta, Span<float> c, int ldc) where TSource : struct, IPackedBSource
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"m, n and k must be non-negative, but were {m}, {n}, {k}.");
        CheckMatrix("a", "lda", m, k, a.Length, lda, false);
        CheckMatrix("c", "ldc", m, n, c.Length, ldc, false);
        if (m == 0 || n == 0)
            return;
        var kind = SgemmMicroKernels.Best;
        fixed (float* pa = a)
        fixed (float* pc = c)
        {
            if (k == 0 || alpha == 0f)
            {
                SgemmSmall.ScaleC(m, n, beta, pc, ldc);
                return;
            }
            int dop = Parallelism.DegreeOfParallelism;
            (int mr, int nr) = SgemmMicroKernels.TileShape(kind);
            int sliceDepth = SgemmBlocked.SliceDepth(m, n, k);
            bool splitColumns = (long)m * ShortWideRatio <= n || m < 2 * mr * Math.Min(dop, 8);
            int tiles = splitColumns ? (n + nr - 1) / nr : (m + mr - 1) / mr;
            int workers = (long)m * n * k < ParallelProblem ? 1 : Math.Min(dop, tiles);
            if (workers <= 1)
                SgemmBlocked.Run(kind, false, m, n, k, alpha, pa, lda, ref source, 0, beta, pc, ldc, sliceDepth);
            else if (!splitColumns)
                SgemmShared.Run(kind, false, m, n, k, alpha, pa, lda, ref source, beta, pc, ldc, workers, sliceDepth);
            else
            {
                var job = new SourceStripJob<TSource>
                {
                    Kind = kind, M = m, N = n, K = k, Alpha = alpha, A = pa, Lda = lda, Source = source, Beta = beta, C = pc, Ldc = ldc,
                    Tiles = tiles, Workers = workers, Nr = nr, SliceDepth = sliceDepth,
                };
                Parallelism.For(workers, ref job);
            }
        }
    }

    /// <summary>One thread's strip of C for <see cref="MultiplyFromSource{TSource}"/>.</summary>
    private struct SourceStripJob<TSource> : IParallelBody where TSource : struct, IPackedBSource
    {
        public SgemmKernelKind Kind;
        public int M, N, K, Tiles, Workers, Nr, SliceDepth;
        public float Alpha, Beta;
        public float* A, C;
        public nint Lda, Ldc;
        public TSource Source;

        public readonly void Invoke(int index)
        {
            int start = (int)((long)Tiles * index / Workers) * Nr;
            int end = Math.Min((int)((long)Tiles * (index + 1) / Workers) * Nr, N);
            if (end <= start)
                return;
            var source = Source;
            SgemmBlocked.Run(Kind, false, M, end - start, K, Alpha, A, Lda, ref source, start, Beta, C + start, Ldc, SliceDepth);
        }
    }

    /// <summary>One thread's strip of C: a contiguous run of whole NR-wide micro-tile columns.</summary>
    private struct StripJob : IParallelBody
    {
        public SgemmKernelKind Kind;
        public bool TransposeA, TransposeB;
        public int M, N, K, Tiles, Workers, Nr, SliceDepth;
        public float Alpha, Beta;
        public float* A, B, C;
        public nint Lda, Ldb, Ldc;

        public readonly void Invoke(int index)
        {
            int start = (int)((long)Tiles * index / Workers) * Nr;
            int end = Math.Min((int)((long)Tiles * (index + 1) / Workers) * Nr, N);
            if (end <= start)
                return;
            float* b = TransposeB ? B + start * Ldb : B + start;
            SgemmBlocked.Run(Kind, TransposeA, TransposeB, M, end - start, K, Alpha, A, Lda, b, Ldb, Beta, C + start, Ldc, SliceDepth);
        }
    }

    /// <summary>One item of a batched GEMM.</summary>
    private struct BatchJob : IParallelBody
    {
        public SgemmKernelKind Kind;
        public bool TransposeA, TransposeB;
        public int M, N, K, Lda, Ldb, Ldc, InnerDop;
        public float Alpha, Beta;
        public float* A, B, C;
        public long StrideA, StrideB, StrideC;

        public readonly void Invoke(int index)
        {
            Debug.Assert(index >= 0);
            Core(Kind, TransposeA, TransposeB, M, N, K, Alpha, A + StrideA * index, Lda, B + StrideB * index, Ldb,
                Beta, C + StrideC * index, Ldc, InnerDop);
        }
    }
}
