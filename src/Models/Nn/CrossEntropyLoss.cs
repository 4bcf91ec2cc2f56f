// Cross-entropy of logits against class indices as ONE fused op (log-softmax + negative log-
// likelihood), with PyTorch's semantics for class weights, ignore index and label smoothing ε:
//   p = softmax(x_i),  loss_i = (1 − ε)·w[t_i]·(−log p[t_i]) + (ε/C)·Σ_c w[c]·(−log p[c])
//   mean: Σ_i loss_i / Σ_i w[t_i]   (over non-ignored i; without weights w ≡ 1, so / count)
//   sum:  Σ_i loss_i;   none: loss_i per row (0 for ignored rows).
// Gradient per row:  ∂loss_i/∂x_ij = (1 − ε)·w[t_i]·(p_j − δ_j,t_i) + (ε/C)·(p_j·Σ_c w[c] − w[j]).
// Like PyTorch, a mean over a batch whose targets are all ignored is 0/0 = NaN.
// Shapes: N = rows, C = classes; logits (N, C), targets int[N], weights (C).
using Tensor = Pipeline.Models.Tensors.Tensor;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn;

/// <summary>How per-row losses are combined.</summary>
public enum LossReduction
{
    /// <summary>Weighted mean over non-ignored rows (a scalar).</summary>
    Mean,

    /// <summary>Sum over rows (a scalar).</summary>
    Sum,

    /// <summary>One loss per row, shape (N).</summary>
    None,
}

/// <summary>Settings of <see cref="CrossEntropyLoss"/> (PyTorch defaults).</summary>
public sealed record CrossEntropyOptions
{
    /// <summary>Per-class weights (C), or null for uniform.</summary>
    public float[]? ClassWeights { get; init; }

    /// <summary>Rows with this target contribute nothing (default −100, as in PyTorch).</summary>
    public int IgnoreIndex { get; init; } = -100;

    /// <summary>ε in [0, 1]: the target distribution is (1 − ε)·onehot + ε/C.</summary>
    public float LabelSmoothing { get; init; }

    /// <summary>Mean, sum or none.</summary>
    public LossReduction Reduction { get; init; } = LossReduction.Mean;
}

public static partial class Functional
{
    /// <summary>Fused log-softmax + NLL of logits (N, C) against <paramref name="targets"/>; see <see cref="CrossEntropyOptions"/>.</summary>
    public static Tensor CrossEntropy(Tensor logits, ReadOnlySpan<int> targets, CrossEntropyOptions? options = null)
    {
        options ??= new CrossEntropyOptions();
        const string op = "cross_entropy";
        if (logits.Rank != 2) throw new ShapeMismatchException(op, $"logits {TensorShape.Format(logits.Shape)} must be (N, C)");
        int n = logits.Shape[0], c = logits.Shape[1];
        if (targets.Length != n) throw new ShapeMismatchException(op, $"{targets.Length} targets for {n} rows of logits");
        float eps = options.LabelSmoothing;
        if (!(eps >= 0f && eps <= 1f)) throw new ArgumentOutOfRangeException(nameof(options), $"{op}: label smoothing must be in [0, 1], got {eps}.");
        var w = options.ClassWeights?.ToArray();                               // snapshot: the caller may reuse the array
        if (w is not null && w.Length != c) throw new ShapeMismatchException(op, $"{w.Length} class weights for {c} classes");
        var t = targets.ToArray();
        for (int i = 0; i < n; i++)
            if (t[i] != options.IgnoreIndex && (uint)t[i] >= (uint)c)
                throw new IndexOutOfRangeException($"{op}: target {t[i]} of row {i} is not a class in [0, {c}) nor the ignore index {options.IgnoreIndex}.");

        double total = 0, denominator = 0;
        float weightSum = 0;                                                     // Σ_c w[c]
        for (int j = 0; j < c; j++) weightSum += w?[j] ?? 1f;
        // Log-probabilities are kept for backward (as p = e^logp) in a pooled, scope-owned buffer: a
        // (N, C) float[] per step was the largest allocation of a captioning train step.
        var logProbTensor = Tensor.Uninitialized([n, c]);                      // (N, C)
        var logProbs = logProbTensor.storage.Data; int lpOffset = logProbTensor.offset;
        var rowLoss = new float[n];
        var expRow = new float[c];                                                // e^(x − max) of one row
        var x = logits.Data;
        for (int i = 0; i < n; i++)
        {
            if (t[i] == options.IgnoreIndex) continue;
            var row = x.Slice(i * c, c);
            var lp = logProbs.AsSpan(lpOffset + i * c, c);
            // log-sum-exp with SIMD: lp = x − max, Σ e^lp in float (every term ≤ 1, C terms), then shift.
            float max = System.Numerics.Tensors.TensorPrimitives.Max(row);
            System.Numerics.Tensors.TensorPrimitives.Subtract(row, max, lp);
            System.Numerics.Tensors.TensorPrimitives.Exp(lp, expRow);
            float lse = MathF.Log(System.Numerics.Tensors.TensorPrimitives.Sum(expRow));
            System.Numerics.Tensors.TensorPrimitives.Subtract(lp, lse, lp);
            double smooth = 0;
            if (eps != 0f) smooth = w is null ? -(double)System.Numerics.Tensors.TensorPrimitives.Sum(lp) : -(double)System.Numerics.Tensors.TensorPrimitives.Dot(w, lp);
            float wt = w?[t[i]] ?? 1f;
            double loss = (1 - eps) * wt * -(double)lp[t[i]] + eps / c * smooth;
            rowLoss[i] = (float)loss;
            total += loss;
            denominator += wt;
        }

        var reduction = options.Reduction;
        var y = reduction == LossReduction.None ? Tensor.Uninitialized([n]) : Tensor.Uninitialized([]);
        if (reduction == LossReduction.None) rowLoss.CopyTo(y.Data);
        else y.Data[0] = (float)(reduction == LossReduction.Sum ? total : total / denominator);
        float meanScale = (float)(1.0 / denominator);
        return y.Record(op, [logits], g =>
        {
            var gx = logits.GradBuffer(); var gd = g.Data;
            var logP = logProbTensor.Data;                                       // throws if the scope already ended
            var p = expRow;
            for (int i = 0; i < n; i++)
            {
                if (t[i] == options.IgnoreIndex) continue;
                float upstream = reduction switch { LossReduction.None => gd[i], LossReduction.Sum => gd[0], _ => gd[0] * meanScale };
                float wt = w?[t[i]] ?? 1f;
                float hard = (1 - eps) * wt, soft = eps / c;
                var gr = gx.Slice(i * c, c);
                // gr += upstream·[(hard + soft·Σw)·p − soft·w] and −upstream·hard at the target.
                System.Numerics.Tensors.TensorPrimitives.Exp(logP.Slice(i * c, c), p);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(p, upstream * (hard + soft * weightSum), gr, gr);
                if (soft != 0f)
                {
                    if (w is null) System.Numerics.Tensors.TensorPrimitives.Add(gr, -upstream * soft, gr);
                    else System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(w, -upstream * soft, gr, gr);
                }
                gr[t[i]] -= upstream * hard;
            }
        });
    }
}

/// <summary>Cross-entropy loss of logits (N, C) against class indices, fused with log-softmax.</summary>
public sealed class CrossEntropyLoss(CrossEntropyOptions? options = null) : Module
{
    /// <summary>The loss settings.</summary>
    public CrossEntropyOptions Options { get; } = options ?? new CrossEntropyOptions();

    /// <summary>Loss of <paramref name="logits"/> (N, C) for <paramref name="targets"/> (N): a scalar, or (N) with reduction none.</summary>
    public Tensor Forward(Tensor logits, ReadOnlySpan<int> targets) => Functional.CrossEntropy(logits, targets, Options);
}
