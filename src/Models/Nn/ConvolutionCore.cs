// Shared engine of Conv1d and Conv2d: convolution as im2col + SGEMM over groups of images (Conv2d's
// forward passes its geometry, and the SGEMM then gathers the columns while packing: Im2ColPackedB).
// Images are lowered side by side: for a group of G images, cols = [im2col(x[n₁]) … im2col(x[n_G])]
// is one (K, G·P) matrix (K = C·kernel elements, P = output positions per image), so
//               Y = W·cols + b               (O, G·P)   W viewed as (O, K), then scattered to y[n] (O, P)
// Backward:     dW += dY·colsᵀ,  dcols = Wᵀ·dY,  dx[n] += col2im(dcols[:, n-th block]),  db += Σ_P dY[n]
// with dY the group's output gradients gathered side by side the same way.
// Why groups: one GEMM per image has N = P columns, only 64 for the last layers of a small encoder,
// and repacks W for every image; a group GEMM has N = G·P and packs W once. G is chosen from the
// shapes alone (the columns of a group fit a fixed budget), never from the thread count, so results
// do not depend on the machine. Parallelism comes from the SGEMM and the channel-parallel im2col.
using System.Numerics.Tensors;
using Pipeline.Models.Autograd;
using Pipeline.Models.Kernels;
using Pipeline.Models.Tensors;
using Tensor = Pipeline.Models.Tensors.Tensor;

namespace Pipeline.Models.Nn;

/// <summary>
/// Unfolds one image into columns, or (adjoint) accumulates columns into one image; column row r starts at
/// r·<paramref name="columnStride"/> of the column span.
/// </summary>
internal delegate void ColumnTransform(ReadOnlySpan<float> source, Span<float> destination, int columnStride);

internal static class ConvolutionCore
{
    /// <summary>Output length along one axis; an input smaller than the dilated kernel is a shape error naming <paramref name="op"/>.</summary>
    public static int OutputSize(string op, int input, int kernel, int stride, int padding, int dilation)
    {
        long span = (long)dilation * (kernel - 1) + 1;
        if (span > input + 2L * padding)
            throw new Pipeline.Models.Tensors.ShapeMismatchException(op, $"input length {input} (+2x{padding} padding) is smaller than the dilated kernel span {span} (kernel {kernel}, dilation {dilation})");
        return Im2Col.OutputSize(input, kernel, stride, padding, dilation);
    }

    /// <summary>Convolution forward with its recorded backward.</summary>
    /// <param name="op">Op name for the tape and errors.</param>
    /// <param name="input">(N, C, spatial...) input.</param>
    /// <param name="weight">(O, C, kernel...) weight.</param>
    /// <param name="bias">(O) or null.</param>
    /// <param name="outShape">(N, O, out spatial...).</param>
    /// <param name="columnRows">K = C·kernel elements.</param>
    /// <param name="positions">P = output positions per image.</param>
    /// <param name="im2col">Unfolds one image into (K, P) columns.</param>
    /// <param name="col2im">Accumulates (K, P) columns into one image (adjoint of im2col).</param>
    /// <param name="epilogue">Inference only: per-output-channel affine (+ReLU) applied to each group's rows while they are in cache.</param>
    /// <param name="geometry">2-D lowering shape; when given, the forward gathers columns inside the GEMM's packing instead of calling <paramref name="im2col"/>.</param>
    public static Tensor Run(string op, Tensor input, Tensor weight, Tensor? bias, int[] outShape, int columnRows, int positions,
        ColumnTransform im2col, ColumnTransform col2im, ChannelAffine? epilogue = null, ConvGeometry? geometry = null)
    {
        if (epilogue is { } e && (e.Scale.Length != weight.Shape[0] || e.Shift.Length != weight.Shape[0]))
            throw new ShapeMismatchException(op, $"epilogue has {e.Scale.Length} scales and {e.Shift.Length} shifts for {weight.Shape[0]} output channels");
        if (epilogue is not null && GradMode.IsEnabled && (input.RequiresGrad || weight.RequiresGrad || (bias?.RequiresGrad ?? false)))
            throw new InvalidOperationException($"{op}: the fused inference epilogue records no gradient; run it under GradMode.NoGrad() or with tensors that need none.");
        int batch = input.Shape[0], outChannels = weight.Shape[0];
        int imageSize = input.Length / Math.Max(batch, 1), outSize = outChannels * positions;
        int group = GroupSize(batch, columnRows, positions);
        var y = Tensor.Uninitialized(outShape);
        // With a 2-D geometry the columns are gathered by the GEMM's packing (implicit im2col, see
        // Im2ColPackedB) and never materialised; otherwise they are lowered into `cols` first.
        var cols = geometry is null ? BufferPool.Rent(columnRows * group * positions) : null;   // (K, G·P)
        var product = BufferPool.Rent(outChannels * group * positions);             // (O, G·P)
        for (int first = 0; first < batch; first += group)
        {
            int count = Math.Min(group, batch - first), width = count * positions;
            if (cols is not null)
                for (int j = 0; j < count; j++)
                    im2col(input.Data.Slice((first + j) * imageSize, imageSize), cols.AsSpan(j * positions), width);
            var yd = y.Data;
            if (count == 1)
            {
                // A group of one image: the GEMM writes straight into y[n], no scatter copy.
                var yn = yd.Slice(first * outSize, outSize);                        // (O, P)
                Lowered(weight, input, geometry, first, count, cols, outChannels, width, columnRows, yn);
                if (bias is not null)
                    for (int o = 0; o < outChannels; o++) TensorPrimitives.Add(yn.Slice(o * positions, positions), bias.Data[o], yn.Slice(o * positions, positions));
                if (epilogue is { } single)
                    for (int o = 0; o < outChannels; o++) single.Apply(o, yn.Slice(o * positions, positions), yn.Slice(o * positions, positions));
                continue;
            }
            Lowered(weight, input, geometry, first, count, cols, outChannels, width, columnRows, product);
            for (int j = 0; j < count; j++)
                for (int o = 0; o < outChannels; o++)
                {
                    var source = product.AsSpan(o * width + j * positions, positions);
                    var target = yd.Slice((first + j) * outSize + o * positions, positions);
                    if (bias is null) source.CopyTo(target);
                    else TensorPrimitives.Add(source, bias.Data[o], target);
                    epilogue?.Apply(o, target, target);
                }
        }
        BufferPool.Return(product);
        if (cols is not null) BufferPool.Return(cols);

        Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
        return y.Record(op, inputs, g =>
        {
            bool needCols = weight.RequiresGrad, needInput = input.RequiresGrad;
            var groupCols = needCols ? BufferPool.Rent(columnRows * group * positions) : null;   // (K, G·P)
            var dcols = needInput ? BufferPool.Rent(columnRows * group * positions) : null;      // (K, G·P)
            var dY = BufferPool.Rent(outChannels * group * positions);                           // (O, G·P)
            if (needInput) input.GradBuffer();
            for (int first = 0; first < batch; first += group)
            {
                int count = Math.Min(group, batch - first), width = count * positions;
                var gd = g.Data;
                // One image: its (O, P) gradient already is the group matrix; otherwise gather side by side.
                ReadOnlySpan<float> groupGrad = count == 1 ? gd.Slice(first * outSize, outSize) : dY;
                if (count > 1)
                    for (int j = 0; j < count; j++)
                        for (int o = 0; o < outChannels; o++)
                            gd.Slice((first + j) * outSize + o * positions, positions).CopyTo(dY.AsSpan(o * width + j * positions, positions));
                if (groupCols is not null)
                {
                    for (int j = 0; j < count; j++)
                        im2col(input.Data.Slice((first + j) * imageSize, imageSize), groupCols.AsSpan(j * positions), width);
                    Sgemm.Multiply(false, true, outChannels, columnRows, width, 1f, groupGrad, width, groupCols, width, 1f, weight.GradBuffer(), columnRows);
                }
                if (dcols is not null)
                {
                    Sgemm.Multiply(true, false, columnRows, width, outChannels, 1f, weight.Data, columnRows, groupGrad, width, 0f, dcols, width);
                    var gx = input.Grad!.Data;
                    for (int j = 0; j < count; j++)
                        col2im(dcols.AsSpan(j * positions), gx.Slice((first + j) * imageSize, imageSize), width);
                }
            }
            BufferPool.Return(dY);
            if (dcols is not null) BufferPool.Return(dcols);
            if (groupCols is not null) BufferPool.Return(groupCols);
            if (bias is not null && bias.RequiresGrad)
            {
                var gb = bias.GradBuffer();
                for (int n = 0; n < batch; n++)
                    for (int o = 0; o < outChannels; o++) gb[o] += TensorPrimitives.Sum(g.Data.Slice(n * outSize + o * positions, positions));
            }
        });
    }

    /// <summary>
    /// output (O, width) = W (O, K) · cols (K, width) for images [first, first + count): from the lowered
    /// <paramref name="cols"/>, or with the columns gathered during packing when <paramref name="geometry"/> is known.
    /// </summary>
    private static unsafe void Lowered(Tensor weight, Tensor input, ConvGeometry? geometry, int first, int count, float[]? cols,
        int outChannels, int width, int columnRows, Span<float> output)
    {
        if (geometry is { } g)
        {
            fixed (float* images = input.Data)
            {
                var source = new Im2ColPackedB(g, images + (nint)first * g.ImageSize, count);
                Sgemm.MultiplyFromSource(outChannels, width, columnRows, 1f, weight.Data, columnRows, ref source, 0f, output, width);
            }
            return;
        }
        Sgemm.Multiply(false, false, outChannels, width, columnRows, 1f, weight.Data, columnRows, cols, width, 0f, output, width);
    }

    /// <summary>
    /// Upper bound on the column matrix of one group (floats): 256 Ki = 1 MB, so the columns im2col writes are
    /// still in cache when the GEMM reads them (a 16 MB budget measured slower on the conv encoder).
    /// </summary>
    internal const int ColumnBudget = 1 << 18;

    /// <summary>Images per GEMM: as many as fit <see cref="ColumnBudget"/>, at least one.</summary>
    internal static int GroupSize(int batch, int columnRows, int positions)
    {
        long perImage = Math.Max(1L, (long)columnRows * positions);
        return (int)Math.Clamp(ColumnBudget / perImage, 1, Math.Max(1, batch));
    }
}
