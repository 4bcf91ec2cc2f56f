// The TextCNN's convolution over word vectors (Kim 2014, §2): a filter w ∈ R^{h·E} of width h tokens
// slides over the sentence, c_t = w · x_{t:t+h−1} (bias and ReLU are applied after pooling, which is
// equivalent because both are monotone per map and max-over-time only selects).
//   y[b, t, o] = Σ_{j<h} Σ_e W[o, 0, j, e] · x[b, t + j, e]          for t ≤ T − h
// Layout trick: with x stored (B, T, E), the window x[b, t:t+h, :] is h·E contiguous floats and the
// window at t + 1 starts E floats later, so no im2col copy is needed. The whole batch is ONE matrix
// product per filter tap j (B·T − h + 1 rows; rows whose window crosses into the next sequence, t > T − h,
// are computed but never pooled):  Y (rows, O) += X[j·E ..] (rows, E) · W_jᵀ (E, O),  W_j = W[:, 0, j, :].
// Weight layout (O, 1, h, E) is PyTorch's nn.Conv2d(1, O, (h, E)), the usual Kim CNN port, so checkpoints
// map 1:1.
// Backward: max(-over-time) pooling makes dY sparse (one entry per map and sequence), so when few entries are
// non-zero each is applied directly, dW[o] += g · window and dX[window] += g · W[o] (B·O·h·E work instead
// of two GEMMs of B·T·O·h·E); dense gradients fall back to the tap-wise GEMMs.
// Shape key: B = batch, T = time, E = embedding dim, O = feature maps, h = filter width.
using Pipeline.Models.Init;
using Pipeline.Models.Kernels;
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Pipeline.Models.Classification;

/// <summary>One filter width of the TextCNN: weight (O, 1, h, E) and bias (O).</summary>
public sealed class TextConvolution : Module
{
    /// <summary>Creates the layer with PyTorch's default U(±1/√(h·E)) initialisation.</summary>
    public TextConvolution(int embeddingDim, int featureMaps, int width, Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingDim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureMaps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        EmbeddingDim = embeddingDim; FeatureMaps = featureMaps; Width = width;
        int fanIn = width * embeddingDim;
        Weight = RegisterParameter("weight", Initializers.DefaultUniform(generator, [featureMaps, 1, width, embeddingDim], fanIn));   // (O, 1, h, E)
        Bias = RegisterParameter("bias", Initializers.DefaultUniform(generator, [featureMaps], fanIn));                               // (O)
    }

    /// <summary>Embedding dimension E.</summary>
    public int EmbeddingDim { get; }
    /// <summary>Feature maps O.</summary>
    public int FeatureMaps { get; }
    /// <summary>Filter width h in tokens.</summary>
    public int Width { get; }
    /// <summary>Weight (O, 1, h, E).</summary>
    public Tensor Weight { get; }
    /// <summary>Bias (O), added after pooling by the caller.</summary>
    public Tensor Bias { get; }

    /// <summary>
    /// Raw filter responses (B, T, O) of <paramref name="input"/> (B, T, E), without bias. Only t ≤ T − h are windows
    /// inside their sequence; the last h − 1 steps of each sequence hold unspecified values and must be masked.
    /// </summary>
    public Tensor Forward(Tensor input) => Convolve(input, Weight);

    /// <summary>Number of full windows of width h in a sequence of <paramref name="length"/> steps.</summary>
    public int Windows(int length) => Math.Max(length - Width + 1, 0);

    /// <summary>The op behind <see cref="Forward"/>: x (B, T, E) ⊛ W (O, 1, h, E) → (B, T, O), unspecified for t &gt; T − h.</summary>
    internal static Tensor Convolve(Tensor input, Tensor weight)
    {
        const string op = "text_convolution";
        if (input.Rank != 3 || weight.Rank != 4 || weight.Shape[1] != 1 || weight.Shape[3] != input.Shape[2])
            throw new ShapeMismatchException(op, $"input {TensorShape.Format(input.Shape)} must be (B, T, E) and weight {TensorShape.Format(weight.Shape)} (O, 1, h, E) with the same E");
        int batch = input.Shape[0], steps = input.Shape[1], dim = input.Shape[2];
        int maps = weight.Shape[0], width = weight.Shape[2], windowSize = width * dim;
        if (steps < width)
            throw new ShapeMismatchException(op, $"sequences of {steps} steps are shorter than the filter width {width}; pad them first");
        int rows = batch * steps - width + 1;                                      // windows starting at every flat row
        var y = Tensor.Uninitialized([batch, steps, maps]);                        // (B, T, O)
        var yd = y.Data;
        for (int j = 0; j < width; j++)
            Sgemm.Multiply(false, true, rows, maps, dim, 1f, input.Data[(j * dim)..], dim, weight.Data[(j * dim)..], windowSize,
                j == 0 ? 0f : 1f, yd, maps);
        yd[(rows * maps)..].Clear();                                               // the h − 1 rows no window starts at

        return y.Record(op, [input, weight], g =>
        {
            var gd = g.Data;
            int nonZero = 0;
            for (int i = 0; i < rows * maps; i++) if (gd[i] != 0f) nonZero++;
            // AXPYs run far below GEMM speed; the direct path pays off only when dY is quite sparse.
            if ((long)nonZero * 8 <= (long)rows * maps) SparseBackward(input, weight, gd, rows, maps, windowSize, dim);
            else DenseBackward(input, weight, gd, rows, maps, width, dim);
        });
    }

    /// <summary>Applies each non-zero dY[r, o]: dW[o] += g·x[r·E .. r·E + h·E], dX[r·E ..] += g·W[o].</summary>
    private static void SparseBackward(Tensor input, Tensor weight, ReadOnlySpan<float> gd, int rows, int maps, int windowSize, int dim)
    {
        var x = input.Data; var w = weight.Data;
        var gw = weight.RequiresGrad ? weight.GradBuffer() : default;
        var gx = input.RequiresGrad ? input.GradBuffer() : default;
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < maps; o++)
            {
                float g = gd[r * maps + o];
                if (g == 0f) continue;
                if (!gw.IsEmpty)
                {
                    var dst = gw.Slice(o * windowSize, windowSize);
                    TP.MultiplyAdd(x.Slice(r * dim, windowSize), g, dst, dst);
                }
                if (!gx.IsEmpty)
                {
                    var dst = gx.Slice(r * dim, windowSize);
                    TP.MultiplyAdd(w.Slice(o * windowSize, windowSize), g, dst, dst);
                }
            }
        }
    }

    /// <summary>Tap-wise GEMMs: dW_j += dYᵀ · X[j·E ..],  dX[j·E ..] += dY · W_j.</summary>
    private static void DenseBackward(Tensor input, Tensor weight, ReadOnlySpan<float> gd, int rows, int maps, int width, int dim)
    {
        int windowSize = width * dim;
        if (weight.RequiresGrad)
        {
            var gw = weight.GradBuffer();
            for (int j = 0; j < width; j++)
                Sgemm.Multiply(true, false, maps, dim, rows, 1f, gd, maps, input.Data[(j * dim)..], dim, 1f, gw[(j * dim)..], windowSize);
        }
        if (input.RequiresGrad)
        {
            var gx = input.GradBuffer();
            for (int j = 0; j < width; j++)
                Sgemm.Multiply(false, false, rows, dim, maps, 1f, gd, maps, weight.Data[(j * dim)..], windowSize, 1f, gx[(j * dim)..], dim);
        }
    }
}
