// Shape arithmetic shared by every op: element counts, row-major strides, broadcasting and the
// (outer, dim, inner) decomposition that lets a reduction or concat along any axis run as three loops.
namespace Pipeline.Models.Tensors;

/// <summary>Helpers for row-major shapes. Shapes are plain <c>int[]</c>; a rank-0 shape is a scalar.</summary>
public static class TensorShape
{
    /// <summary>Number of elements of <paramref name="shape"/> (1 for a scalar); throws on negative sizes.</summary>
    public static int Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"Shape {Format(shape)} has a negative dimension.");
            n *= d;
            if (n > int.MaxValue) throw new ArgumentException($"Shape {Format(shape)} has more than {int.MaxValue} elements.");
        }
        return (int)n;
    }

    /// <summary>Formats a shape as <c>[2, 3, 4]</c> for error messages.</summary>
    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <summary>Row-major strides of <paramref name="shape"/>.</summary>
    public static int[] Strides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { strides[i] = s; s *= shape[i]; }
        return strides;
    }

    /// <summary>Resolves a possibly negative axis against <paramref name="rank"/>.</summary>
    public static int NormalizeAxis(int axis, int rank, string op)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new ArgumentOutOfRangeException(nameof(axis), $"{op}: axis {axis} is out of range for a rank-{rank} tensor.");
        return a;
    }

    /// <summary>Splits <paramref name="shape"/> around <paramref name="axis"/> into (outer, size, inner) counts.</summary>
    public static (int Outer, int Size, int Inner) AroundAxis(ReadOnlySpan<int> shape, int axis)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Length; i++) inner *= shape[i];
        return (outer, shape[axis], inner);
    }

    /// <summary>NumPy broadcasting of two shapes; the error names the op and both shapes.</summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string op)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ShapeMismatchException(op, $"shapes {Format(a)} and {Format(b)} cannot be broadcast together (dimension {i}: {da} vs {db})");
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>Strides of <paramref name="shape"/> seen through the broadcast <paramref name="target"/> shape (0 on broadcast axes).</summary>
    public static int[] BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> target)
    {
        var strides = new int[target.Length];
        var own = Strides(shape);
        int offset = target.Length - shape.Length;
        for (int i = 0; i < target.Length; i++)
        {
            int j = i - offset;
            strides[i] = j < 0 || shape[j] == 1 ? 0 : own[j];
        }
        return strides;
    }

    /// <summary>True when both shapes have the same rank and sizes.</summary>
    public static bool SameShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);
}

/// <summary>Thrown when an op receives tensors whose shapes do not fit; the message names the op and the shapes.</summary>
public sealed class ShapeMismatchException(string op, string detail) : ArgumentException($"{op}: {detail}.")
{
    /// <summary>The op that rejected its inputs.</summary>
    public string Op { get; } = op;
}
