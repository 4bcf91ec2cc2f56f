// Naive reference SGEMM: the textbook triple loop with a double-precision accumulator.
//
// It exists so tests and `pipeline selfcheck` can verify the blocked kernel in Sgemm.cs.
// It shares Sgemm's argument validation, so both reject exactly the same inputs, and uses a
// double accumulator so that its rounding error is far below the fast kernel's and the
// difference between the two is (almost) all attributable to the fast kernel.

namespace Pipeline.Models.Kernels;

/// <summary>Slow, obviously-correct single-precision GEMM with the same contract as <see cref="Sgemm.Multiply"/>.</summary>
public static class SgemmReference
{
    /// <summary>
    /// Computes C = alpha·op(A)·op(B) + beta·C with a triple loop (double accumulator).
    /// Same arguments, validation and beta==0 semantics as <see cref="Sgemm.Multiply"/>.
    /// </summary>
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Sgemm.Validate(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transposeA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transposeB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += (double)av * bv;
                }
                // beta == 0 must not read C, so NaN/Inf garbage in an output buffer never leaks through.
                double old = beta == 0f ? 0.0 : (double)beta * c[i * ldc + j];
                c[i * ldc + j] = (float)(alpha * sum + old);
            }
        }
    }
}
