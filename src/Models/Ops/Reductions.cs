// Reductions along one axis (sum, mean, max, argmax, logsumexp) and over everything. Every axis
// reduction views the tensor as (outer, size, inner): inner == 1 reduces contiguous rows, otherwise
// whole inner-length rows are combined with one vector op each.
using System.Numerics.Tensors;

namespace Pipeline.Models.Tensors;

public sealed partial class Tensor
{
    private static int[] ReducedShape(ReadOnlySpan<int> shape, int axis, bool keepDim)
    {
        var list = shape.ToArray().ToList();
        if (keepDim) list[axis] = 1; else list.RemoveAt(axis);
        return list.ToArray();
    }

    /// <summary>Sum of all elements (scalar).</summary>
    public static Tensor SumAll(Tensor x)
    {
        var y = Uninitialized([]);
        y.Data[0] = TensorPrimitives.Sum(x.Data);
        return y.Record("sum_all", [x], g => { var gx = x.GradBuffer(); TensorPrimitives.Add(gx, g.Data[0], gx); });
    }

    /// <summary>Mean of all elements (scalar).</summary>
    public static Tensor MeanAll(Tensor x)
    {
        if (x.Length == 0) throw new InvalidOperationException("mean_all: cannot take the mean of an empty tensor.");
        var y = Uninitialized([]);
        y.Data[0] = TensorPrimitives.Sum(x.Data) / x.Length;
        return y.Record("mean_all", [x], g => { var gx = x.GradBuffer(); TensorPrimitives.Add(gx, g.Data[0] / x.Length, gx); });
    }

    /// <summary>Sum along <paramref name="axis"/>.</summary>
    public static Tensor Sum(Tensor x, int axis, bool keepDim = false) => SumScaled(x, axis, keepDim, 1f, "sum");

    /// <summary>Mean along <paramref name="axis"/>.</summary>
    public static Tensor Mean(Tensor x, int axis, bool keepDim = false)
    {
        int a = TensorShape.NormalizeAxis(axis, x.Rank, "mean");
        if (x.shape[a] == 0) throw new InvalidOperationException($"mean: axis {axis} of shape {TensorShape.Format(x.shape)} is empty.");
        return SumScaled(x, a, keepDim, 1f / x.shape[a], "mean");
    }

    private static Tensor SumScaled(Tensor x, int axis, bool keepDim, float scale, string name)
    {
        int a = TensorShape.NormalizeAxis(axis, x.Rank, name);
        var (outer, size, inner) = TensorShape.AroundAxis(x.shape, a);
        var y = ZerosTracked(ReducedShape(x.shape, a, keepDim));
        var xd = x.Data; var yd = y.Data;
        for (int o = 0; o < outer; o++)
        {
            if (inner == 1) yd[o] = scale * TensorPrimitives.Sum(xd.Slice(o * size, size));
            else
            {
                var dst = yd.Slice(o * inner, inner);
                for (int k = 0; k < size; k++) TensorPrimitives.Add(dst, xd.Slice((o * size + k) * inner, inner), dst);
                if (scale != 1f) TensorPrimitives.Multiply(dst, scale, dst);
            }
        }
        return y.Record(name, [x], g =>
        {
            var gx = x.GradBuffer(); var gd = g.Data;
            for (int o = 0; o < outer; o++)
            {
                if (inner == 1) TensorPrimitives.Add(gx.Slice(o * size, size), scale * gd[o], gx.Slice(o * size, size));
                else
                {
                    var src = gd.Slice(o * inner, inner);
                    for (int k = 0; k < size; k++)
                    {
                        var dst = gx.Slice((o * size + k) * inner, inner);
                        TensorPrimitives.MultiplyAdd(src, scale, dst, dst);
                    }
                }
            }
        });
    }

    /// <summary>Maximum along <paramref name="axis"/> and the index of the first maximum; the gradient flows to that element.</summary>
    public static (Tensor Values, int[] Indices) Max(Tensor x, int axis, bool keepDim = false)
    {
        int a = TensorShape.NormalizeAxis(axis, x.Rank, "max");
        var (outer, size, inner) = TensorShape.AroundAxis(x.shape, a);
        if (size == 0) throw new InvalidOperationException($"max: axis {axis} of shape {TensorShape.Format(x.shape)} is empty.");
        var indices = ArgmaxCore(x, outer, size, inner);
        var y = Uninitialized(ReducedShape(x.shape, a, keepDim));
        var xd = x.Data; var yd = y.Data;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
                yd[o * inner + i] = xd[(o * size + indices[o * inner + i]) * inner + i];
        y.Record("max", [x], g =>
        {
            var gx = x.GradBuffer(); var gd = g.Data;
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                    gx[(o * size + indices[o * inner + i]) * inner + i] += gd[o * inner + i];
        });
        return (y, indices);
    }

    /// <summary>Index of the first maximum along <paramref name="axis"/> (row-major over the remaining axes).</summary>
    public static int[] Argmax(Tensor x, int axis)
    {
        int a = TensorShape.NormalizeAxis(axis, x.Rank, "argmax");
        var (outer, size, inner) = TensorShape.AroundAxis(x.shape, a);
        if (size == 0) throw new InvalidOperationException($"argmax: axis {axis} of shape {TensorShape.Format(x.shape)} is empty.");
        return ArgmaxCore(x, outer, size, inner);
    }

    private static int[] ArgmaxCore(Tensor x, int outer, int size, int inner)
    {
        var result = new int[outer * inner];
        var xd = x.Data;
        for (int o = 0; o < outer; o++)
        {
            if (inner == 1) { result[o] = TensorPrimitives.IndexOfMax(xd.Slice(o * size, size)); continue; }
            for (int i = 0; i < inner; i++)
            {
                int best = 0; float bestValue = xd[o * size * inner + i];
                for (int k = 1; k < size; k++)
                {
                    float v = xd[(o * size + k) * inner + i];
                    if (v > bestValue || float.IsNaN(v) && !float.IsNaN(bestValue)) { bestValue = v; best = k; }
                }
                result[o * inner + i] = best;
            }
        }
        return result;
    }

    /// <summary>log Σ exp(x) along <paramref name="axis"/>, computed stably by subtracting the maximum.</summary>
    public static Tensor LogSumExp(Tensor x, int axis, bool keepDim = false)
    {
        int a = TensorShape.NormalizeAxis(axis, x.Rank, "logsumexp");
        var (outer, size, inner) = TensorShape.AroundAxis(x.shape, a);
        var y = Uninitialized(ReducedShape(x.shape, a, keepDim));
        var xd = x.Data; var yd = y.Data;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                float m = float.NegativeInfinity;
                for (int k = 0; k < size; k++) m = MathF.Max(m, xd[(o * size + k) * inner + i]);
                if (float.IsNegativeInfinity(m)) { yd[o * inner + i] = m; continue; }
                double s = 0;
                for (int k = 0; k < size; k++) s += Math.Exp(xd[(o * size + k) * inner + i] - m);
                yd[o * inner + i] = m + (float)Math.Log(s);
            }
        return y.Record("logsumexp", [x], g =>
        {
            // ∂/∂x_k = softmax(x)_k = exp(x_k − lse).
            var gx = x.GradBuffer(); var gd = g.Data; var xs = x.Data; var ys = y.Data;
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    float lse = ys[o * inner + i], go = gd[o * inner + i];
                    for (int k = 0; k < size; k++)
                    {
                        int idx = (o * size + k) * inner + i;
                        gx[idx] += go * MathF.Exp(xs[idx] - lse);
                    }
                }
        });
    }
}
