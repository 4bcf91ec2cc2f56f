// Batch normalisation (Ioffe & Szegedy 2015) over the channel axis of (N, C, S...) inputs, fused
// forward and backward. Training: statistics over M = N·S elements per channel,
//   x̂ = (x − μ) / √(σ² + ε),  y = γ·x̂ + β,  σ² biased;
//   running ← (1 − momentum)·running + momentum·batch, with the UNBIASED σ²·M/(M−1) for running_var
//   (PyTorch's convention).
//   dx = γ/(M·√(σ²+ε)) · (M·dy − Σdy − x̂·Σ(dy·x̂)),  dγ = Σ dy·x̂,  dβ = Σ dy.
// Evaluation: running statistics are constants, so dx = γ·dy/√(running_var + ε).
// Shapes: N = batch, C = channels, S = spatial positions (H·W for 2-D, L for 1-D, 1 for (N, C)).
using System.Numerics.Tensors;
using Tensor = Pipeline.Models.Tensors.Tensor;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn;

public static partial class Functional
{
    /// <summary>
    /// Batch normalisation of (N, C, ...) over every axis but 1. In training mode the running statistics
    /// (if given) are updated in place; otherwise they normalise the input.
    /// </summary>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        bool training, float momentum = 0.1f, float eps = 1e-5f)
        => BatchNormCore(input, runningMean, runningVar, weight, bias, training, momentum, eps, relu: false);

    /// <summary>
    /// ReLU(BatchNorm(x)) as one op: the affine output and the ReLU are one pass over the data, and the
    /// backward masks the incoming gradient with y &gt; 0 while it accumulates the batch-norm sums, so the
    /// pair costs one read and one write of the activation less in each direction than the two ops.
    /// </summary>
    public static Tensor BatchNormRelu(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        bool training, float momentum = 0.1f, float eps = 1e-5f)
        => BatchNormCore(input, runningMean, runningVar, weight, bias, training, momentum, eps, relu: true);

    private static Tensor BatchNormCore(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        bool training, float momentum, float eps, bool relu)
    {
        if (input.Rank < 2) throw new ShapeMismatchException("batch_norm", $"input {TensorShape.Format(input.Shape)} must be (N, C, ...)");
        int n = input.Shape[0], c = input.Shape[1], s = input.Length / Math.Max(1, n * c), m = n * s;
        foreach (var t in new[] { runningMean, runningVar, weight, bias })
            if (t is not null && (t.Rank != 1 || t.Shape[0] != c))
                throw new ShapeMismatchException("batch_norm", $"per-channel tensor {TensorShape.Format(t.Shape)} does not match {c} channels of {TensorShape.Format(input.Shape)}");
        if (!training && (runningMean is null || runningVar is null))
            throw new InvalidOperationException("batch_norm: evaluation mode needs running statistics.");
        if (training && m < 2)
            throw new InvalidOperationException($"batch_norm: training needs more than one value per channel, got input {TensorShape.Format(input.Shape)}.");

        var mean = new float[c];
        var invStd = new float[c];
        var xArray = input.storage.Data; int xOffset = input.offset;
        // Channels are independent, so statistics (and below, gradients) run in parallel across them.
        // Rows of one channel are contiguous runs of S values; each is reduced with SIMD and the row
        // results are summed in double, in row order, so the figures do not depend on the thread count.
        Pipeline.Models.Kernels.Parallelism.For(c, ch =>
        {
            if (!training)
            {
                mean[ch] = runningMean!.Data[ch];
                invStd[ch] = 1f / MathF.Sqrt(runningVar!.Data[ch] + eps);
                return;
            }
            var x = xArray.AsSpan(xOffset, input.Length);
            double sum = 0, sq = 0;
            for (int b = 0; b < n; b++) sum += TensorPrimitives.Sum(x.Slice((b * c + ch) * s, s));
            double mu = sum / m;
            for (int b = 0; b < n; b++)                                          // two-pass variance
                sq += BatchNormRows.CentredSumOfSquares(x.Slice((b * c + ch) * s, s), (float)mu);
            double variance = sq / m;
            mean[ch] = (float)mu;
            invStd[ch] = (float)(1.0 / Math.Sqrt(variance + eps));
            if (runningMean is not null) runningMean.Data[ch] = (1 - momentum) * runningMean.Data[ch] + momentum * (float)mu;
            if (runningVar is not null) runningVar.Data[ch] = (1 - momentum) * runningVar.Data[ch] + momentum * (float)(sq / (m - 1));
        });

        if (training)
        {
            runningMean?.MarkModified();
            runningVar?.MarkModified();
        }
        var y = Tensor.Uninitialized(input.ShapeArray());                            // (N, C, S...)
        var yArray = y.storage.Data; int yOffset = y.offset;
        var weightValues = weight?.Data.ToArray(); var biasValues = bias?.Data.ToArray();
        // y = x·scale + shift per (image, channel) row, one fused SIMD pass per row, rows in parallel.
        // Rows go in at most 64 chunks so that small rows (S = 64 at the end of an encoder) do not pay a claim each.
        int rows = n * c, chunks = Math.Min(rows, 64), perChunk = (rows + chunks - 1) / Math.Max(1, chunks);
        Pipeline.Models.Kernels.Parallelism.For(chunks, chunk =>
        {
            for (int row = chunk * perChunk; row < Math.Min(rows, (chunk + 1) * perChunk); row++)
            {
                int ch = row % c;
                float gamma = weightValues?[ch] ?? 1f, beta = biasValues?[ch] ?? 0f;
                float scale = gamma * invStd[ch], shift = beta - mean[ch] * scale;
                int off = row * s;
                AffineRow(xArray.AsSpan(xOffset + off, s), scale, shift, yArray.AsSpan(yOffset + off, s), relu);
            }
        });

        var inputs = new List<Tensor> { input };
        if (weight is not null) inputs.Add(weight);
        if (bias is not null) inputs.Add(bias);
        return y.Record(relu ? "batch_norm_relu" : "batch_norm", [.. inputs], g =>
        {
            var gArray = g.storage.Data; int gOffset = g.offset;
            float[]? gxArray = null; int gxOffset = 0;
            if (input.RequiresGrad) { input.GradBuffer(); gxArray = input.Grad!.storage.Data; gxOffset = input.Grad.offset; }
            var weightGrad = weight is not null && weight.RequiresGrad ? weight.GradBuffer().ToArray() : null;
            var biasGrad = bias is not null && bias.RequiresGrad ? bias.GradBuffer().ToArray() : null;
            Pipeline.Models.Kernels.Parallelism.For(c, ch =>
            {
                var gd = gArray.AsSpan(gOffset, g.Length); var xs = xArray.AsSpan(xOffset, input.Length);
                // With the fused ReLU the incoming gradient counts only where y > 0 (the kernels mask it).
                var ys = relu ? yArray.AsSpan(yOffset, y.Length) : default;
                float mu = mean[ch], inv = invStd[ch];
                // Σdy and Σdy·x̂ for this channel (Σdy·x̂ = inv·Σdy·(x − μ))
                double sumG = 0, sumGx = 0;
                for (int b = 0; b < n; b++)
                {
                    int off = (b * c + ch) * s;
                    var (rowG, rowGx) = BatchNormRows.GradientSums(gd.Slice(off, s), xs.Slice(off, s), relu ? ys.Slice(off, s) : default, mu);
                    sumG += rowG;
                    sumGx += rowGx;
                }
                sumGx *= inv;
                if (weightGrad is not null) weightGrad[ch] += (float)sumGx;
                if (biasGrad is not null) biasGrad[ch] += (float)sumG;
                if (gxArray is not null)
                {
                    var gx = gxArray.AsSpan(gxOffset, input.Length);
                    float gamma = weight?.Data[ch] ?? 1f;
                    // training: dx = γ·inv·(dy − mean(dy)) − γ·inv²·mean(dy·x̂)·(x − μ); eval: dx = γ·inv·dy
                    float scaleG = gamma * inv;
                    float scaleX = training ? -gamma * inv * inv * (float)(sumGx / m) : 0f;
                    float shift = training ? -gamma * inv * (float)(sumG / m) : 0f;
                    for (int b = 0; b < n; b++)
                    {
                        int off = (b * c + ch) * s;
                        BatchNormRows.AccumulateInputGradient(gd.Slice(off, s), xs.Slice(off, s), relu ? ys.Slice(off, s) : default, mu,
                            scaleG, scaleX, shift, gx.Slice(off, s));
                    }
                }
            });
            if (weightGrad is not null) weightGrad.CopyTo(weight!.Grad!.Data);
            if (biasGrad is not null) biasGrad.CopyTo(bias!.Grad!.Data);
        });
    }

    /// <summary>
    /// y[i] = x[i]·scale + shift (then max(0, ·) when <paramref name="relu"/>) in one Vector&lt;float&gt; pass
    /// (TensorPrimitives has no scalar-scalar MultiplyAdd). <paramref name="y"/> may be <paramref name="x"/>.
    /// </summary>
    internal static void AffineRow(ReadOnlySpan<float> x, float scale, float shift, Span<float> y, bool relu = false)
    {
        var vs = new System.Numerics.Vector<float>(scale); var vb = new System.Numerics.Vector<float>(shift);
        ref float xr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        ref float yr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(y);
        int i = 0, w = System.Numerics.Vector<float>.Count;
        if (relu)
        {
            var zero = System.Numerics.Vector<float>.Zero;
            for (; i <= x.Length - w; i += w)
                System.Numerics.Vector.StoreUnsafe(System.Numerics.Vector.Max(System.Numerics.Vector.LoadUnsafe(ref xr, (nuint)i) * vs + vb, zero), ref yr, (nuint)i);
            for (; i < x.Length; i++) y[i] = MathF.Max(x[i] * scale + shift, 0f);
            return;
        }
        for (; i <= x.Length - w; i += w)
            System.Numerics.Vector.StoreUnsafe(System.Numerics.Vector.LoadUnsafe(ref xr, (nuint)i) * vs + vb, ref yr, (nuint)i);
        for (; i < x.Length; i++) y[i] = x[i] * scale + shift;
    }
}

/// <summary>Settings shared by the batch-norm layers (PyTorch defaults).</summary>
public sealed record BatchNormOptions(int NumFeatures)
{
    /// <summary>Added to the variance for stability (default 1e-5).</summary>
    public float Eps { get; init; } = 1e-5f;

    /// <summary>Weight of the newest batch in the running statistics (default 0.1).</summary>
    public float Momentum { get; init; } = 0.1f;

    /// <summary>Learnable γ (weight) and β (bias) (default true).</summary>
    public bool Affine { get; init; } = true;
}

/// <summary>Common implementation of <see cref="BatchNorm1d"/> and <see cref="BatchNorm2d"/>.</summary>
public abstract class BatchNormBase : Module, ITensorModule
{
    private readonly int[] acceptedRanks;
    private readonly string layerName;

    /// <summary>Creates γ = 1, β = 0, running_mean = 0, running_var = 1.</summary>
    private protected BatchNormBase(BatchNormOptions options, string layerName, params int[] acceptedRanks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.NumFeatures, 1);
        if (!(options.Eps > 0) || !(options.Momentum >= 0 && options.Momentum <= 1))
            throw new ArgumentException($"{layerName}: eps must be > 0 and momentum in [0, 1], got eps {options.Eps}, momentum {options.Momentum}.");
        Options = options;
        this.layerName = layerName;
        this.acceptedRanks = acceptedRanks;
        if (options.Affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(options.NumFeatures));
            Bias = RegisterParameter("bias", Tensor.Zeros(options.NumFeatures));
        }
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(options.NumFeatures));
        RunningVar = RegisterBuffer("running_var", Tensor.Ones(options.NumFeatures));
    }

    /// <summary>The layer's settings.</summary>
    public BatchNormOptions Options { get; }

    /// <summary>γ (C), or null when not affine.</summary>
    public Tensor? Weight { get; }

    /// <summary>β (C), or null when not affine.</summary>
    public Tensor? Bias { get; }

    /// <summary>Running mean (C).</summary>
    public Tensor RunningMean { get; }

    /// <summary>Running unbiased variance (C).</summary>
    public Tensor RunningVar { get; }

    /// <summary>Normalises with batch statistics in training mode (updating the running ones), running statistics otherwise.</summary>
    public Tensor Forward(Tensor input)
    {
        CheckInput(input);
        return Functional.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, IsTraining, Options.Momentum, Options.Eps);
    }

    /// <summary>ReLU(<see cref="Forward"/>(input)) as one fused op (see <see cref="Functional.BatchNormRelu"/>).</summary>
    public Tensor ForwardRelu(Tensor input)
    {
        CheckInput(input);
        return Functional.BatchNormRelu(input, RunningMean, RunningVar, Weight, Bias, IsTraining, Options.Momentum, Options.Eps);
    }

    /// <summary>
    /// The per-channel affine map this layer applies in evaluation mode, y = x·scale + shift with
    /// scale = γ/√(running_var + ε) and shift = β − running_mean·scale (what a preceding conv can fold in).
    /// </summary>
    public (float[] Scale, float[] Shift) EvaluationAffine()
    {
        int c = Options.NumFeatures;
        var scale = new float[c];
        var shift = new float[c];
        for (int ch = 0; ch < c; ch++)
        {
            float inv = 1f / MathF.Sqrt(RunningVar.Data[ch] + Options.Eps);
            scale[ch] = (Weight?.Data[ch] ?? 1f) * inv;
            shift[ch] = (Bias?.Data[ch] ?? 0f) - RunningMean.Data[ch] * scale[ch];
        }
        return (scale, shift);
    }

    private void CheckInput(Tensor input)
    {
        if (!acceptedRanks.Contains(input.Rank) || input.Shape[1] != Options.NumFeatures)
            throw new ShapeMismatchException(layerName, $"expected rank {string.Join(" or ", acceptedRanks)} input with {Options.NumFeatures} channels on axis 1, got {TensorShape.Format(input.Shape)}");
    }
}

/// <summary>Batch norm over (N, C) or (N, C, L) inputs.</summary>
public sealed class BatchNorm1d(BatchNormOptions options) : BatchNormBase(options, "batch_norm1d", 2, 3)
{
    /// <summary>Batch norm with PyTorch's defaults for <paramref name="numFeatures"/> channels.</summary>
    public BatchNorm1d(int numFeatures) : this(new BatchNormOptions(numFeatures)) { }
}

/// <summary>Batch norm over (N, C, H, W) inputs.</summary>
public sealed class BatchNorm2d(BatchNormOptions options) : BatchNormBase(options, "batch_norm2d", 4)
{
    /// <summary>Batch norm with PyTorch's defaults for <paramref name="numFeatures"/> channels.</summary>
    public BatchNorm2d(int numFeatures) : this(new BatchNormOptions(numFeatures)) { }
}
