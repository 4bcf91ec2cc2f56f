// Register-blocked SGEMM micro-kernels: the innermost loop of the blocked GEMM in Sgemm.cs.
//
// Each kernel computes one MR×NR tile of C from a packed A micro-panel (kc steps of MR
// alpha-scaled values, k-major) and a packed B micro-panel (kc steps of NR values, k-major):
//     acc[r, :] += A[p, r] * B[p, :]    for p in 0..kc
// The whole tile lives in vector registers for the full k loop; per k step the kernel loads
// NR/width vectors of B, broadcasts MR scalars of A, and issues MR·NR/width independent FMAs.
// That ratio of FMAs to loads is what keeps the FMA units busy instead of waiting on memory.
// The tile is written back once: C = acc (beta 0, C not read), C += acc (beta 1), or
// C = acc + beta·C. Edge tiles are the caller's business (it points the kernel at a
// scratch tile), so the kernels never branch on the tile shape.
//
// The vector bodies are deliberately unrolled by hand over the tile (one named local per
// accumulator): locals the JIT can enregister are the whole point, and arrays or refs would
// force them to memory.

using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pipeline.Models.Kernels;

/// <summary>Which micro-kernel family a GEMM call uses; chosen once from the CPU's capabilities.</summary>
internal enum SgemmKernelKind
{
    /// <summary>Portable scalar kernel, for CPUs without AVX2+FMA.</summary>
    Scalar,
    /// <summary>AVX2 + FMA3, 6×16 tiles.</summary>
    Avx2,
    /// <summary>AVX-512F, wide tiles.</summary>
    Avx512,
}

/// <summary>The micro-kernels and their tile shapes.</summary>
internal static unsafe class SgemmMicroKernels
{
    /// <summary>Tile rows of the AVX-512 kernel.</summary>
    public const int Avx512MR = 12;
    /// <summary>Tile columns of the AVX-512 kernel.</summary>
    public const int Avx512NR = 32;
    /// <summary>Tile rows / columns of the AVX2 kernel.</summary>
    public const int Avx2MR = 6, Avx2NR = 16;
    /// <summary>Tile rows / columns of the scalar kernel.</summary>
    public const int ScalarMR = 4, ScalarNR = 8;

    /// <summary>The fastest kernel on this CPU, measured at start-up (see <see cref="CpuProfile"/>).</summary>
    public static SgemmKernelKind Best => CpuProfile.SgemmKind;

    /// <summary>True when <paramref name="kind"/> can run on this CPU.</summary>
    public static bool IsSupported(SgemmKernelKind kind) => kind switch
    {
        SgemmKernelKind.Avx512 => Avx512F.IsSupported,
        SgemmKernelKind.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        _ => true,
    };

    /// <summary>Tile shape (MR, NR) of a kernel family.</summary>
    public static (int MR, int NR) TileShape(SgemmKernelKind kind) => kind switch
    {
        SgemmKernelKind.Avx512 => (Avx512MR, Avx512NR),
        SgemmKernelKind.Avx2 => (Avx2MR, Avx2NR),
        _ => (ScalarMR, ScalarNR),
    };

    /// <summary>Runs the kernel of <paramref name="kind"/> on one full tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run(SgemmKernelKind kind, int kc, float* a, float* b, float* c, nint ldc, float beta)
    {
        switch (kind)
        {
            case SgemmKernelKind.Avx512: Avx512Kernel(kc, a, b, c, ldc, beta); break;
            case SgemmKernelKind.Avx2: Avx2Kernel(kc, a, b, c, ldc, beta); break;
            default: ScalarKernel(kc, a, b, c, ldc, beta); break;
        }
    }

    /// <summary>
    /// Runs the smallest kernel of <paramref name="kind"/> that covers a <paramref name="rows"/>×<paramref name="cols"/>
    /// corner of a tile, writing it into <paramref name="c"/> (a scratch tile, row stride <paramref name="ldc"/>). Edge
    /// tiles of skinny products (64 rows = 5 full tiles + 4 rows, 100 columns = 3 tiles + 4 columns) otherwise spend a
    /// whole tile's FMAs on a few valid rows or columns: up to 11–22% of such a GEMM.
    /// </summary>
    public static void RunEdge(SgemmKernelKind kind, int rows, int cols, int kc, float* a, float* b, float* c, nint ldc)
    {
        if (kind != SgemmKernelKind.Avx512)
        {
            Run(kind, kc, a, b, c, ldc, 0f);
            return;
        }
        if (cols <= 16)
        {
            if (rows <= 4) Avx512Kernel4x16(kc, a, b, c, ldc, 0f);
            else if (rows <= 8) Avx512Kernel8x16(kc, a, b, c, ldc, 0f);
            else Avx512Kernel12x16(kc, a, b, c, ldc, 0f);
            return;
        }
        if (rows <= 4) Avx512Kernel4x32(kc, a, b, c, ldc, 0f);
        else if (rows <= 8) Avx512Kernel8x32(kc, a, b, c, ldc, 0f);
        else Avx512Kernel(kc, a, b, c, ldc, 0f);
    }

    /// <summary>Portable 4×8 kernel: a plain loop nest over a stack tile; correctness, not speed.</summary>
    internal static void ScalarKernel(int kc, float* a, float* b, float* c, nint ldc, float beta)
    {
        float* acc = stackalloc float[ScalarMR * ScalarNR];
        new Span<float>(acc, ScalarMR * ScalarNR).Clear();
        for (int p = 0; p < kc; p++, a += ScalarMR, b += ScalarNR)
        {
            for (int r = 0; r < ScalarMR; r++)
            {
                float av = a[r];
                for (int j = 0; j < ScalarNR; j++)
                    acc[r * ScalarNR + j] += av * b[j];
            }
        }
        for (int r = 0; r < ScalarMR; r++)
        {
            float* row = c + r * ldc;
            for (int j = 0; j < ScalarNR; j++)
                row[j] = beta == 0f ? acc[r * ScalarNR + j] : acc[r * ScalarNR + j] + beta * row[j];
        }
    }

    /// <summary>AVX-512 micro-kernel: a 12×32 tile of C from packed panels (24 zmm accumulators).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Avx512Kernel(int kc, float* a, float* b, float* c, nint ldc, float beta)
    {
        Debug.Assert(kc > 0);
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        Vector512<float> c2_0 = default; Vector512<float> c2_1 = default;
        Vector512<float> c3_0 = default; Vector512<float> c3_1 = default;
        Vector512<float> c4_0 = default; Vector512<float> c4_1 = default;
        Vector512<float> c5_0 = default; Vector512<float> c5_1 = default;
        Vector512<float> c6_0 = default; Vector512<float> c6_1 = default;
        Vector512<float> c7_0 = default; Vector512<float> c7_1 = default;
        Vector512<float> c8_0 = default; Vector512<float> c8_1 = default;
        Vector512<float> c9_0 = default; Vector512<float> c9_1 = default;
        Vector512<float> c10_0 = default; Vector512<float> c10_1 = default;
        Vector512<float> c11_0 = default; Vector512<float> c11_1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> a0 = Vector512.Create(a[0]);
            c0_0 = Avx512F.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Avx512F.FusedMultiplyAdd(a0, b1, c0_1);
            Vector512<float> a1 = Vector512.Create(a[1]);
            c1_0 = Avx512F.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Avx512F.FusedMultiplyAdd(a1, b1, c1_1);
            Vector512<float> a2 = Vector512.Create(a[2]);
            c2_0 = Avx512F.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Avx512F.FusedMultiplyAdd(a2, b1, c2_1);
            Vector512<float> a3 = Vector512.Create(a[3]);
            c3_0 = Avx512F.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Avx512F.FusedMultiplyAdd(a3, b1, c3_1);
            Vector512<float> a4 = Vector512.Create(a[4]);
            c4_0 = Avx512F.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Avx512F.FusedMultiplyAdd(a4, b1, c4_1);
            Vector512<float> a5 = Vector512.Create(a[5]);
            c5_0 = Avx512F.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Avx512F.FusedMultiplyAdd(a5, b1, c5_1);
            Vector512<float> a6 = Vector512.Create(a[6]);
            c6_0 = Avx512F.FusedMultiplyAdd(a6, b0, c6_0);
            c6_1 = Avx512F.FusedMultiplyAdd(a6, b1, c6_1);
            Vector512<float> a7 = Vector512.Create(a[7]);
            c7_0 = Avx512F.FusedMultiplyAdd(a7, b0, c7_0);
            c7_1 = Avx512F.FusedMultiplyAdd(a7, b1, c7_1);
            Vector512<float> a8 = Vector512.Create(a[8]);
            c8_0 = Avx512F.FusedMultiplyAdd(a8, b0, c8_0);
            c8_1 = Avx512F.FusedMultiplyAdd(a8, b1, c8_1);
            Vector512<float> a9 = Vector512.Create(a[9]);
            c9_0 = Avx512F.FusedMultiplyAdd(a9, b0, c9_0);
            c9_1 = Avx512F.FusedMultiplyAdd(a9, b1, c9_1);
            Vector512<float> a10 = Vector512.Create(a[10]);
            c10_0 = Avx512F.FusedMultiplyAdd(a10, b0, c10_0);
            c10_1 = Avx512F.FusedMultiplyAdd(a10, b1, c10_1);
            Vector512<float> a11 = Vector512.Create(a[11]);
            c11_0 = Avx512F.FusedMultiplyAdd(a11, b0, c11_0);
            c11_1 = Avx512F.FusedMultiplyAdd(a11, b1, c11_1);
            a += 12;
            b += 32;
        }
        Vector512<float> vb = Vector512.Create(beta);
        int mode = beta == 0f ? 0 : beta == 1f ? 1 : 2;
        Store512(c + 0 * ldc, c0_0, c0_1, vb, mode);
        Store512(c + 1 * ldc, c1_0, c1_1, vb, mode);
        Store512(c + 2 * ldc, c2_0, c2_1, vb, mode);
        Store512(c + 3 * ldc, c3_0, c3_1, vb, mode);
        Store512(c + 4 * ldc, c4_0, c4_1, vb, mode);
        Store512(c + 5 * ldc, c5_0, c5_1, vb, mode);
        Store512(c + 6 * ldc, c6_0, c6_1, vb, mode);
        Store512(c + 7 * ldc, c7_0, c7_1, vb, mode);
        Store512(c + 8 * ldc, c8_0, c8_1, vb, mode);
        Store512(c + 9 * ldc, c9_0, c9_1, vb, mode);
        Store512(c + 10 * ldc, c10_0, c10_1, vb, mode);
        Store512(c + 11 * ldc, c11_0, c11_1, vb, mode);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* row, Vector512<float> v0, Vector512<float> v1, Vector512<float> vb, int mode)
    {
        if (mode == 1)
        {
            v0 += Vector512.Load(row + 0);
            v1 += Vector512.Load(row + 16);
        }
        else if (mode == 2)
        {
            v0 = Avx512F.FusedMultiplyAdd(Vector512.Load(row + 0), vb, v0);
            v1 = Avx512F.FusedMultiplyAdd(Vector512.Load(row + 16), vb, v1);
        }
        v0.Store(row + 0);
        v1.Store(row + 16);
    }

    /// <summary>AVX-512 edge kernel: a 4×32 corner of a 12×32 tile from the same packed panels (8 accumulators).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Avx512Kernel4x32(int kc, float* a, float* b, float* c, nint ldc, float beta)
    {
        Debug.Assert(kc > 0);
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        Vector512<float> c2_0 = default; Vector512<float> c2_1 = default;
        Vector512<float> c3_0 = default; Vector512<float> c3_1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> a0 = Vector512.Create(a[0]);
            c0_0 = Avx512F.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Avx512F.FusedMultiplyAdd(a0, b1, c0_1);
            Vector512<float> a1 = Vector512.Create(a[1]);
            c1_0 = Avx512F.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Avx512F.FusedMultiplyAdd(a1, b1, c1_1);
            Vector512<float> a2 = Vector512.Create(a[2]);
            c2_0 = Avx512F.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Avx512F.FusedMultiplyAdd(a2, b1, c2_1);
            Vector512<float> a3 = Vector512.Create(a[3]);
            c3_0 = Avx512F.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Avx512F.FusedMultiplyAdd(a3, b1, c3_1);
            a += Avx512MR;
            b += Avx512NR;
        }
        Vector512<float> vb = Vector512.Create(beta);
        int mode = beta == 0f ? 0 : beta == 1f ? 1 : 2;
        Store512(c + 0 * ldc, c0_0, c0_1, vb, mode);
        Store512(c + 1 * ldc, c1_0, c1_1, vb, mode);
        Store512(c + 2 * ldc, c2_0, c2_1, vb, mode);
        Store512(c + 3 * ldc, c3_0, c3_1, vb, mode);
    }

    /// <summary>AVX-512 edge kernel: a 8×32 corner of a 12×32 tile from the same packed panels (16 accumulators).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Avx512Kernel8x32(int kc, float* a, float* b, float* c, nint ldc, float beta)
    {
        Debug.Assert(kc > 0);
        Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
        Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
        Vector512<float> c2_0 = default; Vector512<float> c2_1 = default;
        Vector512<float> c3_0 = default; Vector512<float> c3_1 = default;
        Vector512<float> c4_0 = default; Vector512<float> c4_1 = default;
        Vector512<float> c5_0 = default; Vector512<float> c5_1 = default;
        Vector512<float> c6_0 = default; Vector512<float> c6_1 = default;
        Vector512<float> c7_0 = default; Vector512<float> c7_1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> a0 = Vector512.Create(a[0]);
            c0_0 = Avx512F.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Avx512F.FusedMultiplyAdd(a0, b1, c0_1);
            Vector512<float> a1 = Vector512.Create(a[1]);
            c1_0 = Avx512F.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Avx512F.FusedMultiplyAdd(a1, b1, c1_1);
            Vector512<float> a2 = Vector512.Create(a[2]);
            c2_0 = Avx512F.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Avx512F.FusedMultiplyAdd(a2, b1, c2_1);
            Vector512<float> a3 = Vector512.Create(a[3]);
            c3_0 = Avx512F.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Avx512F.FusedMultiplyAdd(a3, b1, c3_1);
            Vector512<float> a4 = Vector512.Create(a[4]);
            c4_0 = Avx512F.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Avx512F.FusedMultiplyAdd(a4, b1, c4_1);
            Vector512<float> a5 = Vector512.Create(a[5]);
            c5_0 = Avx512F.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Avx512F.FusedMultiplyAdd(a5, b1, c5_1);
            Vector512<float> a6 = Vector512.Create(a[6]);
            c6_0 = Avx512F.FusedMultiplyAdd(a6, b0, c6_0);
            c6_1 = Avx512F.FusedMultiplyAdd(a6, b1, c6_1);
            Vector512<float> a7 = Vector512.Create(a[7]);
            c7_0 = Avx512F.FusedMultiplyAdd(a7, b0, c7_0);
            c7_1 = Avx512F.FusedMultiplyAdd(a7, b1, c7_1);
            a += Avx512MR;
            b += Avx512NR;
        }
        Vector512<float> vb = Vector512.Create(beta);
        int mode = beta == 0f ? 0 : beta == 1f ? 1 : 2;
        Store512(c + 0 * ldc, c0_0, c0_1, vb, mode);
        Store512(c + 1 * ldc, c1_0, c1_1, vb, mode);
        Store512(c + 2 * ldc, c2_0, c2_1, vb, mode);
        Store512(c + 3 * ldc, c3_0, c3_1, vb, mode);
        Store512(c + 4 * ldc, c4_0, c4_1, vb, mode);
        Store512(c + 5 * ldc, c5_0, c5_1, vb, mode);
        Store512(c + 6 * ldc, c6_0, c6_1, vb, mode);
        Store512(c + 7 * ldc, c7_0, c7_1, vb, mode);
    }

    /// <summary>AVX-512 edge kernel: a 12×16 corner of a 12×32 tile from the same packed panels (12 accumulators).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Avx512Kernel12x16(int kc, float* a, float* b, float* c, nint ldc, float beta)
    {
        Debug.Assert(kc > 0);
        Vector512<float> c0_0 = default;
        Vector512<float> c1_0 = default;
        Vector512<float> c2_0 = default;
        Vector512<float> c3_0 = default;
        Vector512<float> c4_0 = default;
        Vector512<float> c5_0 = default;
        Vector512<float> c6_0 = default;
        Vector512<float> c7_0 = default;
        Vector512<float> c8_0 = default;
        Vector512<float> c9_0 = default;
        Vector512<float> c10_0 = default;
        Vector512<float> c11_0 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> a0 = Vector512.Create(a[0]);
            c0_0 = Avx512F.FusedMultiplyAdd(a0, b0, c0_0);
            Vector512<float> a1 = Vector512.Create(a[1]);
            c1_0 = Avx512F.FusedMultiplyAdd(a1, b0, c1_0);
            Vector512<float> a2 = Vector512.Create(a[2]);
            c2_0 = Avx512F.FusedMultiplyAdd(a2, b0, c2_0);
            Vector512<float> a3 = Vector512.Create(a[3]);
            c3_0 = Avx512F.FusedMultiplyAdd(a3, b0, c3_0);
            Vector512<float> a4 = Vector512.Create(a[4]);
            c4_0 = Avx512F.FusedMultiplyAdd(a4, b0, c4_0);
            Vector512<float> a5 = Vector512.Create(a[5]);
            c5_0 = Avx512F.FusedMultiplyAdd(a5, b0, c5_0);
            Vector512<float> a6 = Vector512.Create(a[6]);
            c6_0 = Avx512F.FusedMultiplyAdd(a6, b0, c6_0);
            Vector512<float> a7 = Vector512.Create(a[7]);
            c7_0 = Avx512F.FusedMultiplyAdd(a7, b0, c7_0);
            Vector512<float> a8 = Vector512.Create(a[8]);
            c8_0 = Avx512F.FusedMultiplyAdd(a8, b0, c8_0);
            Vector512<float> a9 = Vector512.Create(a[9]);
            c9_0 = Avx512F.FusedMultiplyAdd(a9, b0, c9_0);
            Vector512<float> a10 = Vector512.Create(a[10]);
            c10_0 = Avx512F.FusedMultiplyAdd(a10, b0, c10_0);
            Vector512<float> a11 = Vector512.Create(a[11]);
            c11_0 = Avx512F.FusedMultiplyAdd(a11, b0, c11_0);
            a += Avx512MR;
            b += Avx512NR;
        }
        Vector512<float> vb = Vector512.Create(beta);
        int mode = beta == 0f ? 0 : beta == 1f ? 1 : 2;
        Store512Half(c + 0 * ldc, c0_0, vb, mode);
        Store512Half(c + 1 * ldc, c1_0, vb, mode);
        Store512Half(c + 2 * ldc, c2_0, vb, mode);
        Store512Half(c + 3 * ldc, c3_0, vb, mode);
        Store512Half(c + 4 * ldc, c4_0, vb, mode);
        Store512Half(c + 5 * ldc, c5_0, vb, mode);
        Store512Half(c + 6 * ldc, c6_0, vb, mode);
        Store512Half(c + 7 * ldc, c7_0, vb, mode);
        Store512Half(c + 8 * ldc, c8_0, vb, mode);
        Store512Half(c + 9 * ldc, c9_0, vb, mode);
        Store512Half(c + 10 * ldc, c10_0, vb, mode);
        Store512Half(c + 11 * ldc, c11_0, vb, mode);
    }

    /// <summary>AVX-512 edge kernel: a 4×16 corner of a 12×32 tile from the same packed panels (4 accumulators).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Avx512Kernel4x16(int kc, float* a, float* b, float* c, nint ldc, float beta)
    {
        Debug.Assert(kc > 0);
        Vector512<float> c0_0 = default;
        Vector512<float> c1_0 = default;
        Vector512<float> c2_0 = default;
        Vector512<float> c3_0 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> a0 = Vector512.Create(a[0]);
            c0_0 = Avx512F.FusedMultiplyAdd(a0, b0, c0_0);
            Vector512<float> a1 = Vector512.Create(a[1]);
            c1_0 = Avx512F.FusedMultiplyAdd(a1, b0, c1_0);
            Vector512<float> a2 = Vector512.Create(a[2]);
            c2_0 = Avx512F.FusedMultiplyAdd(a2, b0, c2_0);
            Vector512<float> a3 = Vector512.Create(a[3]);
            c3_0 = Avx512F.FusedMultiplyAdd(a3, b0, c3_0);
            a += Avx512MR;
            b += Avx512NR;
        }
        Vector512<float> vb = Vector512.Create(beta);
        int mode = beta == 0f ? 0 : beta == 1f ? 1 : 2;
        Store512Half(c + 0 * ldc, c0_0, vb, mode);
        Store512Half(c + 1 * ldc, c1_0, vb, mode);
        Store512Half(c + 2 * ldc, c2_0, vb, mode);
        Store512Half(c + 3 * ldc, c3_0, vb, mode);
    }

    /// <summary>AVX-512 edge kernel: a 8×16 corner of a 12×32 tile from the same packed panels (8 accumulators).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Avx512Kernel8x16(int kc, float* a, float* b, float* c, nint ldc, float beta)
    {
        Debug.Assert(kc > 0);
        Vector512<float> c0_0 = default;
        Vector512<float> c1_0 = default;
        Vector512<float> c2_0 = default;
        Vector512<float> c3_0 = default;
        Vector512<float> c4_0 = default;
        Vector512<float> c5_0 = default;
        Vector512<float> c6_0 = default;
        Vector512<float> c7_0 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b + 0);
            Vector512<float> a0 = Vector512.Create(a[0]);
            c0_0 = Avx512F.FusedMultiplyAdd(a0, b0, c0_0);
            Vector512<float> a1 = Vector512.Create(a[1]);
            c1_0 = Avx512F.FusedMultiplyAdd(a1, b0, c1_0);
            Vector512<float> a2 = Vector512.Create(a[2]);
            c2_0 = Avx512F.FusedMultiplyAdd(a2, b0, c2_0);
            Vector512<float> a3 = Vector512.Create(a[3]);
            c3_0 = Avx512F.FusedMultiplyAdd(a3, b0, c3_0);
            Vector512<float> a4 = Vector512.Create(a[4]);
            c4_0 = Avx512F.FusedMultiplyAdd(a4, b0, c4_0);
            Vector512<float> a5 = Vector512.Create(a[5]);
            c5_0 = Avx512F.FusedMultiplyAdd(a5, b0, c5_0);
            Vector512<float> a6 = Vector512.Create(a[6]);
            c6_0 = Avx512F.FusedMultiplyAdd(a6, b0, c6_0);
            Vector512<float> a7 = Vector512.Create(a[7]);
            c7_0 = Avx512F.FusedMultiplyAdd(a7, b0, c7_0);
            a += Avx512MR;
            b += Avx512NR;
        }
        Vector512<float> vb = Vector512.Create(beta);
        int mode = beta == 0f ? 0 : beta == 1f ? 1 : 2;
        Store512Half(c + 0 * ldc, c0_0, vb, mode);
        Store512Half(c + 1 * ldc, c1_0, vb, mode);
        Store512Half(c + 2 * ldc, c2_0, vb, mode);
        Store512Half(c + 3 * ldc, c3_0, vb, mode);
        Store512Half(c + 4 * ldc, c4_0, vb, mode);
        Store512Half(c + 5 * ldc, c5_0, vb, mode);
        Store512Half(c + 6 * ldc, c6_0, vb, mode);
        Store512Half(c + 7 * ldc, c7_0, vb, mode);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512Half(float* row, Vector512<float> v0, Vector512<float> vb, int mode)
    {
        if (mode == 1)
            v0 += Vector512.Load(row);
        else if (mode == 2)
            v0 = Avx512F.FusedMultiplyAdd(Vector512.Load(row), vb, v0);
        v0.Store(row);
    }

    /// <summary>AVX2+FMA micro-kernel: a 6×16 tile of C from packed panels (12 ymm accumulators).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Avx2Kernel(int kc, float* a, float* b, float* c, nint ldc, float beta)
    {
        Debug.Assert(kc > 0);
        Vector256<float> c0_0 = default; Vector256<float> c0_1 = default;
        Vector256<float> c1_0 = default; Vector256<float> c1_1 = default;
        Vector256<float> c2_0 = default; Vector256<float> c2_1 = default;
        Vector256<float> c3_0 = default; Vector256<float> c3_1 = default;
        Vector256<float> c4_0 = default; Vector256<float> c4_1 = default;
        Vector256<float> c5_0 = default; Vector256<float> c5_1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b + 0);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> a0 = Vector256.Create(a[0]);
            c0_0 = Fma.MultiplyAdd(a0, b0, c0_0);
            c0_1 = Fma.MultiplyAdd(a0, b1, c0_1);
            Vector256<float> a1 = Vector256.Create(a[1]);
            c1_0 = Fma.MultiplyAdd(a1, b0, c1_0);
            c1_1 = Fma.MultiplyAdd(a1, b1, c1_1);
            Vector256<float> a2 = Vector256.Create(a[2]);
            c2_0 = Fma.MultiplyAdd(a2, b0, c2_0);
            c2_1 = Fma.MultiplyAdd(a2, b1, c2_1);
            Vector256<float> a3 = Vector256.Create(a[3]);
            c3_0 = Fma.MultiplyAdd(a3, b0, c3_0);
            c3_1 = Fma.MultiplyAdd(a3, b1, c3_1);
            Vector256<float> a4 = Vector256.Create(a[4]);
            c4_0 = Fma.MultiplyAdd(a4, b0, c4_0);
            c4_1 = Fma.MultiplyAdd(a4, b1, c4_1);
            Vector256<float> a5 = Vector256.Create(a[5]);
            c5_0 = Fma.MultiplyAdd(a5, b0, c5_0);
            c5_1 = Fma.MultiplyAdd(a5, b1, c5_1);
            a += 6;
            b += 16;
        }
        Vector256<float> vb = Vector256.Create(beta);
        int mode = beta == 0f ? 0 : beta == 1f ? 1 : 2;
        Store256(c + 0 * ldc, c0_0, c0_1, vb, mode);
        Store256(c + 1 * ldc, c1_0, c1_1, vb, mode);
        Store256(c + 2 * ldc, c2_0, c2_1, vb, mode);
        Store256(c + 3 * ldc, c3_0, c3_1, vb, mode);
        Store256(c + 4 * ldc, c4_0, c4_1, vb, mode);
        Store256(c + 5 * ldc, c5_0, c5_1, vb, mode);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* row, Vector256<float> v0, Vector256<float> v1, Vector256<float> vb, int mode)
    {
        if (mode == 1)
        {
            v0 += Vector256.Load(row + 0);
            v1 += Vector256.Load(row + 8);
        }
        else if (mode == 2)
        {
            v0 = Fma.MultiplyAdd(Vector256.Load(row + 0), vb, v0);
            v1 = Fma.MultiplyAdd(Vector256.Load(row + 8), vb, v1);
        }
        v0.Store(row + 0);
        v1.Store(row + 8);
    }
}
