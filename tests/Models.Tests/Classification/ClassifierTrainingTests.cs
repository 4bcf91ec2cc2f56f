// The classifiers learn: every architecture, pooling and embedding mode overfits a 16-sequence, 3-class
// corpus (the class is one marker token at a random position) to 100 % train accuracy and a loss below 0.05
// with Adam, also with the NB n-gram branch and word dropout. Also: word dropout reads every dropped token
// as <unk> in training only; static word vectors stay bit-for-bit unchanged by training, non-static ones
// move, and multichannel keeps one frozen and one tuned table.
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
    public void WithNgramBranchAndWordDropout_OverfitsTinyCorpus_WithTheTrainersObjective(ClassifierArchitecture architecture)
    {
        var batch = ClassifierFixtures.Corpus();
        var sequences = Enumerable.Range(0, batch.BatchSize).Select(b => batch.Ids.AsSpan(b * batch.Length, batch.Lengths[b]).ToArray()).ToArray();
        var table = NaiveBayesNgrams.Fit(sequences, batch.Labels, ClassifierFixtures.Classes, order: 2);
        var config = (architecture == ClassifierArchitecture.TextCnn ? ClassifierFixtures.Cnn() : ClassifierFixtures.Rnn())
            with { NgramOrder = 2, NgramFeatures = table.Count, WordDropout = 0.1f, NgramNormalization = NgramNormalization.L1, NgramScale = 6f };
        var model = TextClassifierModel.Create(config, new Generator(5));
        model.Ngrams!.Load(table);
        // As the trainer does: leave-one-out ratios (targets given) and the network's own loss added.
        float loss = ClassifierFixtures.Train(model, batch, steps: 80, learningRate: 0.03, networkLossWeight: 1f);
        Assert.True(loss < 0.05f, $"final loss {loss}");
        Assert.Equal(1.0, ClassifierFixtures.Accuracy(model, batch));
        Assert.Contains(model.Ngrams.Weight.ToArray(), w => w != 0f);                    // the n-gram weights learned too
    }

    [Theory]
    [InlineData(ClassifierArchitecture.TextCnn)]
    [InlineData(ClassifierArchitecture.BiRnn)]
    public void WordDropout_InTrainingReplacesTokensByUnknown_EvalUntouched(ClassifierArchitecture architecture)
    {
        var batch = ClassifierFixtures.Corpus(count: 6);
        var config = (architecture == ClassifierArchitecture.TextCnn ? ClassifierFixtures.Cnn() : ClassifierFixtures.Rnn()) with { Dropout = 0f };
        var dropping = TextClassifierModel.Create(config with { WordDropout = 0.9999f }, new Generator(6));
        var plain = TextClassifierModel.Create(config, new Generator(6));
        plain.Eval(); dropping.Eval();
        Assert.Equal(ClassifierFixtures.Logits(plain, batch), ClassifierFixtures.Logits(dropping, batch));      // eval: no word dropout
        // Training mode with p ≈ 1: every real token reads as <unk> (id 1), padding stays padding.
        var unknown = batch with { Ids = batch.Ids.Select((id, i) => i % batch.Length < batch.Lengths[i / batch.Length] ? config.UnknownId : 0).ToArray() };
        dropping.Train();
        float[] trained;
        using (var scope = new TensorScope()) trained = dropping.Forward(batch.Ids, batch.BatchSize, batch.Length, batch.Lengths).ToArray();
        Assert.Equal(ClassifierFixtures.Logits(plain, unknown), trained);
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
