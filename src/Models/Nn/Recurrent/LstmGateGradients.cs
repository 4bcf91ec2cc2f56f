// The element-wise core of the fused LSTM cell's backward pass for one batch row, in Vector<float>
// lanes (see FusedLstmCell.cs for the equations). With a = activated gates (i, f, g, o), τ = tanh(c'):
//   dc = dc' + dh'·o·(1 − τ²)
//   da_i = dc·g·i(1−i)   da_f = dc·c·f(1−f)   da_g = dc·i·(1−g²)   da_o = dh'·τ·o(1−o)   dc_prev += dc·f
// Why: this loop ran once per element per step with a scalar tanh and was the largest non-GEMM cost of
// the BiLSTM and decoder train steps. Returns how many leading elements it handled; the caller finishes
// the remaining (H mod Vector.Count) with its scalar loop, so both paths share one formula source.
// Shape key: H = hidden size; gate rows are (4H) = [i | f | g | o].
using System.Numerics;
using System.Runtime.InteropServices;

namespace Pipeline.Models.Nn.Recurrent;

/// <summary>SIMD gate gradients of one LSTM batch row.</summary>
internal static class LstmGateGradients
{
    /// <summary>
    /// Writes the pre-activation gradients of the first vectorisable elements of the row into <paramref name="dGates"/>
    /// (4H) and accumulates dc_prev when <paramref name="dcPrev"/> is not empty. Returns the element count done.
    /// </summary>
    public static int Accumulate(ReadOnlySpan<float> gates, ReadOnlySpan<float> tanhC, ReadOnlySpan<float> dh, ReadOnlySpan<float> dcOut,
        ReadOnlySpan<float> cPrev, Span<float> dGates, Span<float> dcPrev, int hidden)
    {
        if (!Vector.IsHardwareAccelerated) return 0;
        ref float a = ref MemoryMarshal.GetReference(gates);
        ref float d = ref MemoryMarshal.GetReference(dGates);
        ref float t = ref MemoryMarshal.GetReference(tanhC);
        ref float dhr = ref MemoryMarshal.GetReference(dh);
        ref float dcr = ref MemoryMarshal.GetReference(dcOut);
        ref float cpr = ref MemoryMarshal.GetReference(cPrev);
        bool needPrev = !dcPrev.IsEmpty;
        ref float dpr = ref MemoryMarshal.GetReference(dcPrev);
        var one = Vector<float>.One;
        nuint h = (nuint)hidden;
        int w = Vector<float>.Count, j = 0;
        for (; j <= hidden - w; j += w)
        {
            nuint k = (nuint)j;
            var i = Vector.LoadUnsafe(ref a, k);
            var f = Vector.LoadUnsafe(ref a, h + k);
            var g = Vector.LoadUnsafe(ref a, 2 * h + k);
            var o = Vector.LoadUnsafe(ref a, 3 * h + k);
            var tc = Vector.LoadUnsafe(ref t, k);
            var dhv = Vector.LoadUnsafe(ref dhr, k);
            var dc = Vector.LoadUnsafe(ref dcr, k) + dhv * o * (one - tc * tc);
            (dc * g * i * (one - i)).StoreUnsafe(ref d, k);
            (dc * Vector.LoadUnsafe(ref cpr, k) * f * (one - f)).StoreUnsafe(ref d, h + k);
            (dc * i * (one - g * g)).StoreUnsafe(ref d, 2 * h + k);
            (dhv * tc * o * (one - o)).StoreUnsafe(ref d, 3 * h + k);
            if (needPrev) (Vector.LoadUnsafe(ref dpr, k) + dc * f).StoreUnsafe(ref dpr, k);
        }
        return j;
    }
}
