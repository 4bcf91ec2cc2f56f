// Channel-blocked activations with a zero border, the layout of the direct convolution (DirectConv2d):
//   (N, C, H, W) → (N, CB, H + 2·border, W + 2·border, L)     CB = ⌈C / L⌉ channel blocks of L lanes
// Lane l of block b holds channel b·L + l (lanes past C are zero). One pixel's L channels are contiguous,
// so a convolution multiplies a broadcast input value by a vector of L output channels' weights without
// gathering anything (the NCHW16c layout of oneDNN and ONNX Runtime's NCHWc transformer). The border of
// zeros is the convolution's padding, written once per buffer, so the kernels never test bounds.
// L is 16 (one AVX-512 vector) inside a network; an image with 3 channels is one block of 3 lanes.
// Shape key: N = batch, C = channels, CB = channel blocks, L = lanes, H/W = height/width.
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Pipeline.Models.Kernels;

/// <summary>Geometry of a channel-blocked, zero-bordered activation buffer.</summary>
/// <param name="Batch">Images N.</param>
/// <param name="Channels">Real channels C (the last block may have unused lanes).</param>
/// <param name="Lanes">Channels per block L.</param>
/// <param name="Height">Interior height H.</param>
/// <param name="Width">Interior width W.</param>
/// <param name="Border">Zero rows/columns on every side.</param>
internal readonly record struct BlockedLayout(int Batch, int Channels, int Lanes, int Height, int Width, int Border)
{
    /// <summary>Lanes of the blocks inside a network: one AVX-512 vector of floats.</summary>
    public const int VectorLanes = 16;

    /// <summary>Channel blocks CB.</summary>
    public int Blocks => (Channels + Lanes - 1) / Lanes;

    /// <summary>Floats between horizontally adjacent pixels.</summary>
    public int PixelStride => Lanes;

    /// <summary>Floats between vertically adjacent pixels.</summary>
    public int RowStride => (Width + 2 * Border) * Lanes;

    /// <summary>Floats between channel blocks.</summary>
    public int BlockStride => (Height + 2 * Border) * RowStride;

    /// <summary>Floats between images.</summary>
    public int ImageStride => Blocks * BlockStride;

    /// <summary>Floats of the whole buffer (an <see cref="OverflowException"/> past the largest array a buffer can be).</summary>
    public int Length => checked(Batch * ImageStride);

    /// <summary>Offset of interior pixel (y, x) of block <paramref name="block"/> of image <paramref name="image"/> (y, x may reach into the border).</summary>
    public int Offset(int image, int block, int y, int x) => image * ImageStride + block * BlockStride + (y + Border) * RowStride + (x + Border) * Lanes;

    /// <summary>Writes zeros over the border of every (image, block) plane; the interior is left as it is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // called a few times per forward: never hot enough to tier up
    public unsafe void ClearBorder(float* buffer)
    {
        if (Border == 0) return;
        int rowStride = RowStride, fullRows = Border, interiorRows = Height, side = Border * Lanes;
        for (int plane = 0; plane < Batch * Blocks; plane++)
        {
            float* p = buffer + (nint)plane * BlockStride;
            new Span<float>(p, fullRows * rowStride).Clear();                                            // top rows
            new Span<float>(p + (nint)(fullRows + interiorRows) * rowStride, fullRows * rowStride).Clear();   // bottom rows
            for (int y = 0; y < interiorRows; y++)
            {
                float* row = p + (nint)(fullRows + y) * rowStride;
                new Span<float>(row, side).Clear();                                                      // left columns
                new Span<float>(row + rowStride - side, side).Clear();                                   // right columns
            }
        }
    }

    /// <summary>(N, C, H, W) → this layout's interior (border and unused lanes are written as zeros).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // called a few times per forward: never hot enough to tier up
    public unsafe void FromNchw(ReadOnlySpan<float> source, float* destination)
    {
        Debug.Assert(source.Length == Batch * Channels * Height * Width);
        new Span<float>(destination, Length).Clear();
        int plane = Height * Width;
        fixed (float* src = source)
        {
            for (int n = 0; n < Batch; n++)
                for (int c = 0; c < Channels; c++)
                {
                    float* from = src + ((nint)n * Channels + c) * plane;
                    float* to = destination + Offset(n, c / Lanes, 0, 0) + c % Lanes;
                    for (int y = 0; y < Height; y++, to += RowStride - Width * Lanes)
                        for (int x = 0; x < Width; x++, to += Lanes)
                            *to = *from++;
                }
        }
    }

    /// <summary>This layout's interior → (N, C, H, W).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // called a few times per forward: never hot enough to tier up
    public unsafe void ToNchw(float* source, Span<float> destination)
    {
        Debug.Assert(destination.Length == Batch * Channels * Height * Width);
        int plane = Height * Width;
        fixed (float* dst = destination)
        {
            for (int n = 0; n < Batch; n++)
                for (int c = 0; c < Channels; c++)
                {
                    float* to = dst + ((nint)n * Channels + c) * plane;
                    float* from = source + Offset(n, c / Lanes, 0, 0) + c % Lanes;
                    for (int y = 0; y < Height; y++, from += RowStride - Width * Lanes)
                        for (int x = 0; x < Width; x++, from += Lanes)
                            *to++ = *from;
                }
        }
    }
}
