// Validation of the word2vec hyper-parameter record (Mikolov et al. 2013 defaults): bad values fail up
// front with the option's name; defaults depend on the architecture where the paper's code does.
using Pipeline.Models.Embeddings;

namespace Pipeline.Models.Tests.Embeddings;

public sealed class Word2VecOptionsTests
{
    [Fact]
    public void DefaultsFollowTheReferenceImplementation()
    {
        var options = new Word2VecOptions();
        Assert.Equal((100, 5, 5, 5, 1e-3, 5), (options.Dimensions, options.Window, options.NegativeSamples, options.MinCount, options.SubsamplingThreshold, options.Epochs));
        Assert.Equal(0.025f, options.EffectiveLearningRate);
        Assert.Equal(0.05f, (options with { Architecture = Word2VecArchitecture.Cbow }).EffectiveLearningRate);
        Assert.Equal(0.1f, (options with { LearningRate = 0.1f }).EffectiveLearningRate);
        Assert.Equal(Environment.ProcessorCount, options.EffectiveThreads);
    }

    public static TheoryData<Word2VecOptions, string> InvalidOptions => new()
    {
        { new Word2VecOptions(Dimensions: 0), "Dimensions" },
        { new Word2VecOptions(Window: 0), "Window" },
        { new Word2VecOptions(NegativeSamples: 0), "NegativeSamples" },
        { new Word2VecOptions(MinCount: 0), "MinCount" },
        { new Word2VecOptions(SubsamplingThreshold: -1), "SubsamplingThreshold" },
        { new Word2VecOptions(SubsamplingThreshold: double.NaN), "SubsamplingThreshold" },
        { new Word2VecOptions(Epochs: 0), "Epochs" },
        { new Word2VecOptions(LearningRate: 0f), "LearningRate" },
        { new Word2VecOptions(MinLearningRateFraction: 2f), "MinLearningRateFraction" },
        { new Word2VecOptions(Threads: 0), "Threads" },
        { new Word2VecOptions(MaxSentenceLength: 1), "MaxSentenceLength" },
        { new Word2VecOptions(Architecture: (Word2VecArchitecture)7), "Architecture" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void InvalidValuesAreRejectedByName(Word2VecOptions options, string name)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Word2Vec(options));
        Assert.Equal(name, error.ParamName);
    }

    [Fact]
    public void LongSentencesAreCutWithoutLosingWords()
    {
        // 2500 words in one line with MaxSentenceLength 1000 → 3 pieces; every word still counts as processed.
        var sentence = Enumerable.Range(0, 2500).Select(i => $"w{i % 10}").ToArray();
        var reports = new List<Word2VecProgress>();
        new Word2Vec(new Word2VecOptions(Dimensions: 4, MinCount: 1, Epochs: 1, Threads: 1))
            .Train(Word2VecCorpus.FromSentences([sentence]), new ListProgress(reports));
        Assert.Equal(2500, reports[^1].WordsProcessed);
    }

    private sealed class ListProgress(List<Word2VecProgress> reports) : IProgress<Word2VecProgress>
    {
        public void Report(Word2VecProgress value) => reports.Add(value);
    }
}
