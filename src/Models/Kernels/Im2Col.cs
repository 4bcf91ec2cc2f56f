// Convolution lowering (im2col) and its adjoint (col2im) for row-major NCHW / NCL tensors.
//
// Im2Col turns one image (C, H, W) into a column matrix of shape (C·kh·kw, outH·outW): row
// (c, ki, kj) holds, for every output position (oh, ow), the input pixel that kernel tap
// (ki, kj) of channel c sees there, i.e. image[c, oh·sH − pH + ki·dH, ow·sW − pW + kj·dW], or 0
// in the padding. A convolution is then one GEMM: weights (F, C·kh·kw) × columns.
// Col2Im is the exact transpose of that linear map: it ADDS every column entry back onto the
// pixel it was read from (pixels seen by several taps receive the sum), which is the input
// gradient of the convolution; padding entries are dropped.
//
// Per (row, oh) the valid ow range is computed once, so the inner loops have no bounds tests:
// padding is cleared with span fills and, for stride 1, the valid run is a contiguous span copy
// (or add). Channels are independent (col2im of channel c only writes channel c), so both
// directions parallelise over channels. 1-D variants are the 2-D kernels with H = kh = 1.
// Column rows may be spaced wider than one image's positions (columnStride), so a batch of images can
// be lowered side by side into one (K, images·P) matrix and multiplied by a single GEMM.

using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Pipeline.Models.Kernels;

/// <summary>im2col / col2im lowering of 1-D and 2-D convolutions (NCHW / NCL, one image at a time).</summary>
public static unsafe class Im2Col
{
    /// <summary>Below this many column entries one thread is faster than a fork/join.</summary>
    private const long ParallelThreshold = 1 << 16;

    /// <summary>
    /// Output length of a convolution along one axis: ⌊(input + 2·pad − dilation·(kernel − 1) − 1) / stride⌋ + 1.
    /// </summary>
    /// <exception cref="ArgumentException">A parameter is out of range or the dilated kernel does not fit the padded input.</exception>
    public static int OutputSize(int input, int kernel, int stride, int pad, int dilation)
    {
        if (input < 0) throw new ArgumentException($"input size must be non-negative, but was {input}.", nameof(input));
        if (kernel < 1) throw new ArgumentException($"kernel size must be at least 1, but was {kernel}.", nameof(kernel));
        if (stride < 1) throw new ArgumentException($"stride must be at least 1, but was {stride}.", nameof(stride));
        if (pad < 0) throw new ArgumentException($"pad must be non-negative, but was {pad}.", nameof(pad));
        if (dilation < 1) throw new ArgumentException($"dilation must be at least 1, but was {dilation}.", nameof(dilation));
        long span = (long)dilation * (kernel - 1) + 1;
        long padded = (long)input + 2L * pad;
        if (span > padded)
            throw new ArgumentException($"the dilated kernel spans {span} elements but the padded input has only {padded}.", nameof(kernel));
        return (int)((padded - span) / stride + 1);
    }

    /// <summary>
    /// Lowers one image (<paramref name="channels"/>, <paramref name="height"/>, <paramref name="width"/>) into
    /// <paramref name="columns"/> of shape (channels·kernelH·kernelW, outH·outW), overwriting it.
    /// </summary>
    public static void Im2Col2d(ReadOnlySpan<float> image, int channels, int height, int width, int kernelH, int kernelW,
        int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, Span<float> columns)
    {
        var g = Geometry.Create(channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW,
            image.Length, columns.Length, nameof(image), nameof(columns));
        fixed (float* pi = image)
        fixed (float* pc = columns)
        {
            Run(new Job { G = g, Image = pi, Columns = pc, Accumulate = false });
        }
    }

    /// <summary>
    /// As <see cref="Im2Col2d(ReadOnlySpan{float}, int, int, int, int, int, int, int, int, int, int, int, Span{float})"/>, but
    /// column row r starts at r·<paramref name="columnStride"/> (≥ outH·outW): several images can be lowered side by
    /// side into one (K, images·P) matrix so that a single GEMM serves them all.
    /// </summary>
    public static void Im2Col2d(ReadOnlySpan<float> image, int channels, int height, int width, int kernelH, int kernelW,
        int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, Span<float> columns, int columnStride)
    {
        var g = Geometry.Create(channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW,
            image.Length, columns.Length, nameof(image), nameof(columns), columnStride);
        fixed (float* pi = image)
        fixed (float* pc = columns)
        {
            Run(new Job { G = g, Image = pi, Columns = pc, Accumulate = false });
        }
    }

    /// <summary>Adjoint of the strided <see cref="Im2Col2d(ReadOnlySpan{float}, int, int, int, int, int, int, int, int, int, int, int, Span{float}, int)"/>.</summary>
    public static void Col2Im2d(ReadOnlySpan<float> columns, int channels, int height, int width, int kernelH, int kernelW,
        int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, Span<float> image, int columnStride)
    {
        var g = Geometry.Create(channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW,
            image.Length, columns.Length, nameof(image), nameof(columns), columnStride);
        fixed (float* pi = image)
        fixed (float* pc = columns)
        {
            Run(new Job { G = g, Image = pi, Columns = pc, Accumulate = true });
        }
    }

    /// <summary>
    /// Adjoint of <see cref="Im2Col2d(ReadOnlySpan{float}, int, int, int, int, int, int, int, int, int, int, int, Span{float})"/>: ADDS every entry of <paramref name="columns"/> (channels·kernelH·kernelW,
    /// outH·outW) onto the pixel of <paramref name="image"/> (channels, height, width) it was gathered from.
    /// </summary>
    public static void Col2Im2d(ReadOnlySpan<float> columns, int channels, int height, int width, int kernelH, int kernelW,
        int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, Span<float> image)
    {
        var g = Geometry.Create(channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW,
            image.Length, columns.Length, nameof(image), nameof(columns));
        fixed (float* pi = image)
        fixed (float* pc = columns)
        {
            Run(new Job { G = g, Image = pi, Columns = pc, Accumulate = true });
        }
    }

    /// <summary>Lowers one sequence (<paramref name="channels"/>, <paramref name="length"/>) into columns (channels·kernel, outL).</summary>
    public static void Im2Col1d(ReadOnlySpan<float> input, int channels, int length, int kernel, int stride, int pad, int dilation,
        Span<float> columns)
        => Im2Col2d(input, channels, 1, length, 1, kernel, 1, stride, 0, pad, 1, dilation, columns);

    /// <summary>Adjoint of <see cref="Im2Col1d(ReadOnlySpan{float}, int, int, int, int, int, int, Span{float})"/>: adds columns (channels·kernel, outL) back onto (channels, length).</summary>
    public static void Col2Im1d(ReadOnlySpan<float> columns, int channels, int length, int kernel, int stride, int pad, int dilation,
        Span<float> input)
        => Col2Im2d(columns, channels, 1, length, 1, kernel, 1, stride, 0, pad, 1, dilation, input);

    /// <summary>Strided form of <see cref="Im2Col1d(ReadOnlySpan{float}, int, int, int, int, int, int, Span{float})"/>: column row r starts at r·<paramref name="columnStride"/>.</summary>
    public static void Im2Col1d(ReadOnlySpan<float> input, int channels, int length, int kernel, int stride, int pad, int dilation,
        Span<float> columns, int columnStride)
        => Im2Col2d(input, channels, 1, length, 1, kernel, 1, stride, 0, pad, 1, dilation, columns, columnStride);

    /// <summary>Strided form of <see cref="Col2Im1d(ReadOnlySpan{float}, int, int, int, int, int, int, Span{float})"/>.</summary>
    public static void Col2Im1d(ReadOnlySpan<float> columns, int channels, int length, int kernel, int stride, int pad, int dilation,
        Span<float> input, int columnStride)
        => Col2Im2d(columns, channels, 1, length, 1, kernel, 1, stride, 0, pad, 1, dilation, input, columnStride);

    private static void Run(Job job)
    {
        long entries = (long)job.G.Channels * job.G.KernelH * job.G.KernelW * job.G.OutH * job.G.OutW;
        if (entries < ParallelThreshold || job.G.Channels < 2)
        {
            for (int c = 0; c < job.G.Channels; c++)
                job.Invoke(c);
        }
        else
        {
            Parallelism.For(job.G.Channels, ref job);
        }
    }

    /// <summary>Output rows at most this wide are copied inline rather than through Span helpers.</summary>
    private const int SmallRow = 64;

    /// <summary>
    /// One lowered row: dst[i] = src[i·stride] for lo &lt;= i &lt; hi and 0 for the other i &lt; outW (src may point
    /// before the input row: only the valid i are read). Shared by the explicit lowering and the packed one
    /// (Im2ColPackedB).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]   // called per 8–32-float row; a call each cost 13% of the encoder step
    internal static void GatherRow(float* dst, float* src, int lo, int hi, int outW, int stride)
    {
        // Rows of a small feature map (32 or 16 wide in the encoder) are too short for Span calls (clear,
        // memmove, clear) to pay off: they dominated the lowering. Zero and copy them with plain moves.
        bool small = outW <= SmallRow;
        int ow = 0;
        if (small) for (; ow < lo; ow++) dst[ow] = 0f;
        else { new Span<float>(dst, lo).Clear(); ow = lo; }
        if (stride == 1)
        {
            if (small)
            {
                if (Vector512.IsHardwareAccelerated)
                    for (; ow + 16 <= hi; ow += 16) Vector512.Load(src + ow).Store(dst + ow);
                if (Vector256.IsHardwareAccelerated)
                    for (; ow + 8 <= hi; ow += 8) Vector256.Load(src + ow).Store(dst + ow);
                for (; ow < hi; ow++) dst[ow] = src[ow];
            }
            else
            {
                new ReadOnlySpan<float>(src + lo, hi - lo).CopyTo(new Span<float>(dst + lo, hi - lo));
                ow = hi;
            }
        }
        else
        {
            if (stride == 2 && Vector256.IsHardwareAccelerated)
            {
                // Stride 2 (every downsampling 3×3 conv): deinterleave the even pixels of 16 inputs per
                // 8 outputs with two lane permutes. `ow + 8 < hi` keeps the 16-float load inside the
                // valid input run (its last element is before pixel 2·(hi − 1)).
                var evenFirst = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
                for (; ow + 8 < hi; ow += 8)
                {
                    float* p = src + (nint)ow * 2;
                    var first = Vector256.Shuffle(Vector256.Load(p), evenFirst);
                    var second = Vector256.Shuffle(Vector256.Load(p + 8), evenFirst);
                    Vector256.Create(first.GetLower(), second.GetLower()).Store(dst + ow);
                }
            }
            for (; ow < hi; ow++)
                dst[ow] = src[(nint)ow * stride];
        }
        if (small) for (; ow < outW; ow++) dst[ow] = 0f;
        else new Span<float>(dst + hi, outW - hi).Clear();
    }

    /// <summary>Validated shape parameters shared by both directions.</summary>
    private struct Geometry
    {
        public int Channels, Height, Width, KernelH, KernelW, StrideH, StrideW, PadH, PadW, DilationH, DilationW, OutH, OutW;
        /// <summary>Distance between the starts of consecutive column rows (outH·outW when packed).</summary>
        public nint ColumnStride;

        public static Geometry Create(int channels, int height, int width, int kernelH, int kernelW, int strideH, int strideW,
            int padH, int padW, int dilationH, int dilationW, int imageLength, int columnsLength, string imageName, string columnsName,
            int columnStride = 0)
        {
            if (channels < 0) throw new ArgumentException($"channels must be non-negative, but was {channels}.", nameof(channels));
            int outH = OutputSize(height, kernelH, strideH, padH, dilationH);
            int outW = OutputSize(width, kernelW, strideW, padW, dilationW);
            long imageNeed = (long)channels * height * width;
            if (imageLength < imageNeed)
                throw new ArgumentException($"{imageName} must hold channels·height·width = {imageNeed} elements, but its length was {imageLength}.", imageName);
            long positions = (long)outH * outW;
            if (columnStride == 0) columnStride = (int)positions;
            if (columnStride < positions)
                throw new ArgumentException($"column stride {columnStride} is shorter than a column row of outH·outW = {positions} elements.", nameof(columnStride));
            long rows = (long)channels * kernelH * kernelW;
            long columnsNeed = rows == 0 ? 0 : (rows - 1) * columnStride + positions;
            if (columnsLength < columnsNeed)
                throw new ArgumentException($"{columnsName} must hold {rows} column rows of {positions} elements {columnStride} apart = {columnsNeed} elements, but its length was {columnsLength}.", columnsName);
            return new Geometry
            {
                Channels = channels, Height = height, Width = width, KernelH = kernelH, KernelW = kernelW, StrideH = strideH,
                StrideW = strideW, PadH = padH, PadW = padW, DilationH = dilationH, DilationW = dilationW, OutH = outH, OutW = outW,
                ColumnStride = columnStride,
            };
        }
    }

    /// <summary>All column rows of one channel, in either direction.</summary>
    private struct Job : IParallelBody
    {
        public Geometry G;
        public float* Image, Columns;
        public bool Accumulate;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly void Invoke(int channel)
        {
            int outW = G.OutW, width = G.Width;
            nint plane = (nint)G.Height * width;
            nint rowStride = G.ColumnStride;
            float* img = Image + channel * plane;
            float* col = Columns + (nint)channel * G.KernelH * G.KernelW * rowStride;
            for (int ki = 0; ki < G.KernelH; ki++)
            {
                for (int kj = 0; kj < G.KernelW; kj++, col += rowStride)
                {
                    int offW = kj * G.DilationW - G.PadW;
                    // Valid outputs satisfy 0 <= ow·sW + offW < width.
                    int owLo = Math.Min(outW, CeilDiv(Math.Max(0, -offW), G.StrideW));
                    int owHi = Math.Max(owLo, Math.Min(outW, CeilDiv(width - offW, G.StrideW)));
                    float* colRow = col;
                    for (int oh = 0; oh < G.OutH; oh++, colRow += outW)
                    {
                        int ih = oh * G.StrideH - G.PadH + ki * G.DilationH;
                        if ((uint)ih >= (uint)G.Height)
                        {
                            if (!Accumulate)
                                new Span<float>(colRow, outW).Clear();
                            continue;
                        }
                        float* src = img + (nint)ih * width + offW;
                        if (Accumulate)
                            AddRow(colRow, src, owLo, owHi, G.StrideW);
                        else
                            GatherRow(colRow, src, owLo, owHi, outW, G.StrideW);
                    }
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void AddRow(float* col, float* dst, int lo, int hi, int stride)
        {
            if (stride == 1)
            {
                var target = new Span<float>(dst + lo, hi - lo);
                TensorPrimitives.Add(target, new ReadOnlySpan<float>(col + lo, hi - lo), target);
            }
            else
            {
                for (int ow = lo; ow < hi; ow++)
                {
                    Debug.Assert(ow * stride >= 0);
                    dst[(nint)ow * stride] += col[ow];
                }
            }
        }

        private static int CeilDiv(int value, int divisor) => value <= 0 ? -(-value / divisor) : (value + divisor - 1) / divisor;
    }
}
