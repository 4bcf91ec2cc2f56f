// PLACEHOLDER until the real im2col kernels land from their branch: same API, naive loops.
// Columns layout: row r = (c, ky, kx) flattened (C·kh·kw rows), column = (oy, ox) flattened (outH·outW).
namespace Pipeline.Models.Kernels;

/// <summary>Image ↔ column unfolding for convolution as a matrix product.</summary>
public static class Im2Col
{
    /// <summary>Output length of a convolution/pooling window sweep along one axis.</summary>
    public static int OutputSize(int input, int kernel, int stride, int padding, int dilation)
        => (input + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;

    /// <summary>Unfolds one (C, H, W) image into (C·kh·kw, outH·outW) columns (zeros where padded).</summary>
    public static void Im2Col2d(ReadOnlySpan<float> image, int channels, int height, int width, int kernelH, int kernelW,
        int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, Span<float> columns)
    {
        int oh = OutputSize(height, kernelH, strideH, padH, dilationH), ow = OutputSize(width, kernelW, strideW, padW, dilationW);
        for (int c = 0; c < channels; c++)
            for (int ky = 0; ky < kernelH; ky++)
                for (int kx = 0; kx < kernelW; kx++)
                {
                    int row = (c * kernelH + ky) * kernelW + kx;
                    for (int y = 0; y < oh; y++)
                        for (int x = 0; x < ow; x++)
                        {
                            int iy = y * strideH - padH + ky * dilationH, ix = x * strideW - padW + kx * dilationW;
                            columns[row * oh * ow + y * ow + x] = (uint)iy < (uint)height && (uint)ix < (uint)width ? image[(c * height + iy) * width + ix] : 0f;
                        }
                }
    }

    /// <summary>Adjoint of <see cref="Im2Col2d"/>: ACCUMULATES columns back into the (C, H, W) image.</summary>
    public static void Col2Im2d(ReadOnlySpan<float> columns, int channels, int height, int width, int kernelH, int kernelW,
        int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, Span<float> image)
    {
        int oh = OutputSize(height, kernelH, strideH, padH, dilationH), ow = OutputSize(width, kernelW, strideW, padW, dilationW);
        for (int c = 0; c < channels; c++)
            for (int ky = 0; ky < kernelH; ky++)
                for (int kx = 0; kx < kernelW; kx++)
                {
                    int row = (c * kernelH + ky) * kernelW + kx;
                    for (int y = 0; y < oh; y++)
                        for (int x = 0; x < ow; x++)
                        {
                            int iy = y * strideH - padH + ky * dilationH, ix = x * strideW - padW + kx * dilationW;
                            if ((uint)iy < (uint)height && (uint)ix < (uint)width)
                                image[(c * height + iy) * width + ix] += columns[row * oh * ow + y * ow + x];
                        }
                }
    }

    /// <summary>Unfolds one (C, L) sequence into (C·k, outL) columns.</summary>
    public static void Im2Col1d(ReadOnlySpan<float> input, int channels, int length, int kernel, int stride, int padding, int dilation, Span<float> columns)
        => Im2Col2d(input, channels, 1, length, 1, kernel, 1, stride, 0, padding, 1, dilation, columns);

    /// <summary>Adjoint of <see cref="Im2Col1d"/>: ACCUMULATES into the (C, L) input.</summary>
    public static void Col2Im1d(ReadOnlySpan<float> columns, int channels, int length, int kernel, int stride, int padding, int dilation, Span<float> input)
        => Col2Im2d(columns, channels, 1, length, 1, kernel, 1, stride, 0, padding, 1, dilation, input);
}
