// A job's state as a client sees it: phase, shards done and in flight (with the silo holding each lease
// and how far it got), and the item counts so far. Counts of committed shards are final; those of leased
// shards are the latest progress their workers reported and may still be redone.
using Orleans.Runtime;

namespace Pipeline.Cluster;

/// <summary>Where a cluster job is in its life.</summary>
public enum JobPhase
{
    /// <summary>No job has been submitted under this id.</summary>
    None,
    /// <summary>Shards are being handed out (or, once all are committed, merged into the output).</summary>
    Running,
    /// <summary>The output and errors files are written.</summary>
    Succeeded,
    /// <summary>Stopped on request; resubmitting resumes it.</summary>
    Cancelled,
    /// <summary>Stopped by the fail-on-error policy or by a shard that kept failing; resubmitting retries.</summary>
    Failed,
}

/// <summary>A shard being worked on.</summary>
/// <param name="Shard">Shard index (or <see cref="ShardLease.FinalizeShard"/>).</param>
/// <param name="Silo">The silo whose worker holds the lease.</param>
/// <param name="Completed">Items finished so far in this attempt.</param>
/// <param name="Failed">Items failed so far in this attempt.</param>
[GenerateSerializer, Immutable, Alias("pipeline.shard-in-flight")]
public sealed record ShardInFlight([property: Id(0)] int Shard, [property: Id(1)] SiloAddress Silo, [property: Id(2)] long Completed, [property: Id(3)] long Failed);

/// <summary>Snapshot of a cluster job.</summary>
/// <remarks>
/// <see cref="CoordinatorBusy"/> and <see cref="ProtocolCalls"/> count the lease, renewal, completion and abandon calls the
/// job grain has served since it was activated (store writes included): busy time over wall time is how loaded the
/// job's single coordinator is. <see cref="Elapsed"/> runs from the last submission or resumption to the end (or now).
/// </remarks>
[GenerateSerializer, Immutable, Alias("pipeline.job-status")]
public sealed record JobStatus(
    [property: Id(0)] JobPhase Phase,
    [property: Id(1)] ClusterJobSpec? Spec,
    [property: Id(2)] int ShardsDone,
    [property: Id(3)] IReadOnlyList<ShardInFlight> InFlight,
    [property: Id(4)] long Completed,
    [property: Id(5)] long Skipped,
    [property: Id(6)] long Failed,
    [property: Id(7)] string? Failure,
    [property: Id(8)] int ShardsReassigned,
    [property: Id(9)] TimeSpan CoordinatorBusy,
    [property: Id(10)] long ProtocolCalls,
    [property: Id(11)] TimeSpan Elapsed)
{
    /// <summary>Items finished, counting the progress of shards in flight.</summary>
    public long CompletedIncludingInFlight => Completed + InFlight.Sum(s => s.Completed);

    /// <summary>True when the job will make no more progress by itself.</summary>
    public bool IsTerminal => Phase is JobPhase.Succeeded or JobPhase.Cancelled or JobPhase.Failed or JobPhase.None;
}
