// Max pooling on channel-blocked activations (BlockedLayout, 16 lanes): each output pixel is the lane-wise
// maximum of the input vectors under its window, so one pixel's 16 channels take one vector max per tap.
// Windows are clipped to the interior (padding never wins, whatever the sign of the input), and the max is
// IEEE maximum (Vector512.Max: a NaN anywhere in the window propagates, as Functional.MaxPool2d does).
// Inference only: no arg-max is kept. Work items are (image, channel block, output row).
// Shape key: N = batch, CB = channel blocks, k = window, s = stride, p = padding.
using System.Runtime.Intrinsics;

namespace Pipeline.Models.Kernels;

/// <summary>k×k max pooling with stride and padding on 16-lane blocked buffers.</summary>
internal static unsafe class BlockedMaxPool
{
    /// <summary>Output side for an input side, window, stride and padding (floor mode).</summary>
    public static int OutputSize(int input, int kernel, int stride, int padding) => (input + 2 * padding - kernel) / stride + 1;

    /// <summary>Writes the interior of <paramref name="output"/>; its border is untouched.</summary>
    public static void Forward(int kernel, int stride, int padding, BlockedLayout inLayout, float* input, BlockedLayout outLayout, float* output)
    {
        if (inLayout.Lanes != BlockedLayout.VectorLanes || outLayout.Lanes != BlockedLayout.VectorLanes || inLayout.Channels != outLayout.Channels
            || inLayout.Batch != outLayout.Batch || outLayout.Height != OutputSize(inLayout.Height, kernel, stride, padding)
            || outLayout.Width != OutputSize(inLayout.Width, kernel, stride, padding) || 2 * padding > kernel)
            throw new ArgumentException($"blocked max pool: {inLayout} → {outLayout} does not match window {kernel}, stride {stride}, padding {padding}.");
        var job = new Job { Kernel = kernel, Stride = stride, Padding = padding, In = inLayout, Input = input, Out = outLayout, Output = output };
        Parallelism.For(outLayout.Batch * outLayout.Blocks * outLayout.Height, ref job);
    }

    private struct Job : IParallelBody
    {
        public int Kernel, Stride, Padding;
        public BlockedLayout In, Out;
        public float* Input, Output;

        public readonly void Invoke(int index)
        {
            int oy = index % Out.Height, plane = index / Out.Height;
            int image = plane / Out.Blocks, block = plane % Out.Blocks;
            int y0 = Math.Max(0, oy * Stride - Padding), y1 = Math.Min(In.Height, oy * Stride - Padding + Kernel);
            float* rowIn = Input + In.Offset(image, block, 0, 0);
            float* dst = Output + Out.Offset(image, block, oy, 0);
            for (int ox = 0; ox < Out.Width; ox++, dst += BlockedLayout.VectorLanes)
            {
                int x0 = Math.Max(0, ox * Stride - Padding), x1 = Math.Min(In.Width, ox * Stride - Padding + Kernel);
                var best = Vector512.Create(float.NegativeInfinity);
                for (int y = y0; y < y1; y++)
                {
                    float* p = rowIn + (nint)y * In.RowStride + x0 * BlockedLayout.VectorLanes;
                    for (int x = x0; x < x1; x++, p += BlockedLayout.VectorLanes)
                        best = Vector512.Max(best, Vector512.Load(p));
                }
                best.Store(dst);
            }
        }
    }
}
