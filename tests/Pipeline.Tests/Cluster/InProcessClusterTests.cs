// An in-process Orleans test cluster (Microsoft.Orleans.TestingHost) of three silos captions the 2,000-image
// folder while one silo is killed in the middle of a shard (paused there by ShardGate, so the kill never
// races the work). The job must still finish with the output and errors file of the single-machine
// command: every image exactly once, every bad file reported once — also after the killed silo's paused
// shard, which lives on in-process, is let go and tries to commit late.
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Pipeline.Batch;
using Pipeline.Classification;
using Pipeline.Tests.Support;
using Orleans.Runtime.Hosting;
using Orleans.TestingHost;
using Pipeline.Cluster;

namespace Pipeline.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class InProcessClusterTests(ClusterTestData data)
{
    private static async Task<InProcessTestCluster> StartAsync(int silos, ShardGate gate, TimeSpan? pollInterval = null)
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddPipelineWorkers(new ClusterWorkerOptions { LeaseDuration = TimeSpan.FromSeconds(4), PollInterval = pollInterval ?? TimeSpan.FromMilliseconds(200) });
            silo.Services.AddSingleton<IShardRunner>(services => new PausingShardRunner(
                ActivatorUtilities.CreateInstance<ShardRunner>(services), services.GetRequiredService<ILocalSiloDetails>().SiloAddress, gate));
            silo.Services.AddGrainStorage(ClusterStorage.Name, DurableTestGrainStorage.Create);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    [Fact]
    public async Task KillingASiloMidShardStillCaptionsEveryImageExactlyOnce()
    {
        using var gate = new ShardGate();
        await using var cluster = await StartAsync(3, gate);
        // Not the first silo: the test cluster keeps its membership table there.
        var victim = cluster.Silos[^1];
        gate.Victim = victim.SiloAddress;
        var jobs = new ClusterJobClient(cluster.Client);
        var output = data.NewOutput("in-process-kill");
        var (result, started) = await jobs.SubmitAsync(JobPlanner.Request(output, data.ModelDirectory, data.Settings), ClusterTestData.ShardSize);
        Assert.Equal(SubmitResult.Started, result);
        Assert.Equal(41, started.Spec!.ShardCount);

        var paused = await gate.Paused.WaitAsync(ClusterJobWaits.Timeout);
        var atKill = await jobs.StatusAsync(output);
        Assert.Contains(atKill.InFlight, f => f.Shard == paused.Shard && f.Silo.Equals(victim.SiloAddress));
        Assert.True(Directory.EnumerateDirectories(new JobLayout(JobLayout.DirectoryFor(output)).ShardsDirectory, $".{paused.Shard:D6}.*").Any(),
            "the victim has a half-written attempt of its shard");
        await cluster.KillSiloAsync(victim);

        var final = await ClusterJobWaits.WaitForAsync(jobs, output, s => s.IsTerminal, "the job ends", allowTerminal: true);
        Assert.True(final.Phase == JobPhase.Succeeded, ClusterJobWaits.Describe(final));
        Assert.Equal(data.GoodImages.Count, final.Completed);
        Assert.Equal(data.BadImages.Count, final.Failed);
        data.AssertSameAsSingleMachine(output);

        // The zombie finishes its shard after the fact: nothing it does may change the output.
        var before = File.ReadAllBytes(output);
        gate.Release();
        await gate.Finished.WaitAsync(ClusterJobWaits.Timeout);
        Assert.Equal(before, File.ReadAllBytes(output));
        Assert.False(Directory.Exists(JobLayout.DirectoryFor(output)));
    }

    [Fact]
    public async Task ASubmittedJobWakesIdleWorkersWithoutWaitingForTheirPoll()
    {
        var folder = Path.Combine(data.Root, "wake-" + Guid.NewGuid().ToString("N")[..8]);
        var model = TinyModelDirectories.WriteClassifier(Path.Combine(folder, "model"));
        var input = Path.Combine(folder, "texts.tsv");
        File.WriteAllLines(input, ["id\ttext", .. Enumerable.Range(1, 100).Select(i => $"t{i}\t{TinyModelDirectories.ClassifierTexts[i % TinyModelDirectories.ClassifierTexts.Length]}")]);
        var settings = new ClassifyJobSettings(input, ClassifyInputFormat.Auto, TopK: 1, BatchSize: 16, BatchErrorPolicy.Skip, "text", "id");

        // Workers poll once at start-up and then only every 10 minutes. A first job runs to its end, so every worker
        // has polled and gone idle until its next (10-minute) poll; the second job can then only start because it wakes them.
        using var gate = new ShardGate();
        await using var cluster = await StartAsync(2, gate, pollInterval: TimeSpan.FromMinutes(10));
        var jobs = new ClusterJobClient(cluster.Client);
        foreach (var name in new[] { "first", "second" })
        {
            var output = Path.Combine(folder, name, "predictions.jsonl");
            var (_, started) = await jobs.SubmitAsync(JobPlanner.Request(output, model, settings), shardSize: 10);
            Assert.Equal(11, started.Spec!.ShardCount);   // 101 lines (the header is line 1), 10 a shard
            var final = await ClusterJobWaits.WaitForAsync(jobs, output, s => s.IsTerminal && s.Phase != JobPhase.None, $"the {name} job ends", allowTerminal: true);
            Assert.True(final.Phase == JobPhase.Succeeded, ClusterJobWaits.Describe(final));
            Assert.Equal(100, final.Completed);
        }
    }

    [Fact]
    public async Task ClassifyOnTheClusterWritesTheSingleMachineCsv()
    {
        var folder = Path.Combine(data.Root, "classify-" + Guid.NewGuid().ToString("N")[..8]);
        var model = TinyModelDirectories.WriteClassifier(Path.Combine(folder, "model"));
        // 1,000 texts under a header (line 1), with an empty line (passed over), a row without its text field and invalid UTF-8 among them.
        var input = Path.Combine(folder, "texts.tsv");
        var lines = new List<byte[]> { "id\ttext"u8.ToArray() };
        for (int i = 1; i <= 1000; i++)
            lines.Add(i switch
            {
                100 => [],
                500 => "only-an-id"u8.ToArray(),
                777 => [0x69, 0x64, 0x09, 0x67, 0xC3, 0x28],
                _ => Encoding.UTF8.GetBytes($"t{i}\t{TinyModelDirectories.ClassifierTexts[i % TinyModelDirectories.ClassifierTexts.Length]} {i}"),
            });
        File.WriteAllBytes(input, lines.SelectMany(l => l.Append((byte)'\n')).ToArray());
        var settings = new ClassifyJobSettings(input, ClassifyInputFormat.Auto, TopK: 2, BatchSize: 16, BatchErrorPolicy.Skip, "text", "id");

        var single = settings.ToOptions(Path.Combine(folder, "single", "predictions.csv"));
        var expected = await ClassifyJob.RunAsync(TextClassifier.Load(model), single);
        Assert.Equal(new BatchSummary(997, 0, 2, false), expected);

        using var gate = new ShardGate();
        await using var cluster = await StartAsync(3, gate);
        var jobs = new ClusterJobClient(cluster.Client);
        var output = Path.Combine(folder, "cluster", "predictions.csv");
        var (_, started) = await jobs.SubmitAsync(JobPlanner.Request(output, model, settings), shardSize: 64);
        Assert.Equal(16, started.Spec!.ShardCount);
        var final = await ClusterJobWaits.WaitForAsync(jobs, output, s => s.IsTerminal && s.Phase != JobPhase.None, "the job ends", allowTerminal: true);

        Assert.True(final.Phase == JobPhase.Succeeded, ClusterJobWaits.Describe(final));
        Assert.Equal(expected, ClusterJobClient.Summary(final));
        Assert.Equal(File.ReadAllText(single.OutputPath), File.ReadAllText(output));
        Assert.Equal(ErrorKeys(single.ErrorsPath), ErrorKeys(ErrorLog.PathFor(output)));
        Assert.Equal(["501", "778"], ErrorKeys(ErrorLog.PathFor(output)));
    }

    [Fact]
    public async Task FailOnErrorStopsTheJobAtTheFirstBadImageAndNamesIt()
    {
        using var gate = new ShardGate();
        await using var cluster = await StartAsync(3, gate);
        var jobs = new ClusterJobClient(cluster.Client);
        var output = data.NewOutput("fail-policy");
        await jobs.SubmitAsync(JobPlanner.Request(output, data.ModelDirectory, data.Settings with { OnError = BatchErrorPolicy.Fail }), ClusterTestData.ShardSize);

        var final = await ClusterJobWaits.WaitForAsync(jobs, output, s => s.IsTerminal && s.Phase != JobPhase.None, "the job ends", allowTerminal: true);
        Assert.Equal(JobPhase.Failed, final.Phase);
        Assert.Contains(Path.Combine(data.ImageFolder, data.BadImages[0]), final.Failure);
        Assert.False(File.Exists(output), "a failed job writes no output");
    }

    private static List<string> ErrorKeys(string path) =>
        File.ReadLines(path).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("key").GetString()!).ToList();
}
