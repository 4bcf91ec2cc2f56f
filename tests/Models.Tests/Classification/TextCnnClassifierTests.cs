// TextCnnClassifier: the whole forward pass against a textbook re-implementation (nested loops over
// windows, max / k-max pooling, ReLU, linear), sequences shorter than the widest filter, invariance of the
// logits to padding and to garbage past each length, finite differences through every parameter, the
// max-norm constraint and parameter names.
// Shape key: B = batch, T = time, E = embedding dim, C = feature maps per width, K = classes.
using Pipeline.Models.Classification;
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Classification;

public class TextCnnClassifierTests
{
    /// <summary>Kim (2014) forward for one sequence, written out: logits (K).</summary>
    private static float[] NaiveLogits(TextCnnClassifier model, int[] ids, int length)
    {
        var config = model.Config;
        int dim = config.EmbeddingDim, maps = config.FeatureMaps;
        int slots = config.CnnPooling == CnnPooling.KMax ? config.KMax : 1;
        // Word vectors of the real tokens; any position past the sequence is the zero padding vector.
        double Vector(int t, int e)
        {
            if (t >= length) return 0;
            double v = model.Embedding.Weight.Data[ids[t] * dim + e];
            if (model.StaticEmbedding is { } s) v += s.Weight.Data[ids[t] * dim + e];
            return v;
        }
        var features = new List<double>();
        foreach (var conv in model.Convolutions)
        {
            int h = conv.Width, windows = Math.Max(length, h) - h + 1;
            var responses = new double[windows, maps];                                   // c_t per map
            for (int t = 0; t < windows; t++)
                for (int o = 0; o < maps; o++)
                {
                    double s = 0;
                    for (int j = 0; j < h; j++)
                        for (int e = 0; e < dim; e++) s += conv.Weight.Data[(o * h + j) * dim + e] * Vector(t + j, e);
                    responses[t, o] = s;
                }
            var pooled = new double[slots, maps];                                         // (k, C), empty slots 0
            for (int o = 0; o < maps; o++)
            {
                var top = Enumerable.Range(0, windows).OrderByDescending(t => responses[t, o]).ThenBy(t => t)
                    .Take(slots).OrderBy(t => t).ToArray();
                for (int j = 0; j < top.Length; j++) pooled[j, o] = responses[top[j], o];
            }
            for (int j = 0; j < slots; j++)
                for (int o = 0; o < maps; o++) features.Add(Math.Max(0, pooled[j, o] + conv.Bias.Data[o]));
        }
        var logits = new float[config.NumClasses];
        for (int k = 0; k < logits.Length; k++)
        {
            double s = model.Output.Bias!.Data[k];
            for (int f = 0; f < features.Count; f++) s += model.Output.Weight.Data[k * features.Count + f] * features[f];
            logits[k] = (float)s;
        }
        return logits;
    }

    private static TextCnnClassifier Build(ClassifierConfig config, ulong seed = 1)
    {
        var model = (TextCnnClassifier)TextClassifierModel.Create(config, new Generator(seed));
        model.Eval();
        return model;
    }

    [Theory]
    [InlineData(EmbeddingMode.Rand, CnnPooling.Max)]
    [InlineData(EmbeddingMode.Multichannel, CnnPooling.Max)]
    [InlineData(EmbeddingMode.NonStatic, CnnPooling.KMax)]
    public void Forward_MatchesNaiveReference_IncludingShortSequences(EmbeddingMode mode, CnnPooling pooling)
    {
        var model = Build(ClassifierFixtures.Cnn(mode, pooling));
        // Widths 2, 3, 4: lengths 1 and 3 are shorter than the widest filter.
        var batch = ClassifierFixtures.Corpus(count: 6, maxLength: 6, seed: 3) with { Lengths = [1, 3, 6, 2, 5, 4] };
        var logits = ClassifierFixtures.Logits(model, batch);                             // (B·K)
        for (int b = 0; b < batch.BatchSize; b++)
        {
            var expected = NaiveLogits(model, batch.Ids[(b * batch.Length)..((b + 1) * batch.Length)], batch.Lengths[b]);
            GradCheck.AssertClose(expected, logits.AsSpan(b * 3, 3), 1e-4f, 1e-4f);
        }
    }

    [Fact]
    public void Forward_HandlesBatchesShorterThanEveryFilter_AndEmptySequences()
    {
        var model = Build(ClassifierFixtures.Cnn());
        var logits = ClassifierFixtures.Logits(model, new TokenBatch([5, 6, 0], 3, 1, [1, 1, 0], [0, 1, 2]));
        Assert.Equal(9, logits.Length);
        GradCheck.AssertClose(NaiveLogits(model, [5], 1), logits.AsSpan(0, 3), 1e-4f, 1e-4f);
        GradCheck.AssertClose(NaiveLogits(model, [0], 0), logits.AsSpan(6, 3), 1e-4f, 1e-4f);
    }

    [Theory]
    [InlineData(CnnPooling.Max, EmbeddingMode.Rand)]
    [InlineData(CnnPooling.KMax, EmbeddingMode.Multichannel)]
    public void Logits_IgnorePaddingAndGarbagePastEachLength(CnnPooling pooling, EmbeddingMode mode)
    {
        var model = Build(ClassifierFixtures.Cnn(mode, pooling));
        var batch = ClassifierFixtures.Corpus(count: 8, maxLength: 8);
        ClassifierFixtures.AssertLogitsIgnorePadding(model, batch, 8, 9, 20);
    }

    [Theory]
    [InlineData(CnnPooling.Max, EmbeddingMode.NonStatic)]
    [InlineData(CnnPooling.KMax, EmbeddingMode.Multichannel)]
    public void GradCheck_WholeNetwork(CnnPooling pooling, EmbeddingMode mode)
    {
        var config = new ClassifierConfig(ClassifierArchitecture.TextCnn, 6, 3)
        {
            EmbeddingDim = 3, FilterWidths = [1, 3], FeatureMaps = 2, CnnPooling = pooling, KMax = 2, Dropout = 0f, EmbeddingMode = mode,
            EmbeddingInitRange = 0f,   // N(0, 1) inputs: with tiny vectors the bias can hold a whole 2-map filter below zero
        };
        var model = (TextCnnClassifier)TextClassifierModel.Create(config, new Generator(21));
        // Lengths 2 (shorter than width 3) and 5; garbage after the first sequence.
        int[] ids = [1, 4, 5, 2, 3, 2, 5, 3, 1, 4];
        int[] lengths = [2, 5];
        ClassifierFixtures.CheckGradients(model, () => model.Forward(ids, 2, 5, lengths));
    }

    [Fact]
    public void ApplyConstraints_RescalesOutputRowsAboveMaxNorm()
    {
        var model = Build(ClassifierFixtures.Cnn() with { MaxNorm = 3f });
        var w = model.Output.Weight;                                                     // (K, F)
        int features = w.Size(1);
        for (int f = 0; f < features; f++) { w.Data[f] *= 100f; w.Data[2 * features + f] *= 1e-3f; }   // row 0 too long, row 2 tiny
        var smallRow = w.Data.Slice(2 * features, features).ToArray();
        model.ApplyConstraints();
        for (int k = 0; k < 3; k++)
        {
            double norm = Math.Sqrt(w.Data.Slice(k * features, features).ToArray().Sum(v => (double)v * v));
            Assert.True(norm <= 3.0 + 1e-4, $"row {k} has norm {norm}");
        }
        double first = Math.Sqrt(w.Data.Slice(0, features).ToArray().Sum(v => (double)v * v));
        Assert.Equal(3.0, first, 3);
        Assert.Equal(smallRow, w.Data.Slice(2 * features, features).ToArray());      // rows inside the ball are untouched

        var unconstrained = Build(ClassifierFixtures.Cnn() with { MaxNorm = null });
        unconstrained.Output.Weight.Data[0] = 50f;
        unconstrained.ApplyConstraints();
        Assert.Equal(50f, unconstrained.Output.Weight.Data[0]);
    }

    [Fact]
    public void ParameterNames_FollowThePyTorchPort()
    {
        var model = Build(ClassifierFixtures.Cnn(EmbeddingMode.Multichannel));
        var state = model.StateDict();
        Assert.Equal(
            ["embedding.weight", "embedding_static.weight", "convs.0.weight", "convs.0.bias", "convs.1.weight", "convs.1.bias",
             "convs.2.weight", "convs.2.bias", "fc.weight", "fc.bias"],
            state.Keys.ToArray());
        Assert.Equal([8, 1, 3, 16], state["convs.1.weight"].ShapeArray());              // (C, 1, h, E) = Conv2d(1, C, (h, E))
        Assert.Equal([3, 24], state["fc.weight"].ShapeArray());                          // (K, widths·C)
        Assert.Equal(24, model.FeatureCount);
        Assert.Equal(48, Build(ClassifierFixtures.Cnn(pooling: CnnPooling.KMax)).FeatureCount);
    }

    [Fact]
    public void Forward_RejectsBadInput_NamingTheProblem()
    {
        var model = Build(ClassifierFixtures.Cnn());
        var tooFew = Assert.Throws<ArgumentException>(() => model.Forward([1, 2, 3], 2, 2, [2, 2]));
        Assert.Contains("3 token ids", tooFew.Message);
        var tooLong = Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward([1, 2, 3, 4], 2, 2, [2, 3]));
        Assert.Contains("row 1", tooLong.Message);
        var outside = Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward([1, 99, 3, 4], 2, 2, [2, 2]));
        Assert.Contains("position 1", outside.Message);
        // Out-of-vocabulary garbage past a length is ignored.
        Assert.Equal([2, 3], model.Forward([1, 99, 3, 4], 2, 2, [1, 2]).ShapeArray());
    }
}
