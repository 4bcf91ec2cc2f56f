// Tests for VocabularyBuilder/Vocabulary: special ids, frequency order, stable ties, limits, save/load and validation.
using Pipeline.Preprocessing.Text;

namespace Pipeline.Preprocessing.Tests.Text;

public sealed class VocabularyTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vocab-tests").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static readonly IReadOnlyList<string>[] Corpus =
    [
        ["a", "dog", "runs", "."],
        ["a", "cat", "sits", "."],
        ["the", "dog", "sits", "<pad>"],
    ];

    [Fact]
    public void IdsFollowFrequencyThenOrdinalOrder()
    {
        var vocabulary = new VocabularyBuilder().Fit(Corpus);
        // Counts: "." 2, a 2, dog 2, sits 2, then cat 1, runs 1, the 1; ties in ordinal order; "<pad>" is not counted.
        Assert.Equal(["<pad>", "<unk>", "<start>", "<end>", ".", "a", "dog", "sits", "cat", "runs", "the"], vocabulary.Tokens);
        Assert.Equal([2, 5, 6, 9, 3], vocabulary.Encode(["a", "dog", "runs"], addStartAndEnd: true));
        Assert.Equal(Vocabulary.UnknownId, vocabulary.GetId("zebra"));
    }

    [Fact]
    public void IdsDoNotDependOnInputOrder()
    {
        var forward = new VocabularyBuilder().Fit(Corpus);
        var backward = new VocabularyBuilder().Fit(Corpus.Reverse());
        Assert.Equal(forward.Tokens, backward.Tokens);
    }

    [Fact]
    public void MinFrequencyAndMaxSizeLimit()
    {
        Assert.Equal(8, new VocabularyBuilder(new VocabularyOptions(MinFrequency: 2)).Fit(Corpus).Count);
        Assert.Equal(["<pad>", "<unk>", "<start>", "<end>", ".", "a"], new VocabularyBuilder(new VocabularyOptions(MaxSize: 6)).Fit(Corpus).Tokens);
        Assert.Throws<ArgumentOutOfRangeException>(() => new VocabularyBuilder(new VocabularyOptions(MinFrequency: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VocabularyBuilder(new VocabularyOptions(MaxSize: 3)));
    }

    [Fact]
    public void DecodeStopsAtEndAndSkipsPadAndStart()
    {
        var vocabulary = new VocabularyBuilder().Fit(Corpus);
        Assert.Equal(["a", "<unk>", "dog"], vocabulary.Decode([2, 5, 0, 1, 6, 3, 7, 0]));
    }

    [Fact]
    public void SaveLoadRoundTrip()
    {
        var vocabulary = new VocabularyBuilder().Fit(Corpus);
        var path = Path.Combine(_directory, "vocab.json");
        vocabulary.Save(path);
        var loaded = Vocabulary.Load(path);
        Assert.Equal(vocabulary.Tokens, loaded.Tokens);
        Assert.Equal(vocabulary.Encode(["the", "cat"]), loaded.Encode(["the", "cat"]));
    }

    [Theory]
    [InlineData("""{"format":"pipeline-vocabulary","version":1,"tokens":["<pad>","<unk>","<start>","<end>","a","a"]}""", "'a' appears twice")]
    [InlineData("""{"format":"pipeline-vocabulary","version":1,"tokens":["<pad>","<unk>","a"]}""", "special tokens")]
    [InlineData("""{"format":"pipeline-vocabulary","version":2,"tokens":[]}""", "version")]
    [InlineData("""{"format":"pipeline-vocabulary","version":1,"tokens":[""", "line 1")]
    [InlineData("""["a"]""", "expected a JSON object")]
    public void LoadRejectsBadFilesNamingThem(string json, string expected)
    {
        var path = Path.Combine(_directory, "bad-vocab.json");
        File.WriteAllText(path, json);
        var error = Assert.Throws<FormatException>(() => Vocabulary.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void LoadMissingFileThrows()
        => Assert.Throws<FileNotFoundException>(() => Vocabulary.Load(Path.Combine(_directory, "missing.json")));
}
