// Planning: caption inputs expand as `pipeline caption` expands them, an image listed twice is planned
// once (at its first place) and counted as a duplicate, shards are contiguous runs in input order; a
// classify input is cut into line ranges. An existing plan for the same work is reused as it is; a plan
// for other work is refused, never overwritten.
using Pipeline.Batch;
using Pipeline.Captioning;
using Pipeline.Cluster;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Cluster;

public sealed class JobPlannerTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("job-planner").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static CaptionJobSettings Caption(params string[] inputs) => new(inputs, false, 1, null, 1, null, 16, BatchErrorPolicy.Skip);

    [Fact]
    public void CaptionPlanKeepsInputOrderAndDropsRepeats()
    {
        var images = TinyModelDirectories.WriteImages(Path.Combine(root, "images"), count: 5);
        var output = Path.Combine(root, "out", "captions.jsonl");
        var request = JobPlanner.Request(output, root, Caption(Path.Combine(root, "images"), images[3], images[0]));

        var spec = JobPlanner.Plan(request, shardSize: 2);

        Assert.Equal((3, 5L, 2), (spec.ShardCount, spec.ItemCount, spec.DuplicateInputs));
        var layout = new JobLayout(spec.JobDirectory);
        var planned = Enumerable.Range(0, spec.ShardCount).SelectMany(s => ShardInputs.ReadCaptionItems(layout.ShardInput(s, ClusterJobKind.Caption))).ToList();
        Assert.Equal(CaptionBatchJob.ExpandInputs([Path.Combine(root, "images")], recursive: false), planned);
        Assert.Equal(2, ShardInputs.ReadCaptionItems(layout.ShardInput(0, ClusterJobKind.Caption)).Count);
        Assert.True(spec.SameWork(JobPlanner.ReadPlan(spec.JobDirectory)!));
    }

    [Fact]
    public void AnExistingPlanIsReusedForTheSameWorkAndRefusedForOther()
    {
        TinyModelDirectories.WriteImages(Path.Combine(root, "images"), count: 4);
        var output = Path.Combine(root, "captions.jsonl");
        var first = JobPlanner.Plan(JobPlanner.Request(output, root, Caption(Path.Combine(root, "images"))), shardSize: 3);
        TinyModelDirectories.WriteImages(Path.Combine(root, "images"), count: 6);   // the folder grew since

        var again = JobPlanner.Plan(JobPlanner.Request(output, root, Caption(Path.Combine(root, "images"))), shardSize: 1);
        Assert.Equal((first.ShardCount, first.ItemCount), (again.ShardCount, again.ItemCount));

        var other = JobPlanner.Request(output, Path.Combine(root, "another-model"), Caption(Path.Combine(root, "images")));
        var error = Assert.Throws<InvalidOperationException>(() => JobPlanner.Plan(other, shardSize: 3));
        Assert.Contains("different job", error.Message);
    }

    [Fact]
    public void ClassifyPlanCutsTheInputIntoLineRanges()
    {
        var input = Path.Combine(root, "texts.txt");
        File.WriteAllLines(input, Enumerable.Range(1, 10).Select(i => $"text {i}"));
        var spec = JobPlanner.Plan(JobPlanner.Request(Path.Combine(root, "texts.out.jsonl"), root,
            new ClassifyJobSettings(input, default, 1, 8, BatchErrorPolicy.Skip, "text", "id")), shardSize: 4);
        Assert.Equal((3, 10L), (spec.ShardCount, spec.ItemCount));
        var layout = new JobLayout(spec.JobDirectory);
        Assert.Equal(new Pipeline.Classification.ClassifyInputRange(28, 5, 4), ShardInputs.ReadClassifyRange(layout.ShardInput(1, ClusterJobKind.Classify)));

        var missing = JobPlanner.Request(Path.Combine(root, "none.out.jsonl"), root, new ClassifyJobSettings(Path.Combine(root, "none.txt"), default, 1, 8, BatchErrorPolicy.Skip, "text", "id"));
        Assert.Throws<FileNotFoundException>(() => JobPlanner.Plan(missing, shardSize: 4));
    }
}
