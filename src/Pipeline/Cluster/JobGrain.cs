// The coordinator of one job. It hands out shards in index order to whichever worker asks, tracks leases
// in memory, and persists (through the Orleans grain storage: Redis, or memory for development) the spec,
// phase, committed-shard bits and counts on every commit and phase change — so a restart of the whole
// cluster resumes the job where its commits left it.
//
// A lease ends when it is not renewed in time (ClusterWorkerOptions.LeaseDuration) or when the membership
// service reports its silo dead, whichever comes first; the shard is then handed to the next worker that
// asks. When every shard is committed the merge step is leased the same way, and its completion makes the
// job Succeeded. The grain is single-threaded (not reentrant), so the table needs no locks.
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Pipeline.Cluster;

/// <summary>Implements <see cref="IJobGrain"/>.</summary>
internal sealed class JobGrain(
    [PersistentState("job", ClusterStorage.Name)] IPersistentState<JobState> state,
    IClusterMembershipService membership,
    IOptions<ClusterWorkerOptions> options,
    ILogger<JobGrain> logger) : Grain, IJobGrain
{
    private sealed class Lease(Guid id, SiloAddress silo, DateTime expiresUtc)
    {
        public Guid Id { get; } = id;
        public SiloAddress Silo { get; set; } = silo;
        public DateTime ExpiresUtc { get; set; } = expiresUtc;
        public long Completed { get; set; }
        public long Failed { get; set; }
    }

    private readonly Dictionary<int, Lease> leases = [];
    private readonly Stopwatch busy = new();   // time spent inside the shard protocol's calls, store writes included
    private long protocolCalls;
    private int nextCandidate;   // every shard below this index is committed: where the search for a free one starts
    private JobState Job => state.State;
    private TimeSpan LeaseDuration => options.Value.LeaseDuration;

    public async Task<JobStatus> SubmitAsync(ClusterJobSpec spec, bool restartFinished)
    {
        spec.Validate();
        if (Job.Spec is null || Job.Phase == JobPhase.None || (restartFinished && Job.Phase == JobPhase.Succeeded))
        {
            state.State = new JobState
            {
                Spec = spec, Phase = JobPhase.Running, Done = new byte[(spec.ShardCount + 7) / 8], Skipped = spec.DuplicateInputs, StartedUtc = DateTime.UtcNow,
            };
            leases.Clear();
            nextCandidate = 0;
            await state.WriteStateAsync();
            await Registry.AddAsync(this.GetPrimaryKeyString());
            logger.LogInformation("job {Job}: submitted, {Items} items in {Shards} shards", this.GetPrimaryKeyString(), spec.ItemCount, spec.ShardCount);
        }
        else if (!Job.Spec.SameWork(spec))
        {
            throw new InvalidOperationException(
                $"{spec.OutputPath} is the output of another job ({Job.Spec.Kind}, model {Job.Spec.ModelDirectory}, {Job.Phase}); cancel it and delete its output, or choose another --out.");
        }
        else if (Job.Phase is JobPhase.Cancelled or JobPhase.Failed)
        {
            Job.Phase = JobPhase.Running;
            Job.Failure = null;
            Job.FailedAttempts.Clear();
            Job.StartedUtc = DateTime.UtcNow;
            Job.EndedUtc = null;
            await state.WriteStateAsync();
            await Registry.AddAsync(this.GetPrimaryKeyString());
            logger.LogInformation("job {Job}: resumed with {Done} of {Shards} shards committed", this.GetPrimaryKeyString(), Job.ShardsDone, spec.ShardCount);
        }
        return Status();
    }

    public Task<ShardLease?> LeaseAsync(SiloAddress worker)
    {
        using var _ = Measure();
        if (Job.Phase != JobPhase.Running || Job.Spec is not { } spec) return Task.FromResult<ShardLease?>(null);
        ExpireLeases();
        int shard;
        if (Job.ShardsDone == spec.ShardCount)
        {
            if (leases.ContainsKey(ShardLease.FinalizeShard)) return Task.FromResult<ShardLease?>(null);
            shard = ShardLease.FinalizeShard;
        }
        else
        {
            shard = NextFreeShard();
            if (shard < 0) return Task.FromResult<ShardLease?>(null);
        }
        var id = Guid.NewGuid();
        leases[shard] = new Lease(id, worker, DateTime.UtcNow + LeaseDuration);
        return Task.FromResult<ShardLease?>(new ShardLease(this.GetPrimaryKeyString(), spec, shard, id, LeaseDuration));
    }

    public Task<bool> RenewAsync(int shard, Guid leaseId, SiloAddress worker, long completed, long failed)
    {
        using var _ = Measure();
        if (Job.Phase != JobPhase.Running) return Task.FromResult(false);
        if (leases.TryGetValue(shard, out var lease))
        {
            if (lease.Id != leaseId) return Task.FromResult(false);
        }
        else
        {
            // Leases live in memory: after this grain moved or restarted, a worker still running its shard
            // re-adopts it here rather than throwing its work away.
            if (shard != ShardLease.FinalizeShard && Job.IsDone(shard)) return Task.FromResult(false);
            leases[shard] = lease = new Lease(leaseId, worker, default);
        }
        lease.Silo = worker;
        lease.ExpiresUtc = DateTime.UtcNow + LeaseDuration;
        lease.Completed = completed;
        lease.Failed = failed;
        return Task.FromResult(true);
    }

    public async Task CompleteAsync(int shard, Guid leaseId, ShardSummary summary)
    {
        using var _ = Measure();
        if (Job.Spec is null) return;
        leases.Remove(shard);
        if (shard == ShardLease.FinalizeShard)
        {
            if (Job.Phase == JobPhase.Succeeded) return;
            Job.Phase = JobPhase.Succeeded;
            Job.EndedUtc = DateTime.UtcNow;
            await state.WriteStateAsync();
            await Registry.RemoveAsync(this.GetPrimaryKeyString());
            logger.LogInformation("job {Job}: succeeded ({Completed} done, {Failed} failed)", this.GetPrimaryKeyString(), Job.Completed, Job.Failed);
            return;
        }
        if (shard < 0 || shard >= Job.Spec.ShardCount) throw new ArgumentOutOfRangeException(nameof(shard), shard, $"the job has {Job.Spec.ShardCount} shards");
        if (!Job.MarkDone(shard)) return;   // a second attempt of a committed shard: counted once
        Job.Completed += summary.Completed;
        Job.Skipped += summary.Skipped;
        Job.Failed += summary.Failed;
        Job.FailedAttempts.Remove(shard);
        await state.WriteStateAsync();
    }

    public async Task AbandonAsync(int shard, Guid leaseId, string? error, bool stopJob)
    {
        using var _ = Measure();
        if (leases.TryGetValue(shard, out var lease) && lease.Id == leaseId) leases.Remove(shard);
        if (error is null || Job.Phase != JobPhase.Running) return;
        int attempts = Job.FailedAttempts[shard] = Job.FailedAttempts.GetValueOrDefault(shard) + 1;
        logger.LogWarning("job {Job}: shard {Shard} attempt {Attempt} failed: {Error}", this.GetPrimaryKeyString(), shard, attempts, error);
        if (stopJob || attempts >= options.Value.MaxShardAttempts)
        {
            Job.Phase = JobPhase.Failed;
            Job.EndedUtc = DateTime.UtcNow;
            Job.Failure = stopJob ? error : $"shard {shard} failed {attempts} times; last error: {error}";
            leases.Clear();
            await Registry.RemoveAsync(this.GetPrimaryKeyString());
        }
        await state.WriteStateAsync();
    }

    public Task<JobStatus> GetStatusAsync()
    {
        ExpireLeases();
        return Task.FromResult(Status());
    }

    public async Task<JobStatus> CancelAsync()
    {
        if (Job.Phase == JobPhase.Running)
        {
            Job.Phase = JobPhase.Cancelled;
            Job.EndedUtc = DateTime.UtcNow;
            leases.Clear();
            await state.WriteStateAsync();
            await Registry.RemoveAsync(this.GetPrimaryKeyString());
            logger.LogInformation("job {Job}: cancelled with {Done} of {Shards} shards committed", this.GetPrimaryKeyString(), Job.ShardsDone, Job.Spec!.ShardCount);
        }
        return Status();
    }

    // Accounts one protocol call: the grain handles one call at a time, so the busy fraction of wall time is how close
    // this job's coordinator is to its limit (shown by `pipeline cluster status`, measured in BENCHMARKS.md).
    private BusyScope Measure()
    {
        protocolCalls++;
        busy.Start();
        return new BusyScope(busy);
    }

    private readonly struct BusyScope(Stopwatch clock) : IDisposable
    {
        public void Dispose() => clock.Stop();
    }

    private IJobRegistryGrain Registry => GrainFactory.GetGrain<IJobRegistryGrain>(IJobRegistryGrain.Key);

    private JobStatus Status() => new(
        Job.Phase, Job.Spec, Job.ShardsDone,
        leases.OrderBy(l => l.Key).Select(l => new ShardInFlight(l.Key, l.Value.Silo, l.Value.Completed, l.Value.Failed)).ToArray(),
        Job.Completed, Job.Skipped, Job.Failed, Job.Failure, Job.ShardsReassigned, busy.Elapsed, protocolCalls,
        (Job.EndedUtc ?? DateTime.UtcNow) - Job.StartedUtc);

    private int NextFreeShard()
    {
        int count = Job.Spec!.ShardCount;
        // At the end of a big job every idle worker asks once per poll interval: answer "nothing" without a scan.
        if (Job.ShardsDone + leases.Count - (leases.ContainsKey(ShardLease.FinalizeShard) ? 1 : 0) >= count) return -1;
        while (nextCandidate < count && Job.IsDone(nextCandidate)) nextCandidate++;
        for (int shard = nextCandidate; shard < count; shard++)
            if (!Job.IsDone(shard) && !leases.ContainsKey(shard)) return shard;
        return -1;
    }

    // Frees leases whose worker stopped renewing or whose silo the membership service has declared dead.
    private void ExpireLeases()
    {
        if (leases.Count == 0) return;
        var now = DateTime.UtcNow;
        var snapshot = membership.CurrentSnapshot;
        List<int>? expired = null;
        foreach (var (shard, lease) in leases)
            if (lease.ExpiresUtc < now || snapshot.GetSiloStatus(lease.Silo) == SiloStatus.Dead)
                (expired ??= []).Add(shard);
        if (expired is null) return;
        foreach (var shard in expired)
        {
            logger.LogWarning("job {Job}: lease on shard {Shard} held by {Silo} ended without a report; re-assigning it",
                this.GetPrimaryKeyString(), shard, leases[shard].Silo);
            leases.Remove(shard);
        }
        Job.ShardsReassigned += expired.Count;   // persisted with the next write
    }
}
