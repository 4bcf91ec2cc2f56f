// The worker loop of one silo. A grain timer (which keeps the grain active) fires every poll interval;
// each tick takes on shards one after another until no running job has a free one (or a time budget is
// used up, so that no single grain turn runs for hours), then returns until the next tick. A job added to
// the registry wakes the worker (WakeAsync, interleaved): an idle worker's timer fires at once, and a worker
// that is just asking finds the job on a second look instead of a poll interval later.
//
// A shard runs on the thread pool (ShardRunner, with the engine's own threads inside), while this grain's
// turn waits on it and renews the lease every RenewInterval with the latest progress. If a renewal says
// no — the job was cancelled, or the lease went to another worker — the shard is cancelled and nothing of
// it is kept. When the silo shuts down the timer's token cancels the shard and the lease is given back.
// A killed silo reports nothing: its leases expire, or are freed when the membership declares it dead.
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Runtime;
using Pipeline.Batch;

namespace Pipeline.Cluster;

/// <summary>Implements <see cref="IWorkerGrain"/>.</summary>
[PreferLocalPlacement]
internal sealed class WorkerGrain(
    ILocalSiloDetails silo,
    IShardRunner runner,
    IOptions<ClusterWorkerOptions> options,
    ILogger<WorkerGrain> logger) : Grain, IWorkerGrain
{
    private static readonly TimeSpan TurnBudget = TimeSpan.FromMinutes(10);
    private IGrainTimer? timer;
    private bool working;         // inside WorkAsync
    private bool wakeRequested;   // a job was added since WorkAsync last asked the registry

    // The latest progress of the running shard, written by the batch runner's thread, read by the renewal loop.
    private sealed class LatestProgress : IProgress<BatchProgress>
    {
        private BatchProgress latest = new(0, 0, 0);
        public BatchProgress Value => Volatile.Read(ref latest);
        public void Report(BatchProgress value) => Volatile.Write(ref latest, value);
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (this.GetPrimaryKeyString() != silo.SiloAddress.ToParsableString())
            logger.LogWarning("worker {Key} activated on silo {Silo}: it will work for this silo", this.GetPrimaryKeyString(), silo.SiloAddress);
        timer = this.RegisterGrainTimer(WorkAsync, new GrainTimerCreationOptions(TimeSpan.Zero, options.Value.PollInterval) { KeepAlive = true, Interleave = false });
        return Task.CompletedTask;
    }

    public Task StartAsync() => Task.CompletedTask;

    public Task WakeAsync()
    {
        wakeRequested = true;
        if (!working) timer?.Change(TimeSpan.Zero, options.Value.PollInterval);
        return Task.CompletedTask;
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        working = true;
        try
        {
            var turn = Stopwatch.StartNew();
            while (!cancellationToken.IsCancellationRequested && turn.Elapsed < TurnBudget)
            {
                wakeRequested = false;
                ShardLease? lease;
                try { lease = await NextLeaseAsync(); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning("asking for work failed: {Error}", e.Message);
                    return;   // next tick retries
                }
                if (lease is null && !wakeRequested) return;
                if (lease is not null) await RunAsync(lease, cancellationToken);
            }
        }
        finally { working = false; }
    }

    private async Task<ShardLease?> NextLeaseAsync()
    {
        var registry = GrainFactory.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key);
        foreach (var jobId in await registry.PollAsync(this.AsReference<IWorkerGrain>(), silo.SiloAddress))
            if (await GrainFactory.GetGrain<IJobGrain>(jobId).LeaseAsync(silo.SiloAddress) is { } lease)
                return lease;
        return null;
    }

    private async Task RunAsync(ShardLease lease, CancellationToken cancellationToken)
    {
        var job = GrainFactory.GetGrain<IJobGrain>(lease.JobId);
        string what = lease.IsFinalize ? "merge" : $"shard {lease.Shard}";
        logger.LogInformation("{What} of {Output}: started", what, lease.Spec.OutputPath);
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progress = new LatestProgress();
        var work = Task.Run(() => runner.RunAsync(lease, progress, stop.Token), CancellationToken.None);
        bool leaseLost = false;
        while (!work.IsCompleted)
        {
            await Task.WhenAny(work, Task.Delay(options.Value.RenewInterval, CancellationToken.None));
            if (work.IsCompleted || stop.IsCancellationRequested) continue;
            try
            {
                var now = progress.Value;
                if (!await job.RenewAsync(lease.Shard, lease.LeaseId, silo.SiloAddress, now.Completed, now.Failed))
                {
                    logger.LogInformation("{What} of {Output}: the job no longer wants it (cancelled, or the lease moved); stopping", what, lease.Spec.OutputPath);
                    leaseLost = true;
                    stop.Cancel();
                }
            }
            catch (Exception e)
            {
                // The job grain is moving (its silo died) or the store is slow: keep working; the next renewal re-adopts the lease.
                logger.LogWarning("{What} of {Output}: lease renewal failed: {Error}", what, lease.Spec.OutputPath, e.Message);
            }
        }

        ShardRunResult result;
        try { result = await work; }
        catch (Exception e)
        {
            logger.LogError("{What} of {Output} failed: {Error}", what, lease.Spec.OutputPath, e.Message);
            await ReportAsync(() => job.AbandonAsync(lease.Shard, lease.LeaseId, $"{e.GetType().Name}: {e.Message}", stopJob: false));
            return;
        }
        switch (result.Outcome)
        {
            case ShardOutcome.Committed:
                logger.LogInformation("{What} of {Output}: committed in {Seconds:F1} s ({Completed} done, {Failed} failed)",
                    what, lease.Spec.OutputPath, clock.Elapsed.TotalSeconds, result.Summary!.Completed, result.Summary.Failed);
                await ReportAsync(() => job.CompleteAsync(lease.Shard, lease.LeaseId, result.Summary!));
                break;
            case ShardOutcome.StoppedByPolicy:
                await ReportAsync(() => job.AbandonAsync(lease.Shard, lease.LeaseId, result.Error, stopJob: true));
                break;
            default:
                if (!leaseLost) await ReportAsync(() => job.AbandonAsync(lease.Shard, lease.LeaseId, null, stopJob: false));
                break;
        }
    }

    // A report that cannot be delivered is not lost work: the shard's lease expires and the next worker
    // finds the shard committed (or reruns it). Retried a few times because the job grain may be moving.
    private async Task<bool> ReportAsync(Func<Task> report)
    {
        for (int attempt = 1; ; attempt++)
        {
            try { await report(); return true; }
            catch (Exception e) when (attempt < 3)
            {
                logger.LogWarning("report to the job failed (attempt {Attempt}): {Error}", attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(attempt));
            }
            catch (Exception e)
            {
                logger.LogWarning("report to the job failed; the lease will expire instead: {Error}", e.Message);
                return false;
            }
        }
    }
}
