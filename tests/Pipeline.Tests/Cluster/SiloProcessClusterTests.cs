// Three real `pipeline cluster silo` processes on this machine, clustered and persisting job state through
// the Redis that scripts/start-redis.sh starts (CI: .ci/run), driven by the real `pipeline cluster` client
// commands. One test kill -9s a silo in the middle of a shard; the other cancels a job, kill -9s the whole
// cluster, starts a new deployment of it (new cluster id, same service id) and resumes the job from its
// state in Redis. Both must end with the
// single-machine output and errors file. Shards 5–7 are held part-way by HeldShards (the silos' hold-file
// seam), so every kill and cancel happens at a known point of the job, with no timing in the test.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Cluster;
using Xunit.Abstractions;

namespace Pipeline.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public sealed class SiloProcessClusterTests(ClusterTestData data, ITestOutputHelper log)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(4);
    private static readonly int[] HeldShardNumbers = [5, 6, 7];

    private (SiloProcesses Silos, string Output, string Logs) NewCluster(string name)
    {
        Assert.True(RedisFactAttribute.Reachable(), RedisFactAttribute.MissingMessage);
        var id = $"test-{name}-{Guid.NewGuid():N}"[..24];
        var output = data.NewOutput(name);
        var logs = Path.Combine(Path.GetDirectoryName(output)!, "logs");
        return (new SiloProcesses(logs, id, id), output, logs);
    }

    private string[] CaptionCommand(SiloProcesses silos, string output) =>
    [
        "cluster", "caption", data.ImageFolder, "--model", data.ModelDirectory, "--out", output,
        "--beam", "1", "--batch-size", "16", "--shard-size", $"{ClusterTestData.ShardSize}", .. silos.ConnectionArguments,
    ];

    private static HeldShards HoldShards(SiloProcesses silos) => new(silos.HoldDirectory, HeldShardNumbers);

    private static async Task<(IHost Host, ClusterJobClient Jobs)> ConnectAsync(SiloProcesses silos)
    {
        var host = await ClusterHosting.StartClientAsync(new ClusterConnectionOptions(RedisFactAttribute.Connection, silos.ClusterId, silos.ServiceId), TimeSpan.FromMinutes(1));
        return (host, new ClusterJobClient(host.Services.GetRequiredService<IClusterClient>()));
    }

    private static Task<JobStatus> WaitUntilHeldAsync(ClusterJobClient jobs, string output) =>
        ClusterJobWaits.WaitForAsync(jobs, output,
            s => s.ShardsDone == HeldShardNumbers[0] && HeldShardNumbers.All(h => s.InFlight.Any(f => f.Shard == h)),
            "shards 0-4 committed and each silo holding one of shards 5-7");

    [RedisFact]
    public async Task KillNineOfASiloMidShardStillCaptionsEveryImageExactlyOnce()
    {
        var (silos, output, logs) = NewCluster("kill9");
        using var _ = silos;
        try
        {
            using var held = HoldShards(silos);
            await silos.StartAsync(3);
            var (host, jobs) = await ConnectAsync(silos);
            using var __ = host;
            var client = SiloProcesses.RunAsync(Path.Combine(logs, "client.log"), CommandTimeout, CaptionCommand(silos, output));

            var atKill = await WaitUntilHeldAsync(jobs, output);
            var victim = atKill.InFlight.Single(f => f.Shard == HeldShardNumbers[1]).Silo;
            silos.Kill(victim);
            held.Serve();

            var (exitCode, printed) = await client;
            Assert.True(exitCode == 1, printed);   // as `pipeline caption`: 1 when any image failed (docs/cli.md)
            Assert.Contains($"{data.GoodImages.Count:N0} captioned, 0 skipped (duplicates), {data.BadImages.Count} failed", printed);
            var final = await jobs.StatusAsync(output);
            Assert.Equal(JobPhase.Succeeded, final.Phase);
            data.AssertSameAsSingleMachine(output);
        }
        catch
        {
            log.WriteLine(silos.Logs());
            throw;
        }
    }

    [RedisFact]
    public async Task CancelThenRestartTheWholeClusterAndResume()
    {
        var (silos, output, logs) = NewCluster("resume");
        using var _ = silos;
        try
        {
            using (var held = HoldShards(silos))
            {
                await silos.StartAsync(3);
                var (host, jobs) = await ConnectAsync(silos);
                using var __ = host;
                var client = SiloProcesses.RunAsync(Path.Combine(logs, "client-1.log"), CommandTimeout, CaptionCommand(silos, output));
                await WaitUntilHeldAsync(jobs, output);

                var (cancelExit, cancelPrinted) = await SiloProcesses.RunAsync(Path.Combine(logs, "cancel.log"), CommandTimeout,
                    ["cluster", "cancel", "--out", output, .. silos.ConnectionArguments]);
                Assert.True(cancelExit == 0, cancelPrinted);
                var (clientExit, clientPrinted) = await client;
                Assert.True(clientExit == 130, clientPrinted);
                Assert.Contains("cancelled", clientPrinted);

                // The whole cluster goes down, its held shards unfinished.
                silos.KillAll();
            }
            Assert.False(File.Exists(output), "a cancelled job writes no output");

            silos.NewDeployment();
            await silos.StartAsync(3);
            var (restartedHost, restarted) = await ConnectAsync(silos);
            using var ___ = restartedHost;
            var persisted = await restarted.StatusAsync(output);
            Assert.Equal(JobPhase.Cancelled, persisted.Phase);
            Assert.Equal(HeldShardNumbers[0], persisted.ShardsDone);

            var (exitCode, printed) = await SiloProcesses.RunAsync(Path.Combine(logs, "client-2.log"), CommandTimeout, CaptionCommand(silos, output));
            Assert.True(exitCode == 1, printed);   // as `pipeline caption`: 1 when any image failed (docs/cli.md)
            Assert.Contains($"resumed with {HeldShardNumbers[0]} of 41 shards already committed", printed);
            Assert.Contains($"{data.GoodImages.Count:N0} captioned, 0 skipped (duplicates), {data.BadImages.Count} failed", printed);
            data.AssertSameAsSingleMachine(output);
            // The restarted cluster ran none of the shards committed before the cancel.
            var restartedLogs = string.Join("\n", Directory.EnumerateFiles(logs, "silo-g2-*.log").Select(File.ReadAllText));
            for (int shard = 0; shard < HeldShardNumbers[0]; shard++)
                Assert.DoesNotContain($"shard {shard} of {output}: started", restartedLogs);
        }
        catch
        {
            log.WriteLine(silos.Logs());
            throw;
        }
    }
}
