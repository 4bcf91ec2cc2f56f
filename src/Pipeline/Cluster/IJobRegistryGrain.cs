// The list of jobs that want workers, so that an idle worker knows where to ask for a shard. Jobs add
// themselves when submitted or resumed and remove themselves when they succeed, fail or are cancelled;
// the list is persisted, so after a restart of the whole cluster the workers find the unfinished jobs
// again without any client. Idle workers ask through PollAsync, which also notes them, so that a job added
// to the list wakes them at once instead of waiting for their next poll.
namespace Pipeline.Cluster;

/// <summary>The running jobs of a cluster, oldest first.</summary>
[Alias("pipeline.IJobRegistryGrain")]
public interface IJobRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>The one registry of a cluster.</summary>
    const long Key = 0;

    /// <summary>Adds a running job (no-op when listed).</summary>
    [Alias("add")]
    Task AddAsync(string jobId);

    /// <summary>Removes a job that no longer wants workers (no-op when absent).</summary>
    [Alias("remove")]
    Task RemoveAsync(string jobId);

    /// <summary>
    /// The running jobs in submission order, asked by the idle <paramref name="worker"/> of <paramref name="silo"/>: the registry remembers it
    /// and wakes it (<see cref="IWorkerGrain.WakeAsync"/>) when a job is added.
    /// </summary>
    [Alias("poll")]
    Task<string[]> PollAsync(IWorkerGrain worker, SiloAddress silo);
}
