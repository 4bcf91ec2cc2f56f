// Checks of the WordVectors queries used to judge word2vec (Mikolov et al. 2013): cosine nearest neighbours
// and 3CosAdd analogies on hand-built vectors whose answers are known, plus constructor validation.
using Pipeline.Models.Embeddings;

namespace Pipeline.Models.Tests.Embeddings;

public sealed class WordVectorsTests
{
    // Axes: (royalty, maleness, personhood), all people of length √3, so king − man + woman = queen exactly.
    private static WordVectors Royals() => new(
        ["king", "queen", "man", "woman", "apple", "pad"],
        [
            1, 1, 1,
            1, -1, 1,
            -1, 1, 1,
            -1, -1, 1,
            0, 0, 5,
            0, 0, 0,
        ],
        3);

    [Fact]
    public void MostSimilarRanksByCosineAndExcludesTheQuery()
    {
        // Angles from "x": 5.7°, 45°, 90°, 174°; lengths differ on purpose.
        var vectors = new WordVectors(["x", "far", "diagonal", "up", "near"], [1, 0, -1, 0.1f, 1, 1, 0, 1, 10, 1], 2);
        var neighbours = vectors.MostSimilar("x", 3);

        Assert.Equal(["near", "diagonal", "up"], neighbours.Select(n => n.Word));
        Assert.Equal(10 / MathF.Sqrt(101), neighbours[0].Similarity, 1e-6f);
        Assert.Equal(MathF.Sqrt(0.5f), neighbours[1].Similarity, 1e-6f);
        Assert.Equal(0f, neighbours[2].Similarity, 1e-6f);
    }

    [Fact]
    public void MostSimilarIgnoresLengthAndHandlesZeroVectors()
    {
        var vectors = Royals();
        // "apple" has length 5 but cosine 1 with the fruit axis; the zero "pad" row has similarity 0.
        var neighbours = vectors.MostSimilar([0f, 0f, 0.1f], 2);
        Assert.Equal("apple", neighbours[0].Word);
        Assert.Equal(1f, neighbours[0].Similarity, 1e-6f);
        Assert.Equal(0f, vectors.MostSimilar("pad", 5).Max(n => n.Similarity));
    }

    [Fact]
    public void MostSimilarReturnsAtMostTheOtherWords()
    {
        Assert.Equal(5, Royals().MostSimilar("king", 100).Count);
        Assert.Empty(Royals().MostSimilar("king", 0));
    }

    [Fact]
    public void AnalogyFindsTheOffsetAnswerAndSkipsTheQueryWords()
    {
        var answer = Royals().Analogy("man", "king", "woman", 2);
        Assert.Equal("queen", answer[0].Word);
        Assert.Equal(1f, answer[0].Similarity, 1e-6f);
        Assert.DoesNotContain(answer, a => a.Word is "man" or "king" or "woman");
    }

    [Fact]
    public void UnknownWordsAndBadShapesFailClearly()
    {
        var vectors = Royals();
        var missing = Assert.Throws<KeyNotFoundException>(() => vectors.MostSimilar("prince"));
        Assert.Contains("'prince'", missing.Message);
        Assert.Throws<ArgumentException>(() => vectors.MostSimilar([1f, 2f], 1));

        var wrongSize = Assert.Throws<ArgumentException>(() => new WordVectors(["a", "b"], new float[5], 3));
        Assert.Contains("need 6", wrongSize.Message);
        var duplicate = Assert.Throws<ArgumentException>(() => new WordVectors(["a", "a"], new float[2], 1));
        Assert.Contains("'a' appears twice", duplicate.Message);
    }

    [Fact]
    public void AccessorsExposeRowsAndTensor()
    {
        var vectors = Royals();
        Assert.Equal([1f, -1f, 1f], vectors.GetVector("queen").ToArray());
        Assert.Equal(1, vectors.IndexOf("queen"));
        Assert.Equal(-1, vectors.IndexOf("prince"));
        var tensor = vectors.ToTensor();
        Assert.Equal([6, 3], tensor.Shape.ToArray());
        Assert.Equal(vectors.Matrix.ToArray(), tensor.ToArray());
    }
}
