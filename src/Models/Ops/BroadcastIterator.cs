// Walks an output shape and two broadcast inputs row by row. Adjacent axes that are laid out alike in
// every operand are merged first, so [B,T,C] + [C] becomes B·T rows of C contiguous elements and the
// row kernel (a TensorPrimitives call) sees the longest possible run.
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Ops;

/// <summary>A kernel applied to one row: <c>n</c> elements; a step of 0 means the operand is a repeated scalar.</summary>
internal interface IRowKernel
{
    void Row(int outOffset, int aOffset, int aStep, int bOffset, int bStep, int n);
}

internal static class BroadcastIterator
{
    /// <summary>Calls <paramref name="kernel"/> for every row of <paramref name="outShape"/> with the offsets of the matching a/b elements.</summary>
    public static void ForEachRow<TKernel>(ref TKernel kernel, ReadOnlySpan<int> outShape, ReadOnlySpan<int> aShape, ReadOnlySpan<int> bShape)
        where TKernel : struct, IRowKernel
    {
        int rank = outShape.Length;
        if (TensorShape.Numel(outShape) == 0) return;
        var aStrides = TensorShape.BroadcastStrides(aShape, outShape);
        var bStrides = TensorShape.BroadcastStrides(bShape, outShape);

        // Coalesce: an axis joins the group before it when both operands step through the pair as one
        // longer axis (contiguous, or broadcast in both); size-1 axes never matter.
        Span<int> cs = stackalloc int[Math.Max(1, rank)];
        Span<int> ca = stackalloc int[Math.Max(1, rank)];
        Span<int> cb = stackalloc int[Math.Max(1, rank)];
        int dims = 0;
        for (int i = 0; i < rank; i++)
        {
            int size = outShape[i];
            if (size == 1) continue;
            if (dims > 0 && ca[dims - 1] == aStrides[i] * size && cb[dims - 1] == bStrides[i] * size)
            {
                cs[dims - 1] *= size; ca[dims - 1] = aStrides[i]; cb[dims - 1] = bStrides[i];
            }
            else { cs[dims] = size; ca[dims] = aStrides[i]; cb[dims] = bStrides[i]; dims++; }
        }
        if (dims == 0) { kernel.Row(0, 0, 0, 0, 0, 1); return; }
        int n = cs[dims - 1], aStep = ca[dims - 1], bStep = cb[dims - 1];
        int rows = 1;
        for (int i = 0; i < dims - 1; i++) rows *= cs[i];

        Span<int> counter = stackalloc int[Math.Max(1, dims - 1)];
        counter.Clear();
        int aOff = 0, bOff = 0, outOff = 0;
        for (int row = 0; row < rows; row++)
        {
            kernel.Row(outOff, aOff, aStep, bOff, bStep, n);
            outOff += n;
            // Odometer increment over the outer axes.
            for (int ax = dims - 2; ax >= 0; ax--)
            {
                counter[ax]++;
                aOff += ca[ax]; bOff += cb[ax];
                if (counter[ax] < cs[ax]) break;
                aOff -= ca[ax] * cs[ax]; bOff -= cb[ax] * cs[ax];
                counter[ax] = 0;
            }
        }
    }
}
