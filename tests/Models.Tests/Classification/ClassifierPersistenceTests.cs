// What a trained classifier carries around: save/load through Checkpoint gives identical logits,
// pre-trained vectors land in every embedding table, class weights change the loss exactly as
// Σ w[y]·(−log p[y]) / Σ w[y], and eval-mode inference gives the same answers from many threads.
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Classification;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Classification;

public class ClassifierPersistenceTests
{
    [Theory]
    [InlineData(ClassifierArchitecture.TextCnn, EmbeddingMode.Multichannel)]
    [InlineData(ClassifierArchitecture.BiRnn, EmbeddingMode.Static)]
    public void CheckpointRoundTrip_GivesIdenticalLogits(ClassifierArchitecture architecture, EmbeddingMode mode)
    {
        var config = architecture == ClassifierArchitecture.TextCnn ? ClassifierFixtures.Cnn(mode) : ClassifierFixtures.Rnn(mode: mode);
        var batch = ClassifierFixtures.Corpus();
        var model = TextClassifierModel.Create(config, new Generator(1));
        ClassifierFixtures.Train(model, batch, steps: 3);                    // move away from the initialisation
        var expected = ClassifierFixtures.Logits(model, batch);
        var directory = Path.Combine(Path.GetTempPath(), "cls-ckpt-" + Guid.NewGuid().ToString("N"));
        try
        {
            Checkpoint.Save(directory, model, model.Config);
            var restored = TextClassifierModel.Create(Checkpoint.LoadConfig<ClassifierConfig>(directory), new Generator(999));
            Assert.NotEqual(expected, ClassifierFixtures.Logits(restored.WithEval(), batch));
            Checkpoint.LoadModel(directory, restored);
            Assert.IsType(model.GetType(), restored);
            Assert.Equal(expected, ClassifierFixtures.Logits(restored.WithEval(), batch));
            Assert.Equal(model.Embeddings.Select(e => e.IsFrozen), restored.Embeddings.Select(e => e.IsFrozen));
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Theory]
    [InlineData(EmbeddingMode.Static)]
    [InlineData(EmbeddingMode.NonStatic)]
    [InlineData(EmbeddingMode.Multichannel)]
    public void LoadPretrained_CopiesRowsIntoEveryTable(EmbeddingMode mode)
    {
        var model = TextClassifierModel.Create(ClassifierFixtures.Cnn(mode), new Generator(2));
        int rows = ClassifierFixtures.Vocabulary, dims = 16;
        var matrix = Tensor.Randn(new Generator(3), [rows, dims]).ToArray();
        model.LoadPretrained(matrix, rows, dims);
        foreach (var table in model.Embeddings)
        {
            var w = table.Weight.Data;
            Assert.All(w[..dims].ToArray(), v => Assert.Equal(0f, v));                        // padding row stays zero
            Assert.Equal(matrix[dims..], w[dims..].ToArray());                                 // every other row identical
        }
        Assert.Throws<ArgumentException>(() => model.LoadPretrained(matrix, rows, dims + 1));
        Assert.Throws<ArgumentException>(() => model.LoadPretrained(matrix[..^1], rows, dims));
    }

    [Fact]
    public void ClassWeights_WeightTheMeanAsTheFormulaSays()
    {
        float[] weights = [0.5f, 2f, 4f];
        var plain = TextClassifierModel.Create(ClassifierFixtures.Cnn(), new Generator(4));
        var weighted = TextClassifierModel.Create(ClassifierFixtures.Cnn() with { ClassWeights = weights }, new Generator(4));
        var logits = Tensor.Randn(new Generator(5), [5, 3]);
        int[] targets = [0, 2, 1, 2, 0];
        double numerator = 0, denominator = 0, unweighted = 0;
        for (int i = 0; i < 5; i++)
        {
            double max = Enumerable.Range(0, 3).Max(k => (double)logits[i, k]);
            double logZ = max + Math.Log(Enumerable.Range(0, 3).Sum(k => Math.Exp(logits[i, k] - max)));
            double nll = logZ - logits[i, targets[i]];
            numerator += weights[targets[i]] * nll;
            denominator += weights[targets[i]];
            unweighted += nll / 5;
        }
        // float32 loss vs double reference: 1e-5 relative covers the rounding of a handful of log-sum-exps.
        Assert.Equal(numerator / denominator, weighted.Loss(logits, targets).Item(), 1e-5 * numerator / denominator);
        Assert.Equal(unweighted, plain.Loss(logits, targets).Item(), 1e-5 * unweighted);
        Assert.NotEqual(plain.Loss(logits, targets).Item(), weighted.Loss(logits, targets).Item());
    }

    [Theory]
    [InlineData(ClassifierArchitecture.TextCnn)]
    [InlineData(ClassifierArchitecture.BiRnn)]
    public void EvalInference_IsThreadSafe(ClassifierArchitecture architecture)
    {
        // Sizes large enough that the matrix products take the packed, multi-threaded SGEMM path.
        var config = architecture == ClassifierArchitecture.TextCnn
            ? ClassifierFixtures.Cnn() with { EmbeddingDim = 32, FeatureMaps = 32 }
            : ClassifierFixtures.Rnn() with { EmbeddingDim = 32, HiddenSize = 32 };
        var model = TextClassifierModel.Create(config, new Generator(6)).WithEval();
        var batches = Enumerable.Range(0, 8).Select(i => ClassifierFixtures.Corpus(count: 24 + i, maxLength: 32, seed: (ulong)(20 + i))).ToArray();
        var serial = batches.Select(b => model.PredictProbabilities(b.Ids, b.BatchSize, b.Length, b.Lengths)).ToArray();
        var parallel = new float[16][];
        Parallel.For(0, parallel.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var b = batches[i % batches.Length];
            parallel[i] = model.PredictProbabilities(b.Ids, b.BatchSize, b.Length, b.Lengths);
        });
        for (int i = 0; i < parallel.Length; i++) Assert.Equal(serial[i % batches.Length], parallel[i]);
        foreach (var p in serial)
            for (int b = 0; b < p.Length / 3; b++) Assert.Equal(1.0, p[b * 3] + p[b * 3 + 1] + (double)p[b * 3 + 2], 5);
    }
}

internal static class ModelTestExtensions
{
    /// <summary>Switches to eval mode and returns the model (fluent, for tests).</summary>
    public static TextClassifierModel WithEval(this TextClassifierModel model)
    {
        model.Eval();
        return model;
    }
}
