// A corpus with known structure for word2vec tests (Mikolov et al. 2013): words of two "topics" that
// co-occur only within their topic, so a working trainer must put every word nearest to its own topic.
using Pipeline.Models.Embeddings;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Embeddings;

internal static class SyntheticCorpus
{
    public const int WordsPerTopic = 10;

    public static readonly string[] Animals = [.. Enumerable.Range(0, WordsPerTopic).Select(i => $"animal{i}")];
    public static readonly string[] Vehicles = [.. Enumerable.Range(0, WordsPerTopic).Select(i => $"vehicle{i}")];

    /// <summary>Sentences of 8 words drawn uniformly from one topic, topics alternating at random.</summary>
    public static Word2VecCorpus TwoTopics(int sentences = 1500, ulong seed = 7)
    {
        var generator = new Generator(seed);
        var list = new List<IReadOnlyList<string>>(sentences);
        for (var s = 0; s < sentences; s++)
        {
            var topic = generator.NextInt(2) == 0 ? Animals : Vehicles;
            var sentence = new string[8];
            for (var i = 0; i < sentence.Length; i++)
                sentence[i] = topic[generator.NextInt(topic.Length)];
            list.Add(sentence);
        }
        return Word2VecCorpus.FromSentences(list);
    }

    public static Word2VecOptions SmallOptions(Word2VecArchitecture architecture, int threads = 1, ulong seed = 3) => new(
        Architecture: architecture,
        Dimensions: 16,
        Window: 3,
        NegativeSamples: 5,
        MinCount: 1,
        SubsamplingThreshold: 0,
        Epochs: 3,
        Threads: threads,
        Seed: seed);
}
