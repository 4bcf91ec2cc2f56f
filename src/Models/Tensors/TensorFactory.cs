// Creation of tensors from nothing: constants, ranges, random draws and copies of user arrays. These
// are leaves (parameters, inputs, optimizer state), so they are not owned by any TensorScope.
namespace Pipeline.Models.Tensors;

public sealed partial class Tensor
{
    private static Tensor Fresh(int[] shape)
    {
        var copy = (int[])shape.Clone();
        return new Tensor(copy, new Storage(BufferPool.Rent(TensorShape.Numel(copy)), pooled: true), 0);
    }

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(params int[] shape) { var t = Fresh(shape); t.Data.Clear(); return t; }

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(params int[] shape) => Full(1f, shape);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params int[] shape) { var t = Fresh(shape); t.Data.Fill(value); return t; }

    /// <summary>A scalar (rank-0) tensor.</summary>
    public static Tensor Scalar(float value) => Full(value, []);

    /// <summary>0, step, 2·step, … below <paramref name="end"/>, starting at <paramref name="start"/>.</summary>
    public static Tensor Arange(float start, float end, float step = 1f)
    {
        if (step == 0 || float.IsNaN(step)) throw new ArgumentException("arange: step must be non-zero", nameof(step));
        int count = Math.Max(0, (int)Math.Ceiling((end - start) / step));
        var t = Fresh([count]);
        var d = t.Data;
        for (int i = 0; i < count; i++) d[i] = start + i * step;
        return t;
    }

    /// <summary>Uniform samples in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static Tensor Rand(Generator generator, int[] shape, float low = 0f, float high = 1f)
    {
        var t = Fresh(shape);
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) d[i] = low + (high - low) * generator.NextFloat();
        return t;
    }

    /// <summary>Normal samples with the given mean and standard deviation.</summary>
    public static Tensor Randn(Generator generator, int[] shape, float mean = 0f, float std = 1f)
    {
        var t = Fresh(shape);
        var d = t.Data;
        for (int i = 0; i < d.Length; i++) d[i] = mean + std * generator.NextNormal();
        return t;
    }

    /// <summary>A tensor holding a copy of <paramref name="values"/> with the given shape.</summary>
    public static Tensor FromArray(ReadOnlySpan<float> values, params int[] shape)
    {
        if (TensorShape.Numel(shape) != values.Length)
            throw new ShapeMismatchException("from_array", $"{values.Length} values do not fill shape {TensorShape.Format(shape)}");
        var t = Fresh(shape);
        values.CopyTo(t.Data);
        return t;
    }

    /// <summary>A deep copy that is a leaf, owned by nobody.</summary>
    public Tensor Clone()
    {
        var t = Fresh(shape);
        Data.CopyTo(t.Data);
        return t;
    }
}
