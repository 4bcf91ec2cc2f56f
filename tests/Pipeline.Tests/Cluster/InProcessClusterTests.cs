// An in-process Orleans test cluster (Microsoft.Orleans.TestingHost) of three silos captions the 2,000-image
// folder while one silo is killed in the middle of a shard (paused there by ShardGate, so the kill never
// races the work). The job must still finish with the output and errors file of the single-machine
// command: every image exactly once, every bad file reported once — also after the killed silo's paused
// shard, which lives on in-process, is let go and tries to commit late.
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using Orleans.TestingHost;
using Pipeline.Cluster;

namespace Pipeline.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class InProcessClusterTests(ClusterTestData data)
{
    private static async Task<InProcessTestCluster> StartAsync(int silos, ShardGate gate)
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddPipelineWorkers(new ClusterWorkerOptions { LeaseDuration = TimeSpan.FromSeconds(4), PollInterval = TimeSpan.FromMilliseconds(200) });
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
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(before, File.ReadAllBytes(output));
        Assert.False(Directory.Exists(JobLayout.DirectoryFor(output)));
    }
}
