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
        var x = input.Data;
        for (int ch = 0; ch < c; ch++)
        {
            if (training)
            {
                double sum = 0, sq = 0;
                for (int b = 0; b < n; b++)
                {
                    var row = x.Slice((b * c + ch) * s, s);
                    sum += TensorPrimitives.Sum(row);
                }
                double mu = sum / m;
                for (int b = 0; b < n; b++)
                {
                    var row = x.Slice((b * c + ch) * s, s);
                    for (int i = 0; i < s; i++) { double d = row[i] - mu; sq += d * d; }
                }
                double variance = sq / m;
                mean[ch] = (float)mu;
                invStd[ch] = (float)(1.0 / Math.Sqrt(variance + eps));
                if (runningMean is not null) runningMean.Data[ch] = (1 - momentum) * runningMean.Data[ch] + momentum * (float)mu;
                if (runningVar is not null) runningVar.Data[ch] = (1 - momentum) * runningVar.Data[ch] + momentum * (float)(sq / (m - 1));
            }
            else
            {
                mean[ch] = runningMean!.Data[ch];
                invStd[ch] = 1f / MathF.Sqrt(runningVar!.Data[ch] + eps);
            }
        }

        var y = Tensor.Uninitialized(input.ShapeArray());                            // (N, C, S...)
        var yd = y.Data;
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
            {
                float gamma = weight?.Data[ch] ?? 1f, beta = bias?.Data[ch] ?? 0f;
                float scale = gamma * invStd[ch], shift = beta - mean[ch] * scale;
                int off = (b * c + ch) * s;
                TensorPrimitives.Multiply(x.Slice(off, s), scale, yd.Slice(off, s));
                TensorPrimitives.Add(yd.Slice(off, s), shift, yd.Slice(off, s));
            }

        var inputs = new List<Tensor> { input };
        if (weight is not null) inputs.Add(weight);
        if (bias is not null) inputs.Add(bias);
        return y.Record("batch_norm", [.. inputs], g =>
        {
            var gd = g.Data; var xs = input.Data;
            for (int ch = 0; ch < c; ch++)
            {
                // Σdy and Σdy·x̂ for this channel
                double sumG = 0, sumGx = 0;
                float mu = mean[ch], inv = invStd[ch];
                for (int b = 0; b < n; b++)
                {
                    int off = (b * c + ch) * s;
                    for (int i = 0; i < s; i++) { float gv = gd[off + i]; sumG += gv; sumGx += gv * (xs[off + i] - mu) * inv; }
                }
                if (weight is not null && weight.RequiresGrad) weight.GradBuffer()[ch] += (float)sumGx;
                if (bias is not null && bias.RequiresGrad) bias.GradBuffer()[ch] += (float)sumG;
                if (!input.RequiresGrad) continue;
                var gx = input.GradBuffer();
                float gamma = weight?.Data[ch] ?? 1f;
                if (training)
                {
                    float meanG = (float)(sumG / m), meanGx = (float)(sumGx / m);
                    for (int b = 0; b < n; b++)
                    {
                        int off = (b * c + ch) * s;
                        for (int i = 0; i < s; i++)
                        {
                            float xhat = (xs[off + i] - mu) * inv;
                            gx[off + i] += gamma * inv * (gd[off + i] - meanG - xhat * meanGx);
                        }
                    }
                }
                else
                {
                    for (int b = 0; b < n; b++)
                    {
                        int off = (b * c + ch) * s;
                        TensorPrimitives.MultiplyAdd(gd.Slice(off, s), gamma * inv, gx.Slice(off, s), gx.Slice(off, s));
                    }
                }
            }
        });
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
        if (!acceptedRanks.Contains(input.Rank) || input.Shape[1] != Options.NumFeatures)
            throw new ShapeMismatchException(layerName, $"expected rank {string.Join(" or ", acceptedRanks)} input with {Options.NumFeatures} channels on axis 1, got {TensorShape.Format(input.Shape)}");
        return Functional.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, IsTraining, Options.Momentum, Options.Eps);
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
