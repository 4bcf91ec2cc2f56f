// The coordinator of one cluster job, keyed by the full path of the job's output file (one job per output).
// Workers pull leases from it and report back; clients submit, follow and cancel through it.
using Orleans.Runtime;

namespace Pipeline.Cluster;

/// <summary>One cluster job: its shard table, leases and counts.</summary>
[Alias("pipeline.IJobGrain")]
public interface IJobGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts the job described by <paramref name="spec"/>, or resumes it when it is cancelled or failed, or returns its
    /// status when it is running. <paramref name="restartFinished"/> starts a finished job afresh (its output is gone).
    /// </summary>
    /// <exception cref="InvalidOperationException">The id belongs to a job doing different work.</exception>
    [Alias("submit")]
    Task<JobStatus> SubmitAsync(ClusterJobSpec spec, bool restartFinished);

    /// <summary>Takes on the next shard nobody holds, or the merge step once every shard is committed; null when there is nothing to do.</summary>
    [Alias("lease")]
    Task<ShardLease?> LeaseAsync(SiloAddress worker);

    /// <summary>Extends a lease and records progress; false when the worker must stop (lease lost, shard done, job not running).</summary>
    [Alias("renew")]
    Task<bool> RenewAsync(int shard, Guid leaseId, SiloAddress worker, long completed, long failed);

    /// <summary>Reports a committed shard (or the finished merge). Accepted from any attempt: the committed files are the truth.</summary>
    [Alias("complete")]
    Task CompleteAsync(int shard, Guid leaseId, ShardSummary summary);

    /// <summary>
    /// Gives a shard back uncommitted. <paramref name="error"/> is null when the worker was stopped (shutdown, cancel);
    /// otherwise it counts as a failed attempt, and <paramref name="stopJob"/> (the fail-on-error policy) fails the job at once.
    /// </summary>
    [Alias("abandon")]
    Task AbandonAsync(int shard, Guid leaseId, string? error, bool stopJob);

    /// <summary>The job's current state.</summary>
    [Alias("status")]
    Task<JobStatus> GetStatusAsync();

    /// <summary>Stops handing out shards and tells workers to stop at their next renewal; committed shards are kept.</summary>
    [Alias("cancel")]
    Task<JobStatus> CancelAsync();
}
