// Sliding-window pooling over (N, C, H, W): max (gradient routed to the arg-max of each window) and
// average (count_include_pad = true, floor mode, as PyTorch's defaults: every window divides by kh·kw).
//   outH = ⌊(H + 2·padH − kh) / strideH⌋ + 1   (same for W); padded cells are −∞ for max, 0 for average.
// Shapes: x (N, C, H, W) → y (N, C, outH, outW); planes = N·C are pooled independently.
using Pipeline.Models.Kernels;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn;

/// <summary>Window geometry of a 2-D pooling layer; stride defaults to the kernel size (PyTorch).</summary>
public sealed record Pool2dOptions((int H, int W) Kernel)
{
    /// <summary>Step between windows; null means equal to <see cref="Kernel"/>.</summary>
    public (int H, int W)? Stride { get; init; }

    /// <summary>Implicit padding on each side (at most half the kernel).</summary>
    public (int H, int W) Padding { get; init; } = (0, 0);

    /// <summary>Square-window convenience constructor.</summary>
    public static Pool2dOptions Square(int kernel, int? stride = null, int padding = 0)
        => new((kernel, kernel)) { Stride = stride is { } s ? (s, s) : null, Padding = (padding, padding) };

    internal (int kh, int kw, int sh, int sw, int ph, int pw) Resolve(string op)
    {
        var (sh, sw) = Stride ?? Kernel;
        if (Kernel.H < 1 || Kernel.W < 1 || sh < 1 || sw < 1 || Padding.H < 0 || Padding.W < 0 || 2 * Padding.H > Kernel.H || 2 * Padding.W > Kernel.W)
            throw new ArgumentException($"{op}: invalid geometry kernel {Kernel}, stride ({sh}, {sw}), padding {Padding} (padding must be at most half the kernel).");
        return (Kernel.H, Kernel.W, sh, sw, Padding.H, Padding.W);
    }
}

public static partial class Functional
{
    private static (int n, int c, int h, int w, int oh, int ow) PoolGeometry(string op, Tensor input, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        if (input.Rank != 4) throw new ShapeMismatchException(op, $"input {TensorShape.Format(input.Shape)} must be (N, C, H, W)");
        int h = input.Shape[2], w = input.Shape[3];
        int oh = ConvolutionCore.OutputSize(op, h, kh, sh, ph, 1), ow = ConvolutionCore.OutputSize(op, w, kw, sw, pw, 1);
        if (oh < 1 || ow < 1) throw new ShapeMismatchException(op, $"input {h}x{w} (padding {ph}x{pw}) is smaller than the window {kh}x{kw}");
        return (input.Shape[0], input.Shape[1], h, w, oh, ow);
    }

    /// <summary>Max over each window; the gradient goes to the first maximal element of each window.</summary>
    public static Tensor MaxPool2d(Tensor input, Pool2dOptions options)
    {
        var (kh, kw, sh, sw, ph, pw) = options.Resolve("max_pool2d");
        var (n, c, h, w, oh, ow) = PoolGeometry("max_pool2d", input, kh, kw, sh, sw, ph, pw);
        int planes = n * c, outPlane = oh * ow;
        var argmax = new int[planes * outPlane];                                   // flat input index of each winner
        var y = Tensor.Uninitialized([n, c, oh, ow]);
        var x = input.Data; var yd = y.Data;
        for (int p = 0; p < planes; p++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    float best = float.NegativeInfinity; int bestIndex = -1;
                    for (int ky = 0; ky < kh; ky++)
                    {
                        int iy = oy * sh - ph + ky;
                        if ((uint)iy >= (uint)h) continue;
                        for (int kx = 0; kx < kw; kx++)
                        {
                            int ix = ox * sw - pw + kx;
                            if ((uint)ix >= (uint)w) continue;
                            int idx = (p * h + iy) * w + ix;
                            // NaN wins (propagates), as in PyTorch; a NaN best is never displaced by a number
                            if (bestIndex < 0 || x[idx] > best || float.IsNaN(x[idx])) { best = x[idx]; bestIndex = idx; }
                        }
                    }
                    int o = p * outPlane + oy * ow + ox;
                    yd[o] = best; argmax[o] = bestIndex;
                }
        return y.Record("max_pool2d", [input], g =>
        {
            var gx = input.GradBuffer(); var gd = g.Data;
            for (int o = 0; o < argmax.Length; o++) gx[argmax[o]] += gd[o];
        });
    }

    /// <summary>Mean over each window, padding counted as zeros (divisor kh·kw).</summary>
    public static Tensor AvgPool2d(Tensor input, Pool2dOptions options)
    {
        var (kh, kw, sh, sw, ph, pw) = options.Resolve("avg_pool2d");
        var (n, c, h, w, oh, ow) = PoolGeometry("avg_pool2d", input, kh, kw, sh, sw, ph, pw);
        int planes = n * c, outPlane = oh * ow;
        float scale = 1f / (kh * kw);
        var y = Tensor.Uninitialized([n, c, oh, ow]);
        var x = input.Data; var yd = y.Data;
        for (int p = 0; p < planes; p++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    float sum = 0;
                    for (int ky = 0; ky < kh; ky++)
                    {
                        int iy = oy * sh - ph + ky;
                        if ((uint)iy >= (uint)h) continue;
                        for (int kx = 0; kx < kw; kx++)
                        {
                            int ix = ox * sw - pw + kx;
                            if ((uint)ix < (uint)w) sum += x[(p * h + iy) * w + ix];
                        }
                    }
                    yd[p * outPlane + oy * ow + ox] = sum * scale;
                }
        return y.Record("avg_pool2d", [input], g =>
        {
            var gx = input.GradBuffer(); var gd = g.Data;
            for (int p = 0; p < planes; p++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        float share = gd[p * outPlane + oy * ow + ox] * scale;
                        for (int ky = 0; ky < kh; ky++)
                        {
                            int iy = oy * sh - ph + ky;
                            if ((uint)iy >= (uint)h) continue;
                            for (int kx = 0; kx < kw; kx++)
                            {
                                int ix = ox * sw - pw + kx;
                                if ((uint)ix < (uint)w) gx[(p * h + iy) * w + ix] += share;
                            }
                        }
                    }
        });
    }
}

/// <summary>2-D max pooling layer.</summary>
public sealed class MaxPool2d(Pool2dOptions options) : Module, ITensorModule
{
    /// <summary>Square window of size <paramref name="kernel"/> (stride defaults to the kernel).</summary>
    public MaxPool2d(int kernel, int? stride = null, int padding = 0) : this(Pool2dOptions.Square(kernel, stride, padding)) { }

    /// <summary>Window geometry.</summary>
    public Pool2dOptions Options { get; } = options;

    /// <summary>(N, C, H, W) → (N, C, outH, outW).</summary>
    public Tensor Forward(Tensor input) => Functional.MaxPool2d(input, Options);
}

/// <summary>2-D average pooling layer (padding counted in the divisor).</summary>
public sealed class AvgPool2d(Pool2dOptions options) : Module, ITensorModule
{
    /// <summary>Square window of size <paramref name="kernel"/> (stride defaults to the kernel).</summary>
    public AvgPool2d(int kernel, int? stride = null, int padding = 0) : this(Pool2dOptions.Square(kernel, stride, padding)) { }

    /// <summary>Window geometry.</summary>
    public Pool2dOptions Options { get; } = options;

    /// <summary>(N, C, H, W) → (N, C, outH, outW).</summary>
    public Tensor Forward(Tensor input) => Functional.AvgPool2d(input, Options);
}
