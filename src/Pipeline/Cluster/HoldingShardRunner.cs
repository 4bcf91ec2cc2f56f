// Fault injection for tests that run real silo processes (and for an operator who wants to freeze a shard
// to look at it): when a silo's environment has PIPELINE_CLUSTER_HOLD_DIR, shard N pauses after its first
// written batch for as long as the file hold-N exists in that folder. A test creates hold-5, hold-6 and
// hold-7, waits until three silos each hold one of those shards, then kills, cancels or restarts at that
// known point and deletes the files — no timing in the test, and no special files among the inputs (the
// image readers refuse FIFOs and devices). Without the variable this runner is not registered.
using Pipeline.Batch;

namespace Pipeline.Cluster;

/// <summary>Wraps <see cref="ShardRunner"/>, pausing shards whose hold file exists.</summary>
internal sealed class HoldingShardRunner(ShardRunner inner, string folder) : IShardRunner
{
    /// <summary>The environment variable naming the hold-file folder.</summary>
    public const string EnvironmentVariable = "PIPELINE_CLUSTER_HOLD_DIR";

    /// <summary>The hold file of shard <paramref name="shard"/> in <paramref name="folder"/>.</summary>
    public static string HoldFile(string folder, int shard) => Path.Combine(folder, $"hold-{shard}");

    /// <inheritdoc />
    public Task<ShardRunResult> RunAsync(ShardLease lease, IProgress<BatchProgress>? progress, CancellationToken cancellationToken)
    {
        string hold = HoldFile(folder, lease.Shard);
        if (lease.IsFinalize || !File.Exists(hold)) return inner.RunAsync(lease, progress, cancellationToken);
        return inner.RunAsync(lease, new HoldingProgress(progress, hold, cancellationToken), cancellationToken);
    }

    private sealed class HoldingProgress(IProgress<BatchProgress>? inner, string hold, CancellationToken cancellationToken) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value)
        {
            inner?.Report(value);
            // The batch runner reports from its writer after each committed batch: pause there, part-way through the shard.
            while (value.Completed > 0 && File.Exists(hold) && !cancellationToken.IsCancellationRequested) Thread.Sleep(50);
        }
    }
}
