// Small-problem SGEMM path and the "only scale C" path.
//
// For tiny products (m·n·k below Sgemm.SmallProblem) packing panels and walking the blocked
// loop nest costs more than the arithmetic, so C is first scaled by beta and then updated
// directly from the caller's layout:
//   * op(B) not transposed: rank-1 row updates C[i,:] += (alpha·op(A)[i,p]) · B[p,:], which are
//     unit-stride AXPYs over rows of B and C (vectorised by TensorPrimitives);
//   * op(B) transposed, A not: C[i,j] += alpha · dot(A[i,:], B[j,:]), both rows contiguous;
//   * both transposed: the same dot products with a strided column of A, in scalar code.

using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Pipeline.Models.Kernels;

/// <summary>Unpacked GEMM for small problems, and C = beta·C.</summary>
internal static unsafe class SgemmSmall
{
    /// <summary>C[m×n] = beta·C; beta == 0 writes zeros without reading C.</summary>
    public static void ScaleC(int m, int n, float beta, float* c, nint ldc)
    {
        if (beta == 1f)
            return;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + i * ldc, n);
            if (beta == 0f)
                row.Clear();
            else
                TensorPrimitives.Multiply(row, beta, row);
        }
    }

    /// <summary>C = alpha·op(A)·op(B) + beta·C without packing; m, n, k &gt; 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc)
    {
        ScaleC(m, n, beta, c, ldc);
        if (!transposeB)
        {
            for (int i = 0; i < m; i++)
            {
                var cRow = new Span<float>(c + i * ldc, n);
                for (int p = 0; p < k; p++)
                {
                    // No skipping of zero coefficients: NaN/Inf in B must propagate exactly as in the packed path.
                    float av = alpha * (transposeA ? a[p * lda + i] : a[i * lda + p]);
                    var bRow = new ReadOnlySpan<float>(b + p * ldb, n);
                    TensorPrimitives.MultiplyAdd(bRow, av, cRow, cRow);
                }
            }
            return;
        }

        for (int i = 0; i < m; i++)
        {
            float* cRow = c + i * ldc;
            for (int j = 0; j < n; j++)
            {
                float* bRow = b + j * ldb;
                float dot;
                if (!transposeA)
                {
                    dot = TensorPrimitives.Dot(new ReadOnlySpan<float>(a + i * lda, k), new ReadOnlySpan<float>(bRow, k));
                }
                else
                {
                    dot = 0f;
                    float* aCol = a + i;
                    for (int p = 0; p < k; p++)
                        dot += aCol[p * lda] * bRow[p];
                }
                cRow[j] += alpha * dot;
            }
        }
    }
}
