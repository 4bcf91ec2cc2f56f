// Shared engine of Conv1d and Conv2d: convolution as im2col + SGEMM, one image at a time.
// Per image n:  cols = im2col(x[n])            (K, P)   K = C·kernel elements, P = output positions
//               y[n] = W·cols + b               (O, P)   W viewed as (O, K)
// Backward:     dW += dY[n]·colsᵀ,  dcols = Wᵀ·dY[n],  dx[n] += col2im(dcols),  db += Σ_P dY[n].
// Images are independent, so forward and the input gradient run in parallel across the batch; the
// weight gradient is a sum over images and is accumulated serially, in image order, to stay deterministic.
using System.Numerics.Tensors;
using Pipeline.Models.Kernels;
using Tensor = Pipeline.Models.Tensors.Tensor;

namespace Pipeline.Models.Nn;

/// <summary>Unfolds one image into columns, or (adjoint) accumulates columns into one image.</summary>
internal delegate void ColumnTransform(ReadOnlySpan<float> source, Span<float> destination);

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
    public static Tensor Run(string op, Tensor input, Tensor weight, Tensor? bias, int[] outShape, int columnRows, int positions,
        ColumnTransform im2col, ColumnTransform col2im)
    {
        int batch = input.Shape[0], outChannels = weight.Shape[0];
        int imageSize = input.Length / Math.Max(batch, 1), outSize = outChannels * positions, colSize = columnRows * positions;
        var y = Tensor.Uninitialized(outShape);
        Parallelism.For(batch, n =>
        {
            var cols = Pipeline.Models.Tensors.BufferPool.Rent(colSize);
            im2col(input.Data.Slice(n * imageSize, imageSize), cols);
            var yn = y.Data.Slice(n * outSize, outSize);                            // (O, P)
            Sgemm.Multiply(false, false, outChannels, positions, columnRows, 1f, weight.Data, columnRows, cols, positions, 0f, yn, positions);
            if (bias is not null)
                for (int o = 0; o < outChannels; o++) TensorPrimitives.Add(yn.Slice(o * positions, positions), bias.Data[o], yn.Slice(o * positions, positions));
            Pipeline.Models.Tensors.BufferPool.Return(cols);
        });
        Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
        return y.Record(op, inputs, g =>
        {
            // Images go in chunks of one per worker: each chunk's columns are built (and dx scattered) in
            // parallel, then folded into dW serially in image order, so memory stays at chunk·K·P floats
            // and the weight gradient does not depend on thread timing.
            bool needCols = weight.RequiresGrad;
            int chunk = Math.Max(1, Math.Min(batch, Parallelism.DegreeOfParallelism));
            var chunkCols = needCols ? Pipeline.Models.Tensors.BufferPool.Rent(chunk * colSize) : null;
            if (input.RequiresGrad) input.GradBuffer();
            for (int first = 0; first < batch; first += chunk)
            {
                int count = Math.Min(chunk, batch - first), start = first;
                Parallelism.For(count, j =>
                {
                    int n = start + j;
                    var gn = g.Data.Slice(n * outSize, outSize);                    // (O, P)
                    if (chunkCols is not null) im2col(input.Data.Slice(n * imageSize, imageSize), chunkCols.AsSpan(j * colSize, colSize));
                    if (input.RequiresGrad)
                    {
                        var dcols = Pipeline.Models.Tensors.BufferPool.Rent(colSize); // (K, P)
                        Sgemm.Multiply(true, false, columnRows, positions, outChannels, 1f, weight.Data, columnRows, gn, positions, 0f, dcols, positions);
                        col2im(dcols, input.Grad!.Data.Slice(n * imageSize, imageSize));
                        Pipeline.Models.Tensors.BufferPool.Return(dcols);
                    }
                });
                if (chunkCols is null) continue;
                var gw = weight.GradBuffer();                                       // (O, K)
                for (int j = 0; j < count; j++)
                    Sgemm.Multiply(false, true, outChannels, columnRows, positions, 1f, g.Data.Slice((start + j) * outSize, outSize), positions,
                        chunkCols.AsSpan(j * colSize, colSize), positions, 1f, gw, columnRows);
            }
            if (chunkCols is not null) Pipeline.Models.Tensors.BufferPool.Return(chunkCols);
            if (bias is not null && bias.RequiresGrad)
            {
                var gb = bias.GradBuffer();
                for (int n = 0; n < batch; n++)
                    for (int o = 0; o < outChannels; o++) gb[o] += TensorPrimitives.Sum(g.Data.Slice(n * outSize + o * positions, positions));
            }
        });
    }

    /// <summary>PyTorch's default conv init: W, b ~ U(−1/√fan_in, 1/√fan_in), fan_in = C·kernel elements.</summary>
    public static float DefaultBound(int fanIn) => 1f / MathF.Sqrt(fanIn);
}
