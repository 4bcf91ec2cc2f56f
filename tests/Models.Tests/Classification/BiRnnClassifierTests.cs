// BiRnnClassifier: each pooling against a naive re-implementation on top of the recurrent layer's own
// outputs for the unpadded sequence (last = [→h at L−1; ←h at 0], masked mean, masked max, attention
// softmax), invariance of the logits to padding and garbage past each length for every pooling and both
// cells, finite differences through every parameter, attention weights and parameter names.
// Shape key: B = batch, T = time, E = embedding dim, H = hidden units per direction, K = classes.
using Pipeline.Models.Classification;
using Pipeline.Models.Nn.Recurrent;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Classification;

public class BiRnnClassifierTests
{
    private static BiRnnClassifier Build(ClassifierConfig config, ulong seed = 1)
    {
        var model = (BiRnnClassifier)TextClassifierModel.Create(config, new Generator(seed));
        model.Eval();
        return model;
    }

    /// <summary>Recurrent outputs (L, 2H) of one unpadded sequence, from the model's own recurrent layer.</summary>
    private static float[,] RecurrentOutputs(BiRnnClassifier model, int[] ids)
    {
        int dim = model.Config.EmbeddingDim, hidden = model.Config.HiddenSize, length = ids.Length;
        var x = new float[length * dim];
        for (int t = 0; t < length; t++)
            for (int e = 0; e < dim; e++)
            {
                x[t * dim + e] = model.Embedding.Weight.Data[ids[t] * dim + e];
                if (model.StaticEmbedding is { } s) x[t * dim + e] += s.Weight.Data[ids[t] * dim + e];
            }
        var rnn = model.NamedChildren().Single(c => c.Name == "rnn").Module;
        var input = Tensor.FromArray(x, 1, length, dim);
        var output = rnn is LSTM lstm ? lstm.Forward(input).Output : ((GRU)rnn).Forward(input).Output;   // (1, L, 2H)
        var result = new float[length, 2 * hidden];
        for (int t = 0; t < length; t++)
            for (int j = 0; j < 2 * hidden; j++) result[t, j] = output[0, t, j];
        return result;
    }

    /// <summary>Pooling and output layer written out for one sequence: logits (K).</summary>
    private static float[] NaiveLogits(BiRnnClassifier model, int[] ids)
    {
        var o = RecurrentOutputs(model, ids);
        int length = ids.Length, width = o.GetLength(1), hidden = width / 2;
        var s = new double[width];
        switch (model.Config.RnnPooling)
        {
            case RnnPooling.Last:
                for (int j = 0; j < hidden; j++) { s[j] = o[length - 1, j]; s[hidden + j] = o[0, hidden + j]; }
                break;
            case RnnPooling.Mean:
                for (int j = 0; j < width; j++) { for (int t = 0; t < length; t++) s[j] += o[t, j]; s[j] /= length; }
                break;
            case RnnPooling.Max:
                for (int j = 0; j < width; j++) { s[j] = double.NegativeInfinity; for (int t = 0; t < length; t++) s[j] = Math.Max(s[j], o[t, j]); }
                break;
            default:
                var att = model.Attention!;
                int size = att.AttentionSize;
                var score = new double[length];
                for (int t = 0; t < length; t++)
                    for (int a = 0; a < size; a++)
                    {
                        double u = att.Bias.Data[a];
                        for (int j = 0; j < width; j++) u += att.Weight.Data[a * width + j] * o[t, j];
                        score[t] += att.ScoreWeight.Data[a] * Math.Tanh(u);
                    }
                double max = score.Max(), z = score.Sum(v => Math.Exp(v - max));
                for (int t = 0; t < length; t++)
                    for (int j = 0; j < width; j++) s[j] += Math.Exp(score[t] - max) / z * o[t, j];
                break;
        }
        var logits = new float[model.Config.NumClasses];
        for (int k = 0; k < logits.Length; k++)
        {
            double v = model.Output.Bias!.Data[k];
            for (int j = 0; j < width; j++) v += model.Output.Weight.Data[k * width + j] * s[j];
            logits[k] = (float)v;
        }
        return logits;
    }

    [Theory]
    [InlineData(RnnPooling.Last, RnnCellType.Lstm, 1)]
    [InlineData(RnnPooling.Last, RnnCellType.Gru, 2)]
    [InlineData(RnnPooling.Mean, RnnCellType.Lstm, 1)]
    [InlineData(RnnPooling.Max, RnnCellType.Gru, 1)]
    [InlineData(RnnPooling.Attention, RnnCellType.Lstm, 2)]
    public void Forward_MatchesNaivePooling(RnnPooling pooling, RnnCellType cell, int layers)
    {
        var model = Build(ClassifierFixtures.Rnn(pooling, cell, layers, EmbeddingMode.Multichannel));
        var batch = ClassifierFixtures.Corpus(count: 5, maxLength: 7, seed: 4);
        var logits = ClassifierFixtures.Logits(model, batch);
        for (int b = 0; b < batch.BatchSize; b++)
        {
            var ids = batch.Ids[(b * batch.Length)..(b * batch.Length + batch.Lengths[b])];
            GradCheck.AssertClose(NaiveLogits(model, ids), logits.AsSpan(b * 3, 3), 1e-4f, 1e-4f);
        }
    }

    [Theory]
    [InlineData(RnnPooling.Last, RnnCellType.Lstm)]
    [InlineData(RnnPooling.Last, RnnCellType.Gru)]
    [InlineData(RnnPooling.Mean, RnnCellType.Lstm)]
    [InlineData(RnnPooling.Mean, RnnCellType.Gru)]
    [InlineData(RnnPooling.Max, RnnCellType.Lstm)]
    [InlineData(RnnPooling.Max, RnnCellType.Gru)]
    [InlineData(RnnPooling.Attention, RnnCellType.Lstm)]
    [InlineData(RnnPooling.Attention, RnnCellType.Gru)]
    public void Logits_IgnorePaddingAndGarbagePastEachLength(RnnPooling pooling, RnnCellType cell)
    {
        var model = Build(ClassifierFixtures.Rnn(pooling, cell, layers: 2));
        var batch = ClassifierFixtures.Corpus(count: 8, maxLength: 8);
        ClassifierFixtures.AssertLogitsIgnorePadding(model, batch, 8, 13);
    }

    [Theory]
    [InlineData(RnnPooling.Attention, RnnCellType.Lstm, 1)]
    [InlineData(RnnPooling.Last, RnnCellType.Gru, 2)]
    [InlineData(RnnPooling.Mean, RnnCellType.Lstm, 1)]
    [InlineData(RnnPooling.Max, RnnCellType.Gru, 1)]
    public void GradCheck_WholeNetwork(RnnPooling pooling, RnnCellType cell, int layers)
    {
        var config = new ClassifierConfig(ClassifierArchitecture.BiRnn, 5, 3)
        {
            EmbeddingDim = 3, HiddenSize = 2, RnnLayers = layers, RnnCell = cell, RnnPooling = pooling, AttentionSize = 2, Dropout = 0f,
            EmbeddingInitRange = 0f,   // N(0, 1) inputs: with tiny vectors max pooling can pick t = 0 everywhere and leave a path untested
        };
        var model = Build(config, seed: 31);
        int[] ids = [1, 4, 2, 3, 2, 4, 3, 1];                                            // lengths 2 and 4; garbage after the first
        int[] lengths = [2, 4];
        ClassifierFixtures.CheckGradients(model, () => model.Forward(ids, 2, 4, lengths));
    }

    [Fact]
    public void AttentionWeights_SumToOne_AndVanishPastEachLength()
    {
        var model = Build(ClassifierFixtures.Rnn(RnnPooling.Attention));
        var batch = ClassifierFixtures.Corpus(count: 4, maxLength: 6, seed: 5);
        using var scope = new TensorScope();
        var (logits, alpha) = model.ForwardWithAttention(batch.Ids, batch.BatchSize, batch.Length, batch.Lengths);
        Assert.Equal([4, 3], logits.ShapeArray());
        Assert.NotNull(alpha);
        Assert.Equal([4, 6], alpha!.ShapeArray());
        for (int b = 0; b < 4; b++)
        {
            double sum = 0;
            for (int t = 0; t < 6; t++)
            {
                if (t >= batch.Lengths[b]) Assert.Equal(0f, alpha[b, t]);
                sum += alpha[b, t];
            }
            Assert.Equal(1.0, sum, 5);
        }
        Assert.Null(Build(ClassifierFixtures.Rnn(RnnPooling.Mean)).ForwardWithAttention(batch.Ids, 4, 6, batch.Lengths).Attention);
    }

    [Fact]
    public void EmptySequences_ReadAsOnePaddingToken()
    {
        var model = Build(ClassifierFixtures.Rnn(RnnPooling.Attention));
        var empty = ClassifierFixtures.Logits(model, new TokenBatch([7, 9, 4, 0], 2, 2, [0, 2], [0, 0]));
        var padOnly = ClassifierFixtures.Logits(model, new TokenBatch([0], 1, 1, [1], [0]));
        GradCheck.AssertClose(padOnly, empty.AsSpan(0, 3), 1e-6f, 1e-6f);
        Assert.All(empty, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(3, ClassifierFixtures.Logits(model, new TokenBatch([], 1, 0, [0], [0])).Length);
    }

    [Fact]
    public void ParameterNames_FollowPyTorch()
    {
        var keys = Build(ClassifierFixtures.Rnn(RnnPooling.Attention, RnnCellType.Gru, layers: 2)).StateDict().Keys.ToArray();
        Assert.Contains("embedding.weight", keys);
        Assert.Contains("rnn.weight_ih_l0", keys);
        Assert.Contains("rnn.weight_hh_l1_reverse", keys);
        Assert.Contains("attention.score_weight", keys);
        Assert.Contains("fc.weight", keys);
        Assert.DoesNotContain("attention.weight", Build(ClassifierFixtures.Rnn(RnnPooling.Max)).StateDict().Keys);
    }
}
