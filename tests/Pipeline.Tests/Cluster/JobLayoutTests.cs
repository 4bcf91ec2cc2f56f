// The shard commit that exactly-once rests on: the first attempt to rename its directory into place wins,
// a later attempt of the same shard finds the committed one, gets its summary back and leaves no files.
using Pipeline.Batch;
using Pipeline.Cluster;

namespace Pipeline.Tests.Cluster;

public sealed class JobLayoutTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("job-layout").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static string Attempt(JobLayout layout, int shard, string content)
    {
        var attempt = layout.CreateAttemptDirectory(shard);
        File.WriteAllText(JobLayout.ResultsFile(attempt, OutputFormat.JsonLines), content);
        File.WriteAllText(JobLayout.ErrorsFile(attempt), "");
        return attempt;
    }

    [Fact]
    public void FirstCommitWinsAndALaterAttemptGetsItsSummary()
    {
        var layout = new JobLayout(Path.Combine(root, "out.jsonl.cluster"));
        var first = Attempt(layout, 3, "{\"image\":\"a\"}\n");
        var second = Attempt(layout, 3, "{\"image\":\"a\"}\n{\"image\":\"duplicate\"}\n");
        Assert.Null(layout.ReadCommitted(3));

        Assert.Equal(new ShardSummary(1, 0, 0), layout.Commit(3, first, new ShardSummary(1, 0, 0)));
        Assert.Equal(new ShardSummary(1, 0, 0), layout.Commit(3, second, new ShardSummary(2, 0, 0)));

        Assert.False(Directory.Exists(first));
        Assert.False(Directory.Exists(second));
        Assert.Equal("{\"image\":\"a\"}\n", File.ReadAllText(JobLayout.ResultsFile(layout.CommittedShard(3), OutputFormat.JsonLines)));
        Assert.Equal(new ShardSummary(1, 0, 0), layout.ReadCommitted(3));
        Assert.Single(Directory.EnumerateDirectories(layout.ShardsDirectory));
    }

    [Fact]
    public void JobDirectoryLivesBesideTheOutput()
    {
        Assert.Equal(Path.Combine(root, "captions.csv.cluster"), JobLayout.DirectoryFor(Path.Combine(root, "captions.csv")));
        var layout = new JobLayout(JobLayout.DirectoryFor(Path.Combine(root, "x.jsonl")));
        Assert.EndsWith(Path.Combine("inputs", "000042.jsonl"), layout.ShardInput(42, ClusterJobKind.Caption));
        Assert.EndsWith(Path.Combine("inputs", "000042.json"), layout.ShardInput(42, ClusterJobKind.Classify));
    }
}
