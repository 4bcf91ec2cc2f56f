// Test seam for killing a silo in the middle of a shard without racing it: on the chosen silo, the second
// shard it runs stops after its first batch is written (inside the batch runner's progress report) and
// waits until the test releases it. The test kills that silo meanwhile; in-process "killed" silos keep
// their threads, so the paused shard lives on as a zombie — released only after the job has finished,
// when its late commit must change nothing.
using Orleans.Runtime;
using Pipeline.Batch;
using Pipeline.Cluster;

namespace Pipeline.Tests.Cluster;

internal sealed class ShardGate : IDisposable
{
    private readonly TaskCompletionSource<ShardLease> paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim release = new(false);
    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The silo whose worker pauses.</summary>
    public SiloAddress? Victim { get; set; }

    /// <summary>Completes with the paused shard's lease once the victim is part-way through it.</summary>
    public Task<ShardLease> Paused => paused.Task;

    public void Pause(ShardLease lease)
    {
        if (!paused.TrySetResult(lease)) return;   // pause once
        release.Wait();
    }

    public void Release() => release.Set();

    /// <summary>Completes when the paused shard's run has ended (after <see cref="Release"/>), however it ended.</summary>
    public Task Finished => finished.Task;

    public void MarkFinished() => finished.TrySetResult();

    public void Dispose()
    {
        release.Set();
        release.Dispose();
    }
}

internal sealed class PausingShardRunner(IShardRunner inner, SiloAddress silo, ShardGate gate) : IShardRunner
{
    private int shardsStarted;

    public Task<ShardRunResult> RunAsync(ShardLease lease, IProgress<BatchProgress>? progress, CancellationToken cancellationToken)
    {
        bool pauseThisOne = silo.Equals(gate.Victim) && !lease.IsFinalize && Interlocked.Increment(ref shardsStarted) == 2;
        if (!pauseThisOne) return inner.RunAsync(lease, progress, cancellationToken);
        return RunPausedAsync(lease, progress, cancellationToken);
    }

    private async Task<ShardRunResult> RunPausedAsync(ShardLease lease, IProgress<BatchProgress>? progress, CancellationToken cancellationToken)
    {
        try { return await inner.RunAsync(lease, new PausingProgress(progress, () => gate.Pause(lease)), cancellationToken); }
        finally { gate.MarkFinished(); }
    }

    private sealed class PausingProgress(IProgress<BatchProgress>? inner, Action pause) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value)
        {
            inner?.Report(value);
            if (value.Completed > 0) pause();
        }
    }
}
