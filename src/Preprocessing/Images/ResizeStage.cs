// Resize stage: separable resampling with a triangle (bilinear) kernel whose support widens with
// the downscale factor. Widening the kernel is what makes downscaling antialiased (every source
// pixel contributes) instead of the aliasing you get from sampling 2x2 neighbourhoods.
using System.Buffers;

namespace Pipeline.Preprocessing.Images;

/// <summary>Aspect-preserving (or stretching) resize of RGB images with antialiased filtering.</summary>
public static class ResizeStage
{
    /// <summary>Output dimensions for <paramref name="mode"/>: shorter side (or both sides) become <paramref name="target"/>.</summary>
    public static (int Width, int Height) TargetSize(int width, int height, int target, ResizeMode mode)
    {
        if (mode == ResizeMode.Stretch)
            return (target, target);
        if (width <= height)
            return (target, Math.Max(target, (int)Math.Round((double)height * target / width)));
        return (Math.Max(target, (int)Math.Round((double)width * target / height)), target);
    }

    /// <summary>Resizes so the shorter side (or both) equals <paramref name="target"/>; returns the input when already that size.</summary>
    public static RgbImage Apply(RgbImage image, int target, ResizeMode mode)
    {
        var (w, h) = TargetSize(image.Width, image.Height, target, mode);
        return Resize(image, w, h);
    }

    /// <summary>Resamples <paramref name="image"/> to exactly <paramref name="outW"/>×<paramref name="outH"/>.</summary>
    public static RgbImage Resize(RgbImage image, int outW, int outH)
    {
        if (outW == image.Width && outH == image.Height)
            return image;
        int inW = image.Width, inH = image.Height;
        var xs = Kernel.Build(inW, outW);
        var ys = Kernel.Build(inH, outH);

        // Horizontal pass first into floats (inH × outW × 3): keeps precision between passes.
        // Pooled: for typical photos this buffer is far above the large-object-heap threshold.
        var tmpArray = ArrayPool<float>.Shared.Rent(inH * outW * 3);
        var tmp = tmpArray.AsSpan(0, inH * outW * 3);
        var src = image.Pixels;
        for (int y = 0; y < inH; y++)
        {
            var srcRow = src.AsSpan(y * inW * 3, inW * 3);
            var tmpRow = tmp.Slice(y * outW * 3, outW * 3);
            for (int x = 0; x < outW; x++)
            {
                int start = xs.Start[x];
                var wts = xs.WeightsFor(x);
                float r = 0, g = 0, b = 0;
                for (int k = 0; k < wts.Length; k++)
                {
                    int s = (start + k) * 3;
                    float wk = wts[k];
                    r += srcRow[s] * wk;
                    g += srcRow[s + 1] * wk;
                    b += srcRow[s + 2] * wk;
                }
                tmpRow[x * 3] = r;
                tmpRow[x * 3 + 1] = g;
                tmpRow[x * 3 + 2] = b;
            }
        }

        var dst = GC.AllocateUninitializedArray<byte>(outW * outH * 3);
        int rowLen = outW * 3;
        var accArray = ArrayPool<float>.Shared.Rent(rowLen);
        var acc = accArray.AsSpan(0, rowLen);
        for (int y = 0; y < outH; y++)
        {
            int start = ys.Start[y];
            var wts = ys.WeightsFor(y);
            acc.Clear();
            for (int k = 0; k < wts.Length; k++)
            {
                float wk = wts[k];
                var tmpRow = tmp.Slice((start + k) * rowLen, rowLen);
                for (int i = 0; i < rowLen; i++)
                    acc[i] += tmpRow[i] * wk;
            }
            var dstRow = dst.AsSpan(y * rowLen, rowLen);
            for (int i = 0; i < rowLen; i++)
            {
                float v = acc[i] + 0.5f;
                dstRow[i] = v <= 0f ? (byte)0 : v >= 255f ? (byte)255 : (byte)v;
            }
        }
        ArrayPool<float>.Shared.Return(tmpArray);
        ArrayPool<float>.Shared.Return(accArray);
        return new RgbImage(outW, outH, dst);
    }

    /// <summary>Per-output-index filter taps: first source index and normalised weights.</summary>
    private sealed class Kernel
    {
        public required int[] Start { get; init; }
        public required float[] Weights { get; init; }
        public required int Taps { get; init; }
        public required int[] Count { get; init; }

        public ReadOnlySpan<float> WeightsFor(int i) => Weights.AsSpan(i * Taps, Count[i]);

        public static Kernel Build(int inSize, int outSize)
        {
            double scale = (double)inSize / outSize;
            double support = Math.Max(1.0, scale); // triangle radius in source pixels
            int taps = (int)Math.Ceiling(support) * 2 + 1;
            var start = new int[outSize];
            var count = new int[outSize];
            var weights = new float[outSize * taps];
            Span<double> tmp = stackalloc double[taps];
            for (int i = 0; i < outSize; i++)
            {
                double center = (i + 0.5) * scale;
                int lo = Math.Max(0, (int)Math.Floor(center - support));
                int hi = Math.Min(inSize, (int)Math.Ceiling(center + support));
                int n = Math.Min(hi - lo, taps);
                double sum = 0;
                for (int k = 0; k < n; k++)
                {
                    double d = Math.Abs((lo + k + 0.5 - center) / support);
                    double wgt = d < 1 ? 1 - d : 0;
                    tmp[k] = wgt;
                    sum += wgt;
                }
                if (sum <= 0)
                {
                    // Degenerate only when upscaling hits an exact edge; fall back to the nearest pixel.
                    tmp[..n].Clear();
                    tmp[Math.Clamp((int)center - lo, 0, n - 1)] = 1;
                    sum = 1;
                }
                for (int k = 0; k < n; k++)
                    weights[i * taps + k] = (float)(tmp[k] / sum);
                start[i] = lo;
                count[i] = n;
            }
            return new Kernel { Start = start, Weights = weights, Taps = taps, Count = count };
        }
    }
}
