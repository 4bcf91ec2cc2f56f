// Average pooling to a fixed output size whatever the input size (PyTorch's adaptive_avg_pool2d):
// output cell i along an axis of input size S and output size O averages input rows
//   [⌊i·S/O⌋, ⌈(i+1)·S/O⌉), so windows may overlap or differ in size when O does not divide S.
// (1, 1) is global average pooling, the usual head of a ResNet.
// Shapes: x (N, C, H, W) → y (N, C, OH, OW).
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn;

public static partial class Functional
{
    /// <summary>Adaptive average pooling of (N, C, H, W) to (N, C, outH, outW).</summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, int outHeight, int outWidth)
    {
        if (input.Rank != 4) throw new ShapeMismatchException("adaptive_avg_pool2d", $"input {TensorShape.Format(input.Shape)} must be (N, C, H, W)");
        if (outHeight < 1 || outWidth < 1) throw new ArgumentException($"adaptive_avg_pool2d: output size ({outHeight}, {outWidth}) must be positive.");
        int n = input.Shape[0], c = input.Shape[1], h = input.Shape[2], w = input.Shape[3], planes = n * c;
        var rows = Windows(h, outHeight);
        var cols = Windows(w, outWidth);
        var y = Tensor.Uninitialized([n, c, outHeight, outWidth]);
        var x = input.Data; var yd = y.Data;
        for (int p = 0; p < planes; p++)
            for (int oy = 0; oy < outHeight; oy++)
                for (int ox = 0; ox < outWidth; ox++)
                {
                    var (y0, y1) = rows[oy]; var (x0, x1) = cols[ox];
                    float sum = 0;
                    for (int iy = y0; iy < y1; iy++)
                        for (int ix = x0; ix < x1; ix++) sum += x[(p * h + iy) * w + ix];
                    yd[(p * outHeight + oy) * outWidth + ox] = sum / ((y1 - y0) * (x1 - x0));
                }
        return y.Record("adaptive_avg_pool2d", [input], g =>
        {
            var gx = input.GradBuffer(); var gd = g.Data;
            for (int p = 0; p < planes; p++)
                for (int oy = 0; oy < outHeight; oy++)
                    for (int ox = 0; ox < outWidth; ox++)
                    {
                        var (y0, y1) = rows[oy]; var (x0, x1) = cols[ox];
                        float share = gd[(p * outHeight + oy) * outWidth + ox] / ((y1 - y0) * (x1 - x0));
                        for (int iy = y0; iy < y1; iy++)
                            for (int ix = x0; ix < x1; ix++) gx[(p * h + iy) * w + ix] += share;
                    }
        });
    }

    /// <summary>[start, end) of each of <paramref name="outSize"/> adaptive windows over <paramref name="inSize"/>.</summary>
    private static (int Start, int End)[] Windows(int inSize, int outSize)
    {
        var windows = new (int, int)[outSize];
        for (int i = 0; i < outSize; i++)
            windows[i] = ((int)((long)i * inSize / outSize), (int)(((long)(i + 1) * inSize + outSize - 1) / outSize));
        return windows;
    }
}

/// <summary>Average pooling to a fixed (OH, OW) output; (1, 1) is global average pooling.</summary>
public sealed class AdaptiveAvgPool2d(int outHeight, int outWidth) : Module, ITensorModule
{
    /// <summary>Square output size.</summary>
    public AdaptiveAvgPool2d(int outSize) : this(outSize, outSize) { }

    /// <summary>Output height.</summary>
    public int OutHeight { get; } = outHeight;

    /// <summary>Output width.</summary>
    public int OutWidth { get; } = outWidth;

    /// <summary>(N, C, H, W) → (N, C, OH, OW).</summary>
    public Tensor Forward(Tensor input) => Functional.AdaptiveAvgPool2d(input, OutHeight, OutWidth);
}
