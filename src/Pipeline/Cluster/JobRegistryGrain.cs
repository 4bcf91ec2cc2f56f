// Implements the job registry: an ordered list of job ids in persisted state, read by every idle worker
// once per poll interval. Reads are answered from memory and may interleave; only changes are written.
using Orleans.Concurrency;

namespace Pipeline.Cluster;

/// <summary>Persisted state of <see cref="JobRegistryGrain"/>.</summary>
[GenerateSerializer, Alias("pipeline.job-registry-state")]
public sealed class JobRegistryState
{
    /// <summary>Running jobs, oldest first.</summary>
    [Id(0)] public List<string> Running { get; set; } = [];
}

/// <summary>Implements <see cref="IJobRegistryGrain"/>.</summary>
internal sealed class JobRegistryGrain([PersistentState("registry", ClusterStorage.Name)] IPersistentState<JobRegistryState> state)
    : Grain, IJobRegistryGrain
{
    private string[] snapshot = [];

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
    }

    public async Task RemoveAsync(string jobId)
    {
        if (!state.State.Running.Remove(jobId)) return;
        snapshot = [.. state.State.Running];
        await state.WriteStateAsync();
    }

    [ReadOnly]
    public Task<string[]> GetRunningAsync() => Task.FromResult(snapshot);
}
