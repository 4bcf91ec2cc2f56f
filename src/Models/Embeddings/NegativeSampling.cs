// The negative-sampling objective of word2vec (Mikolov et al. 2013, "Distributed Representations of Words
// and Phrases", eq. 4): for an input vector h and a target word o, maximise
//     log σ(v'_o · h) + Σ_{k noise words n} log σ(−v'_n · h).
// Its gradient for each output row is g·h and for h is Σ g·v'_w, with g = (label − σ(v'_w · h))·α, label 1 for
// the target and 0 for noise. One SGD step is taken per (h, target) pair: output rows are updated at once,
// the gradient for h is accumulated so the caller can apply it to one input row (skip-gram) or spread it
// over the context rows (CBOW). The dot and axpy loops are SIMD via TensorPrimitives; a scalar reference of
// the same step lives in the tests and is checked against this one.
using System.Numerics.Tensors;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Embeddings;

/// <summary>One negative-sampling SGD step and the sigmoid lookup table it uses.</summary>
public static class NegativeSampling
{
    /// <summary>Scores beyond ±<see cref="MaxScore"/> saturate the sigmoid to 0 or 1 (as in the reference code): their gradient is ~0 or at its maximum anyway.</summary>
    public const float MaxScore = 6f;

    private const int TableSize = 1024;
    private static readonly float[] SigmoidTable = BuildSigmoidTable();

    private static float[] BuildSigmoidTable()
    {
        // Entry i holds σ at the centre of bin i of [−MaxScore, MaxScore]; exp() per update would dominate the step.
        var table = new float[TableSize];
        for (var i = 0; i < TableSize; i++)
        {
            var x = ((i + 0.5f) / TableSize * 2f - 1f) * MaxScore;
            table[i] = 1f / (1f + MathF.Exp(-x));
        }
        return table;
    }

    /// <summary>σ(x) from the lookup table: absolute error below 0.003 inside ±6 and saturated to exactly 0 / 1 outside.</summary>
    public static float Sigmoid(float x)
    {
        if (x >= MaxScore)
            return 1f;
        if (x <= -MaxScore)
            return 0f;
        var index = (int)((x + MaxScore) * (TableSize / (2 * MaxScore)));
        return SigmoidTable[Math.Min(index, TableSize - 1)];
    }

    /// <summary>
    /// One SGD step on (<paramref name="hidden"/> → <paramref name="target"/>) plus
    /// <paramref name="negativeSamples"/> noise words drawn from <paramref name="noise"/> (draws equal to the
    /// target are skipped, as in the reference code). Updates the rows of <paramref name="output"/>
    /// (V × D, row-major) in place and adds the gradient step for <paramref name="hidden"/> into
    /// <paramref name="hiddenGradient"/>, which the caller must apply. Returns the pair's loss
    /// −log σ(v'_o·h) − Σ log σ(−v'_n·h) computed with exact exp (for monitoring and tests).
    /// </summary>
    public static float Step(
        ReadOnlySpan<float> hidden,
        Span<float> output,
        int target,
        NoiseDistribution noise,
        int negativeSamples,
        Generator generator,
        float learningRate,
        Span<float> hiddenGradient,
        bool computeLoss = false)
    {
        var dimensions = hidden.Length;
        System.Diagnostics.Debug.Assert(hiddenGradient.Length == dimensions);
        System.Diagnostics.Debug.Assert((long)(target + 1) * dimensions <= output.Length);
        var loss = 0f;
        for (var d = 0; d <= negativeSamples; d++)
        {
            int word;
            float label;
            if (d == 0)
            {
                word = target;
                label = 1f;
            }
            else
            {
                word = noise.Sample(generator);
                if (word == target)
                    continue;
                label = 0f;
            }
            var row = output.Slice(word * dimensions, dimensions);
            var score = TensorPrimitives.Dot(hidden, row);
            if (computeLoss)
                loss += label == 1f ? Softplus(-score) : Softplus(score);
            var gradient = (label - Sigmoid(score)) * learningRate;
            // Accumulate h's gradient with the row *before* the row moves, so both use the same point.
            TensorPrimitives.MultiplyAdd(row, gradient, hiddenGradient, hiddenGradient);
            TensorPrimitives.MultiplyAdd(hidden, gradient, row, row);
        }
        return loss;
    }

    // −log σ(−x) = log(1 + eˣ), written to stay finite for large |x|.
    private static float Softplus(float x) => x > 0 ? x + MathF.Log(1f + MathF.Exp(-x)) : MathF.Log(1f + MathF.Exp(x));
}
