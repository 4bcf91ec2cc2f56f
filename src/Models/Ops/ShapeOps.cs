// Ops that move elements without arithmetic: reshape/view, permute/transpose, slicing, concat, stack
// and split. Reshape and leading-axis slices are views sharing storage; permute copies, since every
// tensor in the engine is contiguous and kernels rely on it.
namespace Pipeline.Models.Tensors;

public sealed partial class Tensor
{
    /// <summary>A view with a new shape (one dimension may be −1 and is inferred).</summary>
    public Tensor Reshape(params int[] newShape)
    {
        var target = (int[])newShape.Clone();
        int infer = -1, known = 1;
        for (int i = 0; i < target.Length; i++)
        {
            if (target[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"reshape: only one dimension can be -1, got {TensorShape.Format(newShape)}.");
                infer = i;
            }
            else known *= target[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || Length % known != 0) throw new ShapeMismatchException("reshape", $"cannot infer -1 in {TensorShape.Format(newShape)} for {Length} elements of {TensorShape.Format(shape)}");
            target[infer] = Length / known;
        }
        if (TensorShape.Numel(target) != Length)
            throw new ShapeMismatchException("reshape", $"shape {TensorShape.Format(shape)} ({Length} elements) cannot be viewed as {TensorShape.Format(target)}");
        var source = this;
        var y = ViewAs(target);
        return y.Record("reshape", [source], g =>
        {
            var gx = source.GradBuffer();
            System.Numerics.Tensors.TensorPrimitives.Add(gx, g.Data, gx);
        });
    }

    /// <summary>Inserts a size-1 axis at <paramref name="axis"/>.</summary>
    public Tensor Unsqueeze(int axis)
    {
        int a = axis < 0 ? axis + Rank + 1 : axis;
        if (a < 0 || a > Rank) throw new ArgumentOutOfRangeException(nameof(axis), $"unsqueeze: axis {axis} out of range for rank {Rank}.");
        var list = shape.ToList(); list.Insert(a, 1);
        return Reshape(list.ToArray());
    }

    /// <summary>Removes the size-1 axis <paramref name="axis"/>.</summary>
    public Tensor Squeeze(int axis)
    {
        int a = TensorShape.NormalizeAxis(axis, Rank, "squeeze");
        if (shape[a] != 1) throw new ShapeMismatchException("squeeze", $"axis {axis} of {TensorShape.Format(shape)} has size {shape[a]}, expected 1");
        var list = shape.ToList(); list.RemoveAt(a);
        return Reshape(list.ToArray());
    }

    /// <summary>Collapses axes from <paramref name="startAxis"/> on into one.</summary>
    public Tensor Flatten(int startAxis = 1)
    {
        int a = TensorShape.NormalizeAxis(startAxis, Rank, "flatten");
        var list = shape.Take(a).ToList();
        list.Add(shape.Skip(a).Aggregate(1, (p, d) => p * d));
        return Reshape(list.ToArray());
    }

    /// <summary>Reorders axes (copying) so that result axis i is input axis <paramref name="order"/>[i].</summary>
    public Tensor Permute(params int[] order)
    {
        if (order.Length != Rank) throw new ShapeMismatchException("permute", $"order {TensorShape.Format(order)} does not list {Rank} axes of {TensorShape.Format(shape)}");
        var seen = new bool[Rank];
        foreach (var o in order)
        {
            if (o < 0 || o >= Rank || seen[o]) throw new ArgumentException($"permute: order {TensorShape.Format(order)} is not a permutation of 0..{Rank - 1}.");
            seen[o] = true;
        }
        var outShape = order.Select(o => shape[o]).ToArray();
        var y = Uninitialized(outShape);
        PermuteCopy(Data, shape, order, y.Data, accumulate: false);
        var source = this;
        var inverse = new int[Rank];
        for (int i = 0; i < Rank; i++) inverse[order[i]] = i;
        return y.Record("permute", [source], g => PermuteCopy(g.Data, outShape, inverse, source.GradBuffer(), accumulate: true));
    }

    /// <summary>Swaps two axes (copying).</summary>
    public Tensor Transpose(int axis0, int axis1)
    {
        int a = TensorShape.NormalizeAxis(axis0, Rank, "transpose"), b = TensorShape.NormalizeAxis(axis1, Rank, "transpose");
        var order = Enumerable.Range(0, Rank).ToArray();
        (order[a], order[b]) = (order[b], order[a]);
        return Permute(order);
    }

    /// <summary>dst[permuted index] (+)= src, walking dst in order so writes are sequential.</summary>
    internal static void PermuteCopy(ReadOnlySpan<float> src, ReadOnlySpan<int> srcShape, ReadOnlySpan<int> order, Span<float> dst, bool accumulate)
    {
        int rank = srcShape.Length;
        if (src.Length == 0) return;
        var srcStrides = TensorShape.Strides(srcShape);
        Span<int> outShape = stackalloc int[rank];
        Span<int> stepIn = stackalloc int[rank];
        for (int i = 0; i < rank; i++) { outShape[i] = srcShape[order[i]]; stepIn[i] = srcStrides[order[i]]; }
        Span<int> counter = stackalloc int[rank];
        counter.Clear();
        int inner = rank == 0 ? 1 : outShape[rank - 1], innerStep = rank == 0 ? 0 : stepIn[rank - 1];
        int rows = src.Length / Math.Max(1, inner);
        int srcOff = 0, dstOff = 0;
        for (int r = 0; r < rows; r++)
        {
            if (accumulate) for (int i = 0; i < inner; i++) dst[dstOff + i] += src[srcOff + i * innerStep];
            else for (int i = 0; i < inner; i++) dst[dstOff + i] = src[srcOff + i * innerStep];
            dstOff += inner;
            for (int ax = rank - 2; ax >= 0; ax--)
            {
                counter[ax]++; srcOff += stepIn[ax];
                if (counter[ax] < outShape[ax]) break;
                srcOff -= stepIn[ax] * outShape[ax]; counter[ax] = 0;
            }
        }
    }

    /// <summary>Elements [start, start+length) along <paramref name="axis"/> (a view for leading-axis slices).</summary>
    public Tensor Narrow(int axis, int start, int length)
    {
        int a = TensorShape.NormalizeAxis(axis, Rank, "narrow");
        if (start < 0 || length < 0 || start + length > shape[a])
            throw new ArgumentOutOfRangeException(nameof(start), $"narrow: range [{start}, {start + length}) exceeds axis {axis} of size {shape[a]} in {TensorShape.Format(shape)}.");
        var outShape = ShapeArray(); outShape[a] = length;
        var (outer, size, inner) = TensorShape.AroundAxis(shape, a);
        var source = this;
        Tensor y;
        if (outer == 1) y = ViewAs(outShape, start * inner);
        else
        {
            y = Uninitialized(outShape);
            var xd = Data; var yd = y.Data;
            for (int o = 0; o < outer; o++) xd.Slice((o * size + start) * inner, length * inner).CopyTo(yd.Slice(o * length * inner, length * inner));
        }
        return y.Record("narrow", [source], g =>
        {
            var gx = source.GradBuffer(); var gd = g.Data;
            for (int o = 0; o < outer; o++)
            {
                var dst = gx.Slice((o * size + start) * inner, length * inner);
                System.Numerics.Tensors.TensorPrimitives.Add(dst, gd.Slice(o * length * inner, length * inner), dst);
            }
        });
    }

    /// <summary>Joins tensors along an existing axis; all other sizes must agree.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis)
    {
        if (tensors.Count == 0) throw new ArgumentException("concat: needs at least one tensor.");
        var first = tensors[0];
        int a = TensorShape.NormalizeAxis(axis, first.Rank, "concat");
        int total = 0;
        foreach (var t in tensors)
        {
            bool ok = t.Rank == first.Rank;
            for (int i = 0; ok && i < t.Rank; i++) ok = i == a || t.shape[i] == first.shape[i];
            if (!ok) throw new ShapeMismatchException("concat", $"along axis {axis}, {TensorShape.Format(t.shape)} does not match {TensorShape.Format(first.shape)}");
            total += t.shape[a];
        }
        var outShape = first.ShapeArray(); outShape[a] = total;
        var (outer, _, inner) = TensorShape.AroundAxis(outShape, a);
        var y = Uninitialized(outShape);
        var yd = y.Data;
        int at = 0;
        foreach (var t in tensors)
        {
            int n = t.shape[a] * inner;
            var src = t.Data;
            for (int o = 0; o < outer; o++) src.Slice(o * n, n).CopyTo(yd.Slice(o * total * inner + at, n));
            at += n;
        }
        var inputs = tensors.ToArray();
        return y.Record("concat", inputs, g =>
        {
            var gd = g.Data;
            int pos = 0;
            foreach (var t in inputs)
            {
                int n = t.shape[a] * inner;
                if (t.RequiresGrad)
                {
                    var gx = t.GradBuffer();
                    for (int o = 0; o < outer; o++)
                    {
                        var dst = gx.Slice(o * n, n);
                        System.Numerics.Tensors.TensorPrimitives.Add(dst, gd.Slice(o * total * inner + pos, n), dst);
                    }
                }
                pos += n;
            }
        });
    }

    /// <summary>Stacks equally shaped tensors along a new axis.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("stack: needs at least one tensor.");
        foreach (var t in tensors)
            if (!TensorShape.SameShape(t.shape, tensors[0].shape))
                throw new ShapeMismatchException("stack", $"{TensorShape.Format(t.shape)} differs from {TensorShape.Format(tensors[0].shape)}");
        int a = axis < 0 ? axis + tensors[0].Rank + 1 : axis;
        return Concat(tensors.Select(t => t.Unsqueeze(a)).ToArray(), a);
    }

    /// <summary>Splits along <paramref name="axis"/> into pieces of the given sizes (which must add up to the axis size).</summary>
    public Tensor[] Split(int axis, params int[] sizes)
    {
        int a = TensorShape.NormalizeAxis(axis, Rank, "split");
        if (sizes.Sum() != shape[a]) throw new ShapeMismatchException("split", $"sizes {TensorShape.Format(sizes)} do not add up to axis {axis} of {TensorShape.Format(shape)}");
        var result = new Tensor[sizes.Length];
        int start = 0;
        for (int i = 0; i < sizes.Length; i++) { result[i] = Narrow(a, start, sizes[i]); start += sizes[i]; }
        return result;
    }

    /// <summary>Splits along <paramref name="axis"/> into <paramref name="count"/> equal pieces.</summary>
    public Tensor[] Chunk(int count, int axis)
    {
        int a = TensorShape.NormalizeAxis(axis, Rank, "chunk");
        if (count <= 0 || shape[a] % count != 0) throw new ShapeMismatchException("chunk", $"axis {axis} of {TensorShape.Format(shape)} does not split into {count} equal pieces");
        return Split(a, Enumerable.Repeat(shape[a] / count, count).ToArray());
    }
}
