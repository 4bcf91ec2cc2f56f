// End-to-end check that the recurrent stack learns: a tiny next-token language model (embedding rows
// selected with IndexSelect → LSTM → projection to the vocabulary, loss = −mean log-softmax of the
// target via Gather) must overfit four sequences to near-zero loss with an inline Adam update, and two
// runs from the same seed must produce bit-identical loss curves.
// Shape key: B = batch, T = time, E = embedding size, H = hidden size, V = vocabulary.
using Pipeline.Models.Autograd;
using Pipeline.Models.Nn.Recurrent;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Recurrent;

public class LanguageModelOverfitTests
{
    private const int Vocabulary = 8, Embedding = 8, Hidden = 16;

    // Every prefix determines its next token, so a perfect fit (loss → 0) is possible.
    private static readonly int[][] Sequences =
    [
        [1, 2, 3, 4, 5, 6],
        [2, 4, 6, 1, 3, 5],
        [7, 6, 5, 4, 3, 2],
        [3, 1, 4, 1, 5, 7],
    ];

    private static float[] Train(ulong seed, int steps)
    {
        var g = new Generator(seed);
        var embedding = Tensor.Randn(g, [Vocabulary, Embedding]).WithGrad();                                  // (V, E)
        var lstm = new LSTM(new RecurrentOptions(Embedding, Hidden), g);
        float bound = 1f / MathF.Sqrt(Hidden);
        var outWeight = Tensor.Rand(g, [Vocabulary, Hidden], -bound, bound).WithGrad();                      // (V, H)
        var outBias = Tensor.Zeros(Vocabulary).WithGrad();                                                   // (V)
        Tensor[] parameters = [embedding, outWeight, outBias, .. lstm.Parameters()];

        int batch = Sequences.Length, time = Sequences[0].Length - 1;
        var inputs = Sequences.SelectMany(s => s[..^1]).ToArray();    // (B·T)
        var targets = Sequences.SelectMany(s => s[1..]).ToArray();    // (B·T)

        // Adam (β1 0.9, β2 0.999, lr 0.02) written inline; the optimizer classes live on another branch.
        var m = parameters.Select(p => new float[p.Length]).ToArray();
        var v = parameters.Select(p => new float[p.Length]).ToArray();
        const float lr = 0.02f, beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-8f;
        var losses = new float[steps];
        for (int step = 0; step < steps; step++)
        {
            using (var scope = new TensorScope())
            {
                var x = Tensor.IndexSelect(embedding, 0, inputs).Reshape(batch, time, Embedding);        // (B, T, E)
                var (output, _, _) = lstm.Forward(x);                                                   // (B, T, H)
                var logits = Tensor.MatMul(output, outWeight, transposeB: true) + outBias;              // (B, T, V)
                var logProbs = Tensor.LogSoftmax(logits.Reshape(batch * time, Vocabulary), 1);          // (B·T, V)
                var loss = -Tensor.MeanAll(Tensor.Gather(logProbs, 1, targets));
                foreach (var p in parameters) p.ZeroGrad();
                loss.Backward();
                losses[step] = loss.Item();
            }
            using var noGrad = GradMode.NoGrad();
            float c1 = 1f - MathF.Pow(beta1, step + 1), c2 = 1f - MathF.Pow(beta2, step + 1);
            for (int k = 0; k < parameters.Length; k++)
            {
                var w = parameters[k].Data; var gr = parameters[k].Grad!.Data;
                for (int i = 0; i < w.Length; i++)
                {
                    m[k][i] = beta1 * m[k][i] + (1 - beta1) * gr[i];
                    v[k][i] = beta2 * v[k][i] + (1 - beta2) * gr[i] * gr[i];
                    w[i] -= lr * (m[k][i] / c1) / (MathF.Sqrt(v[k][i] / c2) + epsilon);
                }
            }
        }
        return losses;
    }

    [Fact]
    public void Overfits_a_tiny_batch_and_is_bit_reproducible()
    {
        const int steps = 80;
        var first = Train(2024, steps);
        Assert.True(first[0] > 1.5f, $"initial loss {first[0]} should be near ln 8 ≈ 2.08");
        Assert.True(first[^1] < 0.05f, $"final loss {first[^1]} did not reach 0.05 (start {first[0]})");
        var second = Train(2024, steps);
        Assert.Equal(first, second);   // exact float equality: same seed ⇒ same run
    }
}
