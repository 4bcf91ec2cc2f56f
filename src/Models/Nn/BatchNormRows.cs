// The row kernels of batch norm: one pass per row for each quantity instead of a chain of
// TensorPrimitives calls (Subtract into a scratch row, then SumOfSquares / Dot / MultiplyAdd / Add),
// which read and wrote every activation 4–6 times per direction. A row is one (image, channel) run of
// S contiguous values; sums come back in float per row and the callers add rows in double, in row
// order, so results do not depend on the thread count.
using System.Numerics;
using System.Runtime.InteropServices;

namespace Pipeline.Models.Nn;

/// <summary>Fused single-pass row kernels for <see cref="Functional.BatchNorm"/> and <see cref="Functional.BatchNormRelu"/>.</summary>
internal static class BatchNormRows
{
    /// <summary>Σ (x − μ)² over one row (the second pass of the two-pass variance), without a scratch row.</summary>
    public static float CentredSumOfSquares(ReadOnlySpan<float> x, float mu)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        var vmu = new Vector<float>(mu);
        var acc = Vector<float>.Zero;
        int i = 0, w = Vector<float>.Count;
        for (; i <= x.Length - w; i += w)
        {
            var d = Vector.LoadUnsafe(ref xr, (nuint)i) - vmu;
            acc += d * d;
        }
        float sum = Vector.Sum(acc);
        for (; i < x.Length; i++) { float d = x[i] - mu; sum += d * d; }
        return sum;
    }

    /// <summary>
    /// Σ g' and Σ g'·(x − μ) over one row, with g' = g, or g·[y &gt; 0] when <paramref name="y"/> is not empty
    /// (the ReLU that followed the batch norm).
    /// </summary>
    public static (float SumG, float SumGx) GradientSums(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, float mu)
    {
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float xr = ref MemoryMarshal.GetReference(x);
        var vmu = new Vector<float>(mu);
        var sg = Vector<float>.Zero; var sgx = Vector<float>.Zero;
        int i = 0, w = Vector<float>.Count;
        bool relu = !y.IsEmpty;
        ref float yr = ref MemoryMarshal.GetReference(y);
        for (; i <= g.Length - w; i += w)
        {
            var gv = Vector.LoadUnsafe(ref gr, (nuint)i);
            if (relu) gv = Vector.ConditionalSelect(Vector.GreaterThan(Vector.LoadUnsafe(ref yr, (nuint)i), Vector<float>.Zero), gv, Vector<float>.Zero);
            sg += gv;
            sgx += gv * (Vector.LoadUnsafe(ref xr, (nuint)i) - vmu);
        }
        float sumG = Vector.Sum(sg), sumGx = Vector.Sum(sgx);
        for (; i < g.Length; i++)
        {
            float gi = relu && !(y[i] > 0f) ? 0f : g[i];
            sumG += gi;
            sumGx += gi * (x[i] - mu);
        }
        return (sumG, sumGx);
    }

    /// <summary>
    /// gx += g'·scaleG + (x − μ)·scaleX + shift over one row (g' as in <see cref="GradientSums"/>): the whole
    /// batch-norm input gradient in one pass. Evaluation mode passes scaleX = shift = 0.
    /// </summary>
    public static void AccumulateInputGradient(ReadOnlySpan<float> g, ReadOnlySpan<float> x, ReadOnlySpan<float> y, float mu,
        float scaleG, float scaleX, float shift, Span<float> gx)
    {
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float outr = ref MemoryMarshal.GetReference(gx);
        bool relu = !y.IsEmpty;
        ref float yr = ref MemoryMarshal.GetReference(y);
        var vmu = new Vector<float>(mu); var vg = new Vector<float>(scaleG); var vx = new Vector<float>(scaleX); var vs = new Vector<float>(shift);
        int i = 0, w = Vector<float>.Count;
        for (; i <= g.Length - w; i += w)
        {
            var gv = Vector.LoadUnsafe(ref gr, (nuint)i);
            if (relu) gv = Vector.ConditionalSelect(Vector.GreaterThan(Vector.LoadUnsafe(ref yr, (nuint)i), Vector<float>.Zero), gv, Vector<float>.Zero);
            var d = Vector.LoadUnsafe(ref xr, (nuint)i) - vmu;
            var r = Vector.LoadUnsafe(ref outr, (nuint)i) + gv * vg + d * vx + vs;
            Vector.StoreUnsafe(r, ref outr, (nuint)i);
        }
        for (; i < g.Length; i++)
        {
            float gi = relu && !(y[i] > 0f) ? 0f : g[i];
            gx[i] += gi * scaleG + (x[i] - mu) * scaleX + shift;
        }
    }
}
