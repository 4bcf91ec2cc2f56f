// Integer-indexed reads and writes: index_select (embedding lookups), gather (picking the target's
// log-probability) and scatter_add (their adjoint). Indices are plain int arrays; the engine's tensors
// hold float32 only.
namespace Pipeline.Models.Tensors;

public sealed partial class Tensor
{
    /// <summary>Slices of <paramref name="x"/> along <paramref name="axis"/> at the given indices, in order.</summary>
    public static Tensor IndexSelect(Tensor x, int axis, ReadOnlySpan<int> indices)
    {
        int a = TensorShape.NormalizeAxis(axis, x.Rank, "index_select");
        var (outer, size, inner) = TensorShape.AroundAxis(x.shape, a);
        var idx = indices.ToArray();
        for (int i = 0; i < idx.Length; i++)
            if ((uint)idx[i] >= (uint)size)
                throw new IndexOutOfRangeException($"index_select: index {idx[i]} at position {i} is out of range for axis {axis} of size {size} in {TensorShape.Format(x.shape)}.");
        var outShape = x.ShapeArray(); outShape[a] = idx.Length;
        var y = Uninitialized(outShape);
        var xd = x.Data; var yd = y.Data;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < idx.Length; i++)
                xd.Slice((o * size + idx[i]) * inner, inner).CopyTo(yd.Slice((o * idx.Length + i) * inner, inner));
        return y.Record("index_select", [x], g =>
        {
            var gx = x.GradBuffer(); var gd = g.Data;
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < idx.Length; i++)
                {
                    var dst = gx.Slice((o * size + idx[i]) * inner, inner);
                    System.Numerics.Tensors.TensorPrimitives.Add(dst, gd.Slice((o * idx.Length + i) * inner, inner), dst);
                }
        });
    }

    /// <summary>
    /// out[..., j, ...] = x[..., index[..., j, ...], ...] along <paramref name="axis"/>; <paramref name="index"/> holds
    /// outer·k·inner entries laid out like the result, where k = index.Length / (outer·inner).
    /// </summary>
    public static Tensor Gather(Tensor x, int axis, ReadOnlySpan<int> index)
    {
        int a = TensorShape.NormalizeAxis(axis, x.Rank, "gather");
        var (outer, size, inner) = TensorShape.AroundAxis(x.shape, a);
        if (outer * inner == 0 || index.Length % (outer * inner) != 0)
            throw new ShapeMismatchException("gather", $"{index.Length} indices do not fit {outer}x?x{inner} around axis {axis} of {TensorShape.Format(x.shape)}");
        int k = index.Length / (outer * inner);
        var idx = index.ToArray();
        foreach (var v in idx)
            if ((uint)v >= (uint)size) throw new IndexOutOfRangeException($"gather: index {v} is out of range for axis {axis} of size {size}.");
        var outShape = x.ShapeArray(); outShape[a] = k;
        var y = Uninitialized(outShape);
        var xd = x.Data; var yd = y.Data;
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < k; j++)
                for (int i = 0; i < inner; i++)
                {
                    int p = (o * k + j) * inner + i;
                    yd[p] = xd[(o * size + idx[p]) * inner + i];
                }
        return y.Record("gather", [x], g =>
        {
            var gx = x.GradBuffer(); var gd = g.Data;
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < k; j++)
                    for (int i = 0; i < inner; i++)
                    {
                        int p = (o * k + j) * inner + i;
                        gx[(o * size + idx[p]) * inner + i] += gd[p];
                    }
        });
    }

    /// <summary>A copy of <paramref name="x"/> with <paramref name="source"/> added at <paramref name="index"/> along <paramref name="axis"/> (the adjoint of gather).</summary>
    public static Tensor ScatterAdd(Tensor x, int axis, ReadOnlySpan<int> index, Tensor source)
    {
        int a = TensorShape.NormalizeAxis(axis, x.Rank, "scatter_add");
        var (outer, size, inner) = TensorShape.AroundAxis(x.shape, a);
        if (source.Rank != x.Rank || index.Length != source.Length)
            throw new ShapeMismatchException("scatter_add", $"source {TensorShape.Format(source.shape)} with {index.Length} indices does not fit {TensorShape.Format(x.shape)}");
        var (sOuter, k, sInner) = TensorShape.AroundAxis(source.shape, a);
        if (sOuter != outer || sInner != inner)
            throw new ShapeMismatchException("scatter_add", $"source {TensorShape.Format(source.shape)} differs from {TensorShape.Format(x.shape)} outside axis {axis}");
        var idx = index.ToArray();
        foreach (var v in idx)
            if ((uint)v >= (uint)size) throw new IndexOutOfRangeException($"scatter_add: index {v} is out of range for axis {axis} of size {size}.");
        var y = Uninitialized(x.ShapeArray());
        x.Data.CopyTo(y.Data);
        var yd = y.Data; var sd = source.Data;
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < k; j++)
                for (int i = 0; i < inner; i++)
                {
                    int p = (o * k + j) * inner + i;
                    yd[(o * size + idx[p]) * inner + i] += sd[p];
                }
        return y.Record("scatter_add", [x, source], g =>
        {
            var gd = g.Data;
            if (x.RequiresGrad) { var gx = x.GradBuffer(); System.Numerics.Tensors.TensorPrimitives.Add(gx, gd, gx); }
            if (source.RequiresGrad)
            {
                var gs = source.GradBuffer();
                for (int o = 0; o < outer; o++)
                    for (int j = 0; j < k; j++)
                        for (int i = 0; i < inner; i++)
                        {
                            int p = (o * k + j) * inner + i;
                            gs[p] += gd[(o * size + idx[p]) * inner + i];
                        }
            }
        });
    }
}
