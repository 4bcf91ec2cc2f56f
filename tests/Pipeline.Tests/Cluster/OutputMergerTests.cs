// The merge step: committed shards concatenated in shard order, a CSV/TSV header kept once (shards without
// records have none), errors concatenated, the job directory removed — and nothing written at all when a
// shard is missing or the shards disagree on their columns. A merge repeated after its worker died
// finds the output in place and does nothing.
using Pipeline.Batch;
using Pipeline.Cluster;

namespace Pipeline.Tests.Cluster;

public sealed class OutputMergerTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("output-merger").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private (ClusterJobSpec Spec, JobLayout Layout) Job(string output, int shards)
    {
        var path = Path.Combine(root, output);
        var spec = new ClusterJobSpec(ClusterJobKind.Classify, path, root, JobLayout.DirectoryFor(path), shards, 0, 0, null,
            new ClassifyJobSettings(Path.Combine(root, "in.txt"), default, 1, 8, BatchErrorPolicy.Skip, "text", "id"));
        return (spec, new JobLayout(spec.JobDirectory));
    }

    private static void Commit(JobLayout layout, int shard, OutputFormat format, string results, string errors)
    {
        var attempt = layout.CreateAttemptDirectory(shard);
        File.WriteAllText(JobLayout.ResultsFile(attempt, format), results);
        File.WriteAllText(JobLayout.ErrorsFile(attempt), errors);
        layout.Commit(shard, attempt, new ShardSummary(0, 0, 0));
    }

    [Fact]
    public void CsvShardsMergeInOrderWithOneHeader()
    {
        var (spec, layout) = Job("out.csv", 3);
        Commit(layout, 2, OutputFormat.Csv, "id,label\n5,b\n", "{\"key\":\"6\"}\n");
        Commit(layout, 0, OutputFormat.Csv, "id,label\n1,a\n2,\"x, y\"\n", "");
        Commit(layout, 1, OutputFormat.Csv, "", "{\"key\":\"3\"}\n{\"key\":\"4\"}\n");

        OutputMerger.Merge(spec, layout);

        Assert.Equal("id,label\n1,a\n2,\"x, y\"\n5,b\n", File.ReadAllText(spec.OutputPath));
        Assert.Equal("{\"key\":\"3\"}\n{\"key\":\"4\"}\n{\"key\":\"6\"}\n", File.ReadAllText(spec.ErrorsPath));
        Assert.False(Directory.Exists(layout.Root));
        Assert.Equal(["out.csv", "out.errors.jsonl"], Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName).Order());

        OutputMerger.Merge(spec, layout);   // again, as after a worker that died before reporting: nothing changes
        Assert.Equal("id,label\n1,a\n2,\"x, y\"\n5,b\n", File.ReadAllText(spec.OutputPath));
    }

    [Fact]
    public void AMissingShardWritesNothing()
    {
        var (spec, layout) = Job("out.jsonl", 2);
        Commit(layout, 0, OutputFormat.JsonLines, "{\"line\":1}\n", "");
        var error = Assert.Throws<InvalidDataException>(() => OutputMerger.Merge(spec, layout));
        Assert.Contains("shard 1 is not committed", error.Message);
        Assert.False(File.Exists(spec.OutputPath));
        Assert.False(File.Exists(spec.ErrorsPath));
        Assert.Single(Directory.EnumerateFileSystemEntries(root));   // just the job directory, no temporary files
    }

    [Fact]
    public void ShardsWithDifferentColumnsAreRefused()
    {
        var (spec, layout) = Job("out.tsv", 2);
        Commit(layout, 0, OutputFormat.Tsv, "id\tlabel\n1\ta\n", "");
        Commit(layout, 1, OutputFormat.Tsv, "id\tlabel\tscore\n2\tb\t0.5\n", "");
        var error = Assert.Throws<InvalidDataException>(() => OutputMerger.Merge(spec, layout));
        Assert.Contains("header differs", error.Message);
        Assert.False(File.Exists(spec.OutputPath));
    }
}
