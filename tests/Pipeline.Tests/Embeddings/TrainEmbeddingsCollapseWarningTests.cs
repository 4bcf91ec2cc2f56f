// `pipeline train embeddings` warns on stderr when the trained vectors collapsed (issue 16: two epochs gave
// every nearest neighbour cosine 1.00, printed without a word), and stays quiet when training had enough
// structure. Collapsed: one epoch over 300 structureless words drawn by Zipf's law (mean pairwise cosine 0.99:
// the first updates move every vector toward the frequent words' contexts). Healthy: two planted topics (the
// words of a line come from one topic), 15 epochs (mean pairwise cosine ≈ 0.5, the two topics apart).
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Embeddings;

[Collection("Console")]
public sealed class TrainEmbeddingsCollapseWarningTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("embeddings-warning").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string WriteZipfCorpus()
    {
        var random = new Random(3);
        var words = Enumerable.Range(0, 300).Select(_ => new string(Enumerable.Range(0, 5).Select(_ => (char)('a' + random.Next(26))).ToArray())).Distinct().ToArray();
        var cumulative = new double[words.Length];
        for (int i = 0; i < words.Length; i++) cumulative[i] = (i == 0 ? 0 : cumulative[i - 1]) + 1.0 / (i + 1);
        string Draw()
        {
            int at = Array.BinarySearch(cumulative, random.NextDouble() * cumulative[^1]);
            return words[at < 0 ? ~at : at];
        }
        string path = Path.Combine(root, "zipf.txt");
        File.WriteAllLines(path, Enumerable.Range(0, 3000).Select(_ => string.Join(' ', Enumerable.Range(0, 10).Select(_ => Draw()))));
        return path;
    }

    private string WriteTopicCorpus()
    {
        string[][] topics =
        [
            Enumerable.Range(0, 15).Select(i => $"animal{i}").ToArray(),
            Enumerable.Range(0, 15).Select(i => $"vehicle{i}").ToArray(),
        ];
        var random = new Random(3);
        var lines = Enumerable.Range(0, 1500).Select(i => string.Join(' ', Enumerable.Range(0, 8).Select(_ => topics[i % 2][random.Next(15)])));
        string path = Path.Combine(root, "topics.txt");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public async Task CollapsedVectorsGetAWarningAndHealthyOnesDoNot()
    {
        string[] common = ["train", "embeddings", "--dim", "32", "--threads", "1", "--seed", "1"];

        var collapsed = await InProcessCli.RunAsync([.. common, "--corpus", WriteZipfCorpus(), "--out", Path.Combine(root, "collapsed.txt"), "--epochs", "1"]);
        Assert.True(collapsed.Exit == 0, collapsed.Error);
        Assert.Contains("look collapsed", collapsed.Error);
        Assert.Contains("--epochs", collapsed.Error);

        var healthy = await InProcessCli.RunAsync([.. common, "--corpus", WriteTopicCorpus(), "--out", Path.Combine(root, "healthy.txt"), "--epochs", "15", "--window", "3", "--subsample", "0"]);
        Assert.True(healthy.Exit == 0, healthy.Error);
        Assert.DoesNotContain("collapsed", healthy.Error);
    }
}
