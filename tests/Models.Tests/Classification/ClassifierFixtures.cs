// Shared fixtures of the classifier tests: a tiny labelled corpus whose class is decided by one marker
// token (ids 1..K) hidden among random filler tokens, small configs of both architectures, padded batches
// with garbage past each length, and a full-batch Adam training loop.
// Shape key: B = batch, T = time (padded length), K = classes.
using Pipeline.Models.Autograd;
using Pipeline.Models.Classification;
using Pipeline.Models.Optim;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Classification;

/// <summary>A padded batch: ids (B·T, row-major), its shape, lengths and labels.</summary>
internal sealed record TokenBatch(int[] Ids, int BatchSize, int Length, int[] Lengths, int[] Labels);

internal static class ClassifierFixtures
{
    public const int Vocabulary = 24, Classes = 3;

    /// <summary>
    /// <paramref name="count"/> sequences of 1..<paramref name="maxLength"/> filler ids (Classes+1 .. V−1), each with
    /// marker id 1 + label at a random position; padded with 0.
    /// </summary>
    public static TokenBatch Corpus(int count = 16, int maxLength = 8, ulong seed = 11)
    {
        var g = new Generator(seed);
        var ids = new int[count * maxLength];
        var lengths = new int[count];
        var labels = new int[count];
        for (int b = 0; b < count; b++)
        {
            labels[b] = b % Classes;
            lengths[b] = 1 + g.NextInt(maxLength);
            int marker = g.NextInt(lengths[b]);
            for (int t = 0; t < lengths[b]; t++)
                ids[b * maxLength + t] = t == marker ? 1 + labels[b] : Classes + 1 + g.NextInt(Vocabulary - Classes - 1);
        }
        return new TokenBatch(ids, count, maxLength, lengths, labels);
    }

    /// <summary>The same sequences re-padded to <paramref name="newLength"/> ≥ T, with random ids (not pad) past each length.</summary>
    public static TokenBatch WithGarbagePadding(TokenBatch batch, int newLength, ulong seed = 99)
    {
        var g = new Generator(seed);
        var ids = new int[batch.BatchSize * newLength];
        for (int b = 0; b < batch.BatchSize; b++)
            for (int t = 0; t < newLength; t++)
                ids[b * newLength + t] = t < batch.Lengths[b] ? batch.Ids[b * batch.Length + t] : 1 + g.NextInt(Vocabulary - 1);
        return batch with { Ids = ids, Length = newLength };
    }

    /// <summary>A small TextCNN config (E 16, widths 2, 3, 4 × 8 maps, light dropout).</summary>
    public static ClassifierConfig Cnn(EmbeddingMode mode = EmbeddingMode.Rand, CnnPooling pooling = CnnPooling.Max) =>
        new(ClassifierArchitecture.TextCnn, Vocabulary, Classes)
        {
            EmbeddingDim = 16, EmbeddingMode = mode, FilterWidths = [2, 3, 4], FeatureMaps = 8, CnnPooling = pooling, KMax = 2, Dropout = 0.1f,
        };

    /// <summary>A small BiRNN config (E 12, H 12 per direction, attention size 8, light dropout).</summary>
    public static ClassifierConfig Rnn(RnnPooling pooling = RnnPooling.Attention, RnnCellType cell = RnnCellType.Lstm, int layers = 1,
        EmbeddingMode mode = EmbeddingMode.Rand) =>
        new(ClassifierArchitecture.BiRnn, Vocabulary, Classes)
        {
            EmbeddingDim = 12, EmbeddingMode = mode, RnnCell = cell, RnnLayers = layers, HiddenSize = 12, RnnPooling = pooling, AttentionSize = 8,
            Dropout = 0.1f,
        };

    /// <summary>
    /// Full-batch Adam for <paramref name="steps"/> steps (ApplyConstraints after each); returns the final train loss in eval
    /// mode. With <paramref name="networkLossWeight"/> set, it minimises the trainer's objective (TrainingLoss: targets
    /// given, so an n-gram branch uses leave-one-out ratios, plus λ × the network's own loss).
    /// </summary>
    public static float Train(TextClassifierModel model, TokenBatch batch, int steps, double learningRate = 0.01, float? networkLossWeight = null)
    {
        var optimizer = new Adam(model.Parameters(), new AdamOptions(learningRate));
        model.Train();
        for (int step = 0; step < steps; step++)
        {
            using var scope = new TensorScope();
            optimizer.ZeroGrad();
            var loss = networkLossWeight is { } lambda
                ? model.TrainingLoss(batch.Ids, batch.BatchSize, batch.Length, batch.Lengths, batch.Labels, lambda).Objective
                : model.Loss(model.Forward(batch.Ids, batch.BatchSize, batch.Length, batch.Lengths), batch.Labels);
            loss.Backward();
            optimizer.Step();
            model.ApplyConstraints();
        }
        model.Eval();
        return EvalLoss(model, batch);
    }

    /// <summary>Mean loss of the batch without dropout.</summary>
    public static float EvalLoss(TextClassifierModel model, TokenBatch batch)
    {
        using var scope = new TensorScope();
        using var _ = GradMode.NoGrad();
        return model.Loss(model.Forward(batch.Ids, batch.BatchSize, batch.Length, batch.Lengths), batch.Labels).Item();
    }

    /// <summary>Fraction of sequences whose most probable class is the label.</summary>
    public static double Accuracy(TextClassifierModel model, TokenBatch batch)
    {
        var p = model.PredictProbabilities(batch.Ids, batch.BatchSize, batch.Length, batch.Lengths);   // (B·K)
        int correct = 0;
        for (int b = 0; b < batch.BatchSize; b++)
        {
            int best = 0;
            for (int k = 1; k < Classes; k++) if (p[b * Classes + k] > p[b * Classes + best]) best = k;
            if (best == batch.Labels[b]) correct++;
        }
        return correct / (double)batch.BatchSize;
    }

    /// <summary>
    /// Finite-difference check (central, float32) of ∂(Σ r ⊙ logits)/∂θ for every trainable parameter θ of the model,
    /// r fixed random weights, as in GradCheck. The padding row of each embedding is skipped: it is held at zero by
    /// design (no gradient, like PyTorch's padding_idx), although perturbing it would move the padded windows.
    /// </summary>
    public static void CheckGradients(TextClassifierModel model, Func<Tensor> logits, float eps = 1e-3f, float tolerance = 1e-2f)
    {
        var parameters = model.NamedParameters().Where(p => p.Tensor.RequiresGrad).ToArray();
        var output = logits();
        var weights = Tensor.Randn(new Generator(7), output.ShapeArray());
        model.ZeroGrad();
        Tensor.SumAll(output * weights).Backward();
        var analytic = parameters.Select(p => p.Tensor.Grad?.ToArray() ?? new float[p.Tensor.Length]).ToArray();
        for (int k = 0; k < parameters.Length; k++)                        // a dead path would pass vacuously
            Assert.True(analytic[k].Any(v => v != 0f), $"{parameters[k].Name} has an all-zero gradient; the check would prove nothing");
        using var _ = GradMode.NoGrad();
        double Probe()
        {
            using var scope = new TensorScope();
            var y = logits().Data;
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += (double)y[i] * weights.Data[i];
            return s;
        }
        int paddingStart = model.Config.PaddingId * model.Config.EmbeddingDim, paddingEnd = paddingStart + model.Config.EmbeddingDim;
        for (int k = 0; k < parameters.Length; k++)
        {
            var (name, tensor) = parameters[k];
            bool isEmbedding = name.StartsWith("embedding", StringComparison.Ordinal);
            var data = tensor.Data;
            for (int i = 0; i < data.Length; i++)
            {
                if (isEmbedding && i >= paddingStart && i < paddingEnd) continue;
                float original = data[i];
                data[i] = original + eps; double plus = Probe();
                data[i] = original - eps; double minus = Probe();
                data[i] = original;
                double numeric = (plus - minus) / (2 * eps), diff = Math.Abs(numeric - analytic[k][i]);
                Assert.True(diff <= tolerance + tolerance * Math.Abs(numeric),
                    $"{name}[{i}]: analytic {analytic[k][i]:G6} vs numeric {numeric:G6} (|diff| {diff:G3})");
            }
        }
    }

    /// <summary>
    /// Eval logits of <paramref name="batch"/> do not change when the batch is re-padded
    /// to each of <paramref name="paddedLengths"/> with garbage past every length, nor for a sequence run alone, cut
    /// to its own length.
    /// </summary>
    public static void AssertLogitsIgnorePadding(TextClassifierModel model, TokenBatch batch, params int[] paddedLengths)
    {
        var reference = Logits(model, batch);
        foreach (int longer in paddedLengths)
        {
            var padded = WithGarbagePadding(batch, longer, seed: (ulong)longer);
            GradCheck.AssertClose(reference, Logits(model, padded), 1e-5f, 1e-5f);
        }
        for (int b = 0; b < batch.BatchSize; b++)
        {
            int len = batch.Lengths[b];
            var alone = new TokenBatch(batch.Ids[(b * batch.Length)..(b * batch.Length + len)], 1, len, [len], [0]);
            GradCheck.AssertClose(reference.AsSpan(b * Classes, Classes), Logits(model, alone), 1e-5f, 1e-5f);
        }
    }

    /// <summary>Eval-mode logits (B·K) as a plain array.</summary>
    public static float[] Logits(TextClassifierModel model, TokenBatch batch)
    {
        using var scope = new TensorScope();
        using var _ = GradMode.NoGrad();
        return model.Forward(batch.Ids, batch.BatchSize, batch.Length, batch.Lengths).ToArray();
    }
}
