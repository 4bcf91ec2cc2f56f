// Matrix products on the packed SGEMM: 2-D × 2-D, batched 3-D × 3-D, and N-D × 2-D (leading axes
// folded into rows, the Linear-layer case). Transpose flags are passed to the kernel, never
// materialised. Backward writes straight into the input gradients with beta = 1:
//   C = op(A)·op(B)  ⇒  d op(A) = dC·op(B)ᵀ,  d op(B) = op(A)ᵀ·dC.
using Pipeline.Models.Kernels;

namespace Pipeline.Models.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// op(a)·op(b) where op transposes the last two axes when its flag is set. Shapes: [M,K]·[K,N],
    /// [B,M,K]·[B,K,N] (batched), or [...,M,K]·[K,N] (leading axes of a folded into M; not with <paramref name="transposeA"/>).
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false)
    {
        const string op = "matmul";
        if (a.Rank < 2 || b.Rank < 2 || b.Rank > 3 || (b.Rank == 3 && a.Rank != 3) || (a.Rank > 2 && b.Rank == 2 && transposeA))
            throw new ShapeMismatchException(op, $"unsupported operand ranks {TensorShape.Format(a.shape)}{(transposeA ? "ᵀ" : "")} x {TensorShape.Format(b.shape)}{(transposeB ? "ᵀ" : "")}");
        int batch = b.Rank == 3 ? a.shape[0] : 1;
        if (b.Rank == 3 && b.shape[0] != batch)
            throw new ShapeMismatchException(op, $"batch sizes differ: {TensorShape.Format(a.shape)} x {TensorShape.Format(b.shape)}");
        int aRows = a.shape[^2], aCols = a.shape[^1];
        if (b.Rank == 2 && a.Rank > 2) aRows = a.Length / aCols;
        int m = transposeA ? aCols : aRows, k = transposeA ? aRows : aCols;
        int kb = transposeB ? b.shape[^1] : b.shape[^2], n = transposeB ? b.shape[^2] : b.shape[^1];
        if (k != kb)
            throw new ShapeMismatchException(op, $"inner dimensions differ: {TensorShape.Format(a.shape)}{(transposeA ? "ᵀ" : "")} x {TensorShape.Format(b.shape)}{(transposeB ? "ᵀ" : "")} ({k} vs {kb})");

        int[] outShape;
        if (b.Rank == 3) outShape = [batch, m, n];
        else { outShape = a.ShapeArray(); outShape[^2] = transposeA ? aCols : outShape[^2]; outShape[^1] = n; }

        int lda = a.shape[^1], ldb = b.shape[^1];
        int aStride = a.Rank == 3 && b.Rank == 3 ? a.shape[1] * a.shape[2] : 0;
        int bStride = b.Rank == 3 ? b.shape[1] * b.shape[2] : 0;
        int cStride = m * n;
        var y = Uninitialized(outShape);
        // Batched products go to MultiplyBatched in one call, which splits the batch between threads
        // when every item is small (attention's (1, R)·(R, F) per image) instead of looping here.
        if (batch == 1) Sgemm.Multiply(transposeA, transposeB, m, n, k, 1f, a.Data, lda, b.Data, ldb, 0f, y.Data, n);
        else Sgemm.MultiplyBatched(transposeA, transposeB, m, n, k, 1f, a.Data, lda, aStride, b.Data, ldb, bStride, 0f, y.Data, n, cStride, batch);

        return y.Record(op, [a, b], g =>
        {
            var dC = g.Data;
            if (a.RequiresGrad)
            {
                var dA = a.GradBuffer();
                if (!transposeA) Sgemm.MultiplyBatched(false, !transposeB, m, k, n, 1f, dC, n, cStride, b.Data, ldb, bStride, 1f, dA, lda, aStride, batch);
                else Sgemm.MultiplyBatched(transposeB, true, k, m, n, 1f, b.Data, ldb, bStride, dC, n, cStride, 1f, dA, lda, aStride, batch);
            }
            if (b.RequiresGrad)
            {
                var dB = b.GradBuffer();
                if (!transposeB) Sgemm.MultiplyBatched(!transposeA, false, k, n, m, 1f, a.Data, lda, aStride, dC, n, cStride, 1f, dB, ldb, bStride, batch);
                else Sgemm.MultiplyBatched(true, transposeA, n, k, m, 1f, dC, n, cStride, a.Data, lda, aStride, 1f, dB, ldb, bStride, batch);
            }
        });
    }
}
