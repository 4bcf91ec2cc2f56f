// The classifiers learn: every architecture, pooling and embedding mode overfits a 16-sequence, 3-class
// corpus (the class is one marker token at a random position) to 100 % train accuracy and a loss below 0.05
// with Adam. Also: static word vectors stay bit-for-bit unchanged by training, non-static ones move, and
// multichannel keeps one frozen and one tuned table.
using Pipeline.Models.Classification;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Classification;

public class ClassifierTrainingTests
{
    [Theory]
    [InlineData(EmbeddingMode.Rand, CnnPooling.Max)]
    [InlineData(EmbeddingMode.Static, CnnPooling.Max)]
    [InlineData(EmbeddingMode.NonStatic, CnnPooling.KMax)]
    [InlineData(EmbeddingMode.Multichannel, CnnPooling.Max)]
    public void TextCnn_OverfitsTinyCorpus(EmbeddingMode mode, CnnPooling pooling)
    {
        var batch = ClassifierFixtures.Corpus();
        var model = TextClassifierModel.Create(ClassifierFixtures.Cnn(mode, pooling), new Generator(1));
        float loss = ClassifierFixtures.Train(model, batch, steps: 100, learningRate: 0.03);
        Assert.True(loss < 0.05f, $"final loss {loss}");
        Assert.Equal(1.0, ClassifierFixtures.Accuracy(model, batch));
    }

    [Theory]
    [InlineData(RnnPooling.Last, RnnCellType.Lstm, 1, EmbeddingMode.Rand)]
    [InlineData(RnnPooling.Mean, RnnCellType.Gru, 1, EmbeddingMode.NonStatic)]
    [InlineData(RnnPooling.Max, RnnCellType.Lstm, 2, EmbeddingMode.Rand)]
    [InlineData(RnnPooling.Attention, RnnCellType.Lstm, 1, EmbeddingMode.Multichannel)]
    [InlineData(RnnPooling.Attention, RnnCellType.Gru, 2, EmbeddingMode.Static)]
    public void BiRnn_OverfitsTinyCorpus(RnnPooling pooling, RnnCellType cell, int layers, EmbeddingMode mode)
    {
        var batch = ClassifierFixtures.Corpus();
        var model = TextClassifierModel.Create(ClassifierFixtures.Rnn(pooling, cell, layers, mode), new Generator(2));
        float loss = ClassifierFixtures.Train(model, batch, steps: 60, learningRate: 0.03);
        Assert.True(loss < 0.05f, $"final loss {loss}");
        Assert.Equal(1.0, ClassifierFixtures.Accuracy(model, batch));
    }

    [Theory]
    [InlineData(ClassifierArchitecture.TextCnn)]
    [InlineData(ClassifierArchitecture.BiRnn)]
    public void StaticEmbedding_IsUnchangedByTraining_NonStaticChanges(ClassifierArchitecture architecture)
    {
        var batch = ClassifierFixtures.Corpus();
        ClassifierConfig Config(EmbeddingMode mode) =>
            architecture == ClassifierArchitecture.TextCnn ? ClassifierFixtures.Cnn(mode) : ClassifierFixtures.Rnn(mode: mode);

        var frozen = TextClassifierModel.Create(Config(EmbeddingMode.Static), new Generator(3));
        Assert.DoesNotContain(frozen.Embedding.Weight, frozen.Parameters());
        var before = frozen.Embedding.Weight.ToArray();
        ClassifierFixtures.Train(frozen, batch, steps: 5);
        Assert.Equal(before, frozen.Embedding.Weight.ToArray());

        var tuned = TextClassifierModel.Create(Config(EmbeddingMode.NonStatic), new Generator(3));
        Assert.Contains(tuned.Embedding.Weight, tuned.Parameters());
        before = tuned.Embedding.Weight.ToArray();
        ClassifierFixtures.Train(tuned, batch, steps: 5);
        var after = tuned.Embedding.Weight.ToArray();
        int dim = tuned.Config.EmbeddingDim, used = batch.Ids[0];
        Assert.NotEqual(before.AsSpan(used * dim, dim).ToArray(), after.AsSpan(used * dim, dim).ToArray());   // a token of the corpus moves…
        Assert.Equal(before.AsSpan(0, dim).ToArray(), after.AsSpan(0, dim).ToArray());                        // …the padding row does not
    }

    [Fact]
    public void Multichannel_HasTwoTables_OnlyTheTunedOneTrains()
    {
        var batch = ClassifierFixtures.Corpus();
        var model = TextClassifierModel.Create(ClassifierFixtures.Cnn(EmbeddingMode.Multichannel), new Generator(4));
        Assert.Equal(2, model.Embeddings.Count);
        Assert.NotNull(model.StaticEmbedding);
        Assert.True(model.StaticEmbedding!.IsFrozen);
        Assert.False(model.Embedding.IsFrozen);
        Assert.Equal(model.Embedding.Weight.ToArray(), model.StaticEmbedding.Weight.ToArray());   // same start
        var keys = model.StateDict().Keys.ToArray();
        Assert.Contains("embedding.weight", keys);
        Assert.Contains("embedding_static.weight", keys);

        var staticBefore = model.StaticEmbedding.Weight.ToArray();
        ClassifierFixtures.Train(model, batch, steps: 5);
        Assert.Equal(staticBefore, model.StaticEmbedding.Weight.ToArray());
        Assert.NotEqual(staticBefore, model.Embedding.Weight.ToArray());

        var single = TextClassifierModel.Create(ClassifierFixtures.Cnn(EmbeddingMode.NonStatic), new Generator(4));
        Assert.Single(single.Embeddings);
        Assert.Null(single.StaticEmbedding);
    }
}
