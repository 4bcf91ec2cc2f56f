// Building embedding-layer weights for a Vocabulary from pre-trained vectors (word2vec, Mikolov et al. 2013):
// found rows are copied, <pad> is zero, the rest are seeded N(0, σ²) with σ from the file, and coverage is
// counted over regular tokens only.
using Pipeline.Classification;
using Pipeline.Models.Embeddings;
using Pipeline.Models.Tests.Embeddings;
using Pipeline.Preprocessing.Text;

namespace Pipeline.Tests.Classification;

public sealed class WordVectorsEmbeddingMatrixTests
{
    private static readonly WordVectors Pretrained = new(
        ["good", "bad", "movie", "<unk>"],
        [
            1, 2,
            -1, -2,
            3, 0,
            9, 9,
        ],
        2);

    private static Vocabulary Vocab(params string[] regular) => Vocabulary.FromTokens([.. Vocabulary.SpecialTokens, .. regular]);

    [Fact]
    public void FoundRowsAreCopiedPadIsZeroAndCoverageCountsRegularTokens()
    {
        var vocabulary = Vocab("movie", "Good", "plot", "bad");
        var matrix = WordVectorsEmbeddingMatrix.Build(vocabulary, Pretrained);

        Assert.Equal((8, 2), (matrix.Rows, matrix.Dimensions));
        Assert.Equal(16, matrix.Weights.Length);
        Assert.Equal([0f, 0f], Row(matrix, Vocabulary.PadId));
        Assert.Equal([9f, 9f], Row(matrix, Vocabulary.UnknownId)); // the file has a literal <unk>
        Assert.Equal([3f, 0f], Row(matrix, vocabulary.GetId("movie")));
        Assert.Equal([1f, 2f], Row(matrix, vocabulary.GetId("Good"))); // lower-case fallback
        Assert.Equal([-1f, -2f], Row(matrix, vocabulary.GetId("bad")));
        Assert.Equal(3, matrix.Found);
        Assert.Equal(4, matrix.RegularTokens);
        Assert.Equal(0.75, matrix.Coverage);
        Assert.Equal(["plot"], matrix.MissingSample);
    }

    [Fact]
    public void MissingRowsAreSeededNormalsOnTheVectorsScale()
    {
        // Many missing tokens so the sample standard deviation of the random rows is measurable.
        var tokens = Enumerable.Range(0, 2000).Select(i => $"w{i}").ToArray();
        var vocabulary = Vocab(tokens);
        var first = WordVectorsEmbeddingMatrix.Build(vocabulary, Pretrained, new EmbeddingMatrixOptions(Seed: 5));
        var second = WordVectorsEmbeddingMatrix.Build(vocabulary, Pretrained, new EmbeddingMatrixOptions(Seed: 5));
        var other = WordVectorsEmbeddingMatrix.Build(vocabulary, Pretrained, new EmbeddingMatrixOptions(Seed: 6));

        // σ of the 8 file values {1,2,-1,-2,3,0,9,9}: mean 2.625, E[x²] = 181/8.
        var expectedStd = MathF.Sqrt(181f / 8 - 2.625f * 2.625f);
        Assert.Equal(expectedStd, first.RandomStd, 1e-5f);
        var random = first.Weights.AsSpan(4 * 2).ToArray();
        var sampleStd = Math.Sqrt(random.Select(v => (double)v * v).Average());
        // 4000 draws: the sample σ is within ~1.1% (1 standard error) of σ; 5% leaves a wide, seeded margin.
        Assert.InRange(sampleStd, 0.95 * expectedStd, 1.05 * expectedStd);
        Assert.Equal(first.Weights, second.Weights);
        Assert.NotEqual(first.Weights, other.Weights);
        Assert.Equal(0.0, first.Coverage);
        Assert.Equal(20, first.MissingSample.Count);
    }

    [Fact]
    public void LowerCaseFallbackCanBeTurnedOff()
    {
        var vocabulary = Vocab("Good");
        var matrix = WordVectorsEmbeddingMatrix.Build(vocabulary, Pretrained, new EmbeddingMatrixOptions(LowerCaseFallback: false));
        Assert.Equal(0, matrix.Found);
        Assert.Equal(["Good"], matrix.MissingSample);
    }

    [Fact]
    public void TensorHasTheVocabularyShape()
    {
        var matrix = WordVectorsEmbeddingMatrix.Build(Vocab("good"), Pretrained);
        var tensor = matrix.ToTensor();
        Assert.Equal([5, 2], tensor.Shape.ToArray());
        Assert.Equal(matrix.Weights, tensor.ToArray());
        Assert.Contains("1/1 tokens found (100.0%)", matrix.ToString());
    }

    [Fact]
    public void VectorsReadFromAFileFeedTheMatrix()
    {
        using var file = TempVectorFile.WithText("the 0.5 0.5\nfilm 1 -1\n");
        var vectors = WordVectorsReader.Read(file.Path).Vectors;
        var matrix = WordVectorsEmbeddingMatrix.Build(Vocab("film", "the", "dull"), vectors);
        Assert.Equal(2.0 / 3, matrix.Coverage, 12);
        Assert.Equal([1f, -1f], Row(matrix, 4));
    }

    private static float[] Row(EmbeddingMatrix matrix, int id) => matrix.Weights.AsSpan(id * matrix.Dimensions, matrix.Dimensions).ToArray();
}
