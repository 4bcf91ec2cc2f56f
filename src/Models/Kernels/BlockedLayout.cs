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
    public unsafe void ClearBorder(float* buffer)
    {
        for (int plane = 0; plane < Batch * Blocks; plane++) ClearPlaneBorder(buffer + (nint)plane * BlockStride);
    }

    /// <summary>(N, C, H, W) → this layout (border and unused lanes are written as zeros). Planes in parallel.</summary>
    public unsafe void FromNchw(ReadOnlySpan<float> source, float* destination)
    {
        Debug.Assert(source.Length == Batch * Channels * Height * Width);
        fixed (float* src = source)
        {
            var job = new Reorder { Layout = this, Blocked = destination, Nchw = src, Direction = ReorderDirection.ToBlocked };
            Parallelism.For(Batch * Blocks, ref job);
        }
    }

    /// <summary>This layout's interior → (N, C, H, W). Planes in parallel.</summary>
    public unsafe void ToNchw(float* source, Span<float> destination)
    {
        Debug.Assert(destination.Length == Batch * Channels * Height * Width);
        fixed (float* dst = destination)
        {
            var job = new Reorder { Layout = this, Blocked = source, Nchw = dst, Direction = ReorderDirection.ToNchw, Step = 1 };
            Parallelism.For(Batch * Blocks, ref job);
        }
    }

    /// <summary>
    /// Adds this layout's interior to every <paramref name="step"/>-th pixel of a (N, C, fullHeight, fullWidth) tensor,
    /// starting at (<paramref name="rowPhase"/>, <paramref name="columnPhase"/>): destination[n, c, step·y + rowPhase, step·x + columnPhase] += this[n, c, y, x].
    /// How the phases of a transposed convolution (DirectConvInputGradient) are interleaved into an input gradient.
    /// </summary>
    public unsafe void AddToNchw(float* source, Span<float> destination, int fullHeight, int fullWidth, int step, int rowPhase, int columnPhase)
    {
        if (step < 1 || rowPhase < 0 || columnPhase < 0 || (Height > 0 && step * (Height - 1) + rowPhase >= fullHeight) || (Width > 0 && step * (Width - 1) + columnPhase >= fullWidth))
            throw new ArgumentException($"blocked layout: {Height}x{Width} pixels at step {step} from ({rowPhase}, {columnPhase}) do not fit {fullHeight}x{fullWidth}.");
        if (destination.Length != (long)Batch * Channels * fullHeight * fullWidth)
            throw new ArgumentException($"blocked layout: the destination has {destination.Length} floats, not {Batch}x{Channels}x{fullHeight}x{fullWidth}.");
        fixed (float* dst = destination)
        {
            var job = new Reorder
            {
                Layout = this, Blocked = source, Nchw = dst, Direction = ReorderDirection.AddToNchw,
                FullHeight = fullHeight, FullWidth = fullWidth, Step = step, RowPhase = rowPhase, ColumnPhase = columnPhase,
            };
            Parallelism.For(Batch * Blocks, ref job);
        }
    }

    private enum ReorderDirection { ToBlocked, ToNchw, AddToNchw }

    /// <summary>One (image, block) plane of a reorder: the L channel rows of one block against one pixel row of L lanes.</summary>
    private unsafe struct Reorder : IParallelBody
    {
        public BlockedLayout Layout;
        public float* Blocked, Nchw;
        public ReorderDirection Direction;
        public int FullHeight, FullWidth, Step, RowPhase, ColumnPhase;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // called a few times per forward: never hot enough to tier up
        public readonly void Invoke(int plane)
        {
            var l = Layout;
            int image = plane / l.Blocks, block = plane % l.Blocks;
            if (Direction == ReorderDirection.ToBlocked) l.ClearPlaneBorder(Blocked + (nint)plane * l.BlockStride);
            bool add = Direction == ReorderDirection.AddToNchw;
            bool dense = !add || (Step == 1 && FullHeight == l.Height && FullWidth == l.Width);
            if (dense && l.Lanes == VectorLanes && (block + 1) * VectorLanes <= l.Channels && Transpose16.IsSupported)
            {
                // 16 channel rows against 16-pixel runs, transposed in registers; a border-free plane is one run of H·W pixels.
                nint planeSize = (nint)l.Height * l.Width;
                float* nchw = Nchw + ((nint)image * l.Channels + block * VectorLanes) * planeSize;
                float* blocked = Blocked + l.Offset(image, block, 0, 0);
                if (l.Border == 0) Segment(blocked, nchw, (int)planeSize, planeSize);
                else
                    for (int y = 0; y < l.Height; y++) Segment(blocked + (nint)y * l.RowStride, nchw + (nint)y * l.Width, l.Width, planeSize);
                return;
            }
            Scalar(image, block);
        }

        /// <summary>One run of <paramref name="pixels"/> pixels of a full 16-lane block, 16 at a time, the rest one by one.</summary>
        private readonly void Segment(float* blocked, float* nchw, int pixels, nint planeSize)
        {
            int x = 0;
            for (; x + VectorLanes <= pixels; x += VectorLanes)
            {
                float* b = blocked + (nint)x * VectorLanes, n = nchw + x;
                switch (Direction)
                {
                    case ReorderDirection.ToBlocked: Transpose16.Block(n, planeSize, b, VectorLanes); break;
                    case ReorderDirection.ToNchw: Transpose16.Block(b, VectorLanes, n, planeSize); break;
                    default: Transpose16.BlockAdd(b, VectorLanes, n, planeSize); break;
                }
            }
            for (; x < pixels; x++)
                for (int lane = 0; lane < VectorLanes; lane++)
                {
                    float* b = blocked + (nint)x * VectorLanes + lane, n = nchw + lane * planeSize + x;
                    switch (Direction)
                    {
                        case ReorderDirection.ToBlocked: *b = *n; break;
                        case ReorderDirection.ToNchw: *n = *b; break;
                        default: *n += *b; break;
                    }
                }
        }

        /// <summary>Any lane count, partial blocks and strided adds: element by element.</summary>
        private readonly void Scalar(int image, int block)
        {
            var l = Layout;
            int lanes = l.Lanes, width = l.Width;
            int height = Direction == ReorderDirection.AddToNchw ? FullHeight : l.Height, rowWidth = Direction == ReorderDirection.AddToNchw ? FullWidth : width;
            for (int lane = 0; lane < lanes; lane++)
            {
                int channel = block * lanes + lane;
                float* blocked = Blocked + l.Offset(image, block, 0, 0) + lane;
                if (channel >= l.Channels)
                {
                    if (Direction == ReorderDirection.ToBlocked)
                        for (int y = 0; y < l.Height; y++)
                            for (int x = 0; x < width; x++) blocked[(nint)y * l.RowStride + x * lanes] = 0f;
                    continue;
                }
                float* nchw = Nchw + ((nint)image * l.Channels + channel) * height * rowWidth;
                for (int y = 0; y < l.Height; y++)
                {
                    float* b = blocked + (nint)y * l.RowStride;
                    switch (Direction)
                    {
                        case ReorderDirection.ToBlocked:
                            for (int x = 0; x < width; x++) b[x * lanes] = nchw[(nint)y * width + x];
                            break;
                        case ReorderDirection.ToNchw:
                            for (int x = 0; x < width; x++) nchw[(nint)y * width + x] = b[x * lanes];
                            break;
                        default:
                            float* row = nchw + (nint)(Step * y + RowPhase) * rowWidth + ColumnPhase;
                            for (int x = 0; x < width; x++) row[(nint)x * Step] += b[x * lanes];
                            break;
                    }
                }
            }
        }
    }

    /// <summary>Zeros the border of one (image, block) plane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void ClearPlaneBorder(float* p)
    {
        if (Border == 0) return;
        int rowStride = RowStride, side = Border * Lanes;
        new Span<float>(p, Border * rowStride).Clear();                                          // top rows
        new Span<float>(p + (nint)(Border + Height) * rowStride, Border * rowStride).Clear();     // bottom rows
        for (int y = 0; y < Height; y++)
        {
            float* row = p + (nint)(Border + y) * rowStride;
            new Span<float>(row, side).Clear();                                                   // left columns
            new Span<float>(row + rowStride - side, side).Clear();                                // right columns
        }
    }
}
