// Implements the job registry: an ordered list of job ids in persisted state, read by every idle worker
// once per poll interval. Reads are answered from memory and may interleave; only changes are written.
// The workers that polled are remembered in memory (one per silo) and woken when a job is added, so a
// submitted job starts at once rather than up to a poll interval later. Only workers that have polled are
// woken — they exist, on their own silo — and only while the membership lists their silo as active, so a
// wake-up never activates a worker anywhere else. Losing this list (the registry moved) costs one poll.
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Pipeline.Cluster;

/// <summary>Persisted state of <see cref="JobRegistryGrain"/>.</summary>
[GenerateSerializer, Alias("pipeline.job-registry-state")]
public sealed class JobRegistryState
{
    /// <summary>Running jobs, oldest first.</summary>
    [Id(0)] public List<string> Running { get; set; } = [];
}

/// <summary>Implements <see cref="IJobRegistryGrain"/>.</summary>
internal sealed class JobRegistryGrain(
    [PersistentState("registry", ClusterStorage.Name)] IPersistentState<JobRegistryState> state,
    IClusterMembershipService membership)
    : Grain, IJobRegistryGrain
{
    private string[] snapshot = [];
    private readonly Dictionary<SiloAddress, IWorkerGrain> workers = [];

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        snapshot = [.. state.State.Running];
        return Task.CompletedTask;
    }

    public async Task AddAsync(string jobId)
    {
        if (state.State.Running.Contains(jobId)) return;
        state.State.Running.Add(jobId);
        snapshot = [.. state.State.Running];
        await state.WriteStateAsync();
        WakeWorkers();
    }

    public async Task RemoveAsync(string jobId)
    {
        if (!state.State.Running.Remove(jobId)) return;
        snapshot = [.. state.State.Running];
        await state.WriteStateAsync();
    }

    [ReadOnly]
    public Task<string[]> PollAsync(IWorkerGrain worker, SiloAddress silo)
    {
        workers[silo] = worker;
        return Task.FromResult(snapshot);
    }

    private void WakeWorkers()
    {
        var members = membership.CurrentSnapshot;
        foreach (var (silo, worker) in workers.ToArray())
        {
            if (members.GetSiloStatus(silo) != SiloStatus.Active) workers.Remove(silo);
            else _ = worker.WakeAsync();   // one-way: returns at once
        }
    }
}
