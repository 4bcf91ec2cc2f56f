// PLACEHOLDER until the packed SGEMM lands from its branch: same signature, naive loops.
namespace Pipeline.Models.Kernels;

/// <summary>Row-major single-precision GEMM: C = alpha·op(A)·op(B) + beta·C.</summary>
public static class Sgemm
{
    /// <summary>C[m,n] = alpha·op(A)[m,k]·op(B)[k,n] + beta·C (beta 0 overwrites).</summary>
    public static void Multiply(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (double)(transposeA ? a[p * lda + i] : a[i * lda + p]) * (transposeB ? b[j * ldb + p] : b[p * ldb + j]);
                c[i * ldc + j] = (float)(alpha * s + (beta == 0 ? 0 : beta * c[i * ldc + j]));
            }
    }
}
