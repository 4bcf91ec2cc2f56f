// The one driver of the engine's hand-written elementwise loops, after TensorPrimitives: the math of an op lives
// in a small readonly struct (a scalar Invoke and a Vector<float> Invoke, see ElementwiseOperators.cs) and this
// file owns the loop — the Vector<float> body, then the scalar tail for the last Length mod Vector<float>.Count
// elements. Two shapes of loop cover every case:
//   Map:        y[i]   = op(x[i])                     (forward of a function TensorPrimitives lacks, e.g. leaky ReLU)
//   Accumulate: gx[i] += op(g[i], saved[i])           (backward: g the output gradient, saved the op's input or output)
// Why: the backward rules used to be three hand-copied SIMD loops plus a scalar loop per op; a data-dependent branch
// per element (relu, abs, clamp) and one element per iteration made them a tenth of a conv-net train step. With the
// driver an op's backward is one operator struct, and the length-sweep test covers every operator's vector body and
// tail. Both Invoke forms use the same IEEE operations in the same order, so results do not depend on the vector
// width (the tests compare them bit for bit with the scalar formulas).
// Operators are structs passed by `in`, so the JIT specialises and inlines each loop (no delegate, no allocation).
using System.Numerics;
using System.Runtime.InteropServices;

namespace Pipeline.Models.Ops;

/// <summary>An elementwise function y = f(x) in scalar and vector form (same operations, same order).</summary>
internal interface IUnaryOperator
{
    /// <summary>f(x) for one element.</summary>
    float Invoke(float x);

    /// <summary>f(x) for one vector of elements.</summary>
    Vector<float> Invoke(Vector<float> x);
}

/// <summary>An elementwise gradient term f(g, s), with g the output gradient and s what the forward saved (input or output).</summary>
internal interface IGradientOperator
{
    /// <summary>The input-gradient contribution of one element.</summary>
    float Invoke(float gradient, float saved);

    /// <summary>The input-gradient contribution of one vector of elements.</summary>
    Vector<float> Invoke(Vector<float> gradient, Vector<float> saved);
}

/// <summary>Vectorised loops over operator structs: forward maps and accumulated backward terms.</summary>
internal static class Elementwise
{
    /// <summary>y[i] = op(x[i]); <paramref name="y"/> may be <paramref name="x"/>.</summary>
    public static void Map<TOperator>(in TOperator op, ReadOnlySpan<float> x, Span<float> y) where TOperator : struct, IUnaryOperator
    {
        if (x.Length != y.Length) throw new ArgumentException($"elementwise map: lengths differ (x {x.Length}, y {y.Length}).");
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0, n = x.Length, w = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
            for (; i <= n - w; i += w)
                op.Invoke(Vector.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        for (; i < n; i++) y[i] = op.Invoke(x[i]);
    }

    /// <summary>gx[i] += op(g[i], saved[i]).</summary>
    public static void Accumulate<TOperator>(in TOperator op, ReadOnlySpan<float> g, ReadOnlySpan<float> saved, Span<float> gx)
        where TOperator : struct, IGradientOperator
    {
        if (g.Length != gx.Length || saved.Length != gx.Length)
            throw new ArgumentException($"elementwise gradient: lengths differ (g {g.Length}, saved {saved.Length}, gx {gx.Length}).");
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float sr = ref MemoryMarshal.GetReference(saved);
        ref float xr = ref MemoryMarshal.GetReference(gx);
        int i = 0, n = gx.Length, w = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
            for (; i <= n - w; i += w)
                (Vector.LoadUnsafe(ref xr, (nuint)i) + op.Invoke(Vector.LoadUnsafe(ref gr, (nuint)i), Vector.LoadUnsafe(ref sr, (nuint)i)))
                    .StoreUnsafe(ref xr, (nuint)i);
        for (; i < n; i++) gx[i] += op.Invoke(g[i], saved[i]);
    }
}
