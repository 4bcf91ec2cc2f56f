// The persisted part of a job: its spec, phase, which shards are committed (one bit each) and the counts
// of those shards. Leases are deliberately not persisted: after a restart of the cluster no worker holds
// anything, and a lease lost while its worker lives is harmless — the worker re-adopts it at its next
// renewal, and a shard run twice is committed once (JobLayout). Writing only on commits and phase
// changes keeps the store's traffic to one small write per shard.
namespace Pipeline.Cluster;

/// <summary>Persisted state of <see cref="JobGrain"/>.</summary>
[GenerateSerializer, Alias("pipeline.job-state")]
public sealed class JobState
{
    /// <summary>The job, or null before the first submission.</summary>
    [Id(0)] public ClusterJobSpec? Spec { get; set; }

    /// <summary>Where the job is.</summary>
    [Id(1)] public JobPhase Phase { get; set; }

    /// <summary>Bit <c>i</c> set: shard <c>i</c> is committed.</summary>
    [Id(2)] public byte[] Done { get; set; } = [];

    /// <summary>Number of committed shards.</summary>
    [Id(3)] public int ShardsDone { get; set; }

    /// <summary>Items of committed shards.</summary>
    [Id(4)] public long Completed { get; set; }

    /// <summary>Duplicate items skipped by committed shards (plus the planner's duplicates).</summary>
    [Id(5)] public long Skipped { get; set; }

    /// <summary>Failed items of committed shards.</summary>
    [Id(6)] public long Failed { get; set; }

    /// <summary>Why the job failed.</summary>
    [Id(7)] public string? Failure { get; set; }

    /// <summary>Failed attempts per shard (reset when the shard commits or the job is resumed).</summary>
    [Id(8)] public Dictionary<int, int> FailedAttempts { get; set; } = [];

    /// <summary>Leases taken back from workers that died or stopped renewing.</summary>
    [Id(9)] public int ShardsReassigned { get; set; }

    /// <summary>When the job was last submitted or resumed (UTC, the coordinator's clock).</summary>
    [Id(10)] public DateTime StartedUtc { get; set; }

    /// <summary>When it succeeded, failed or was cancelled (UTC), or null while it runs.</summary>
    [Id(11)] public DateTime? EndedUtc { get; set; }

    /// <summary>True when shard <paramref name="shard"/> is committed.</summary>
    public bool IsDone(int shard) => (Done[shard >> 3] & (1 << (shard & 7))) != 0;

    /// <summary>Marks <paramref name="shard"/> committed; false when it already was.</summary>
    public bool MarkDone(int shard)
    {
        if (IsDone(shard)) return false;
        Done[shard >> 3] |= (byte)(1 << (shard & 7));
        ShardsDone++;
        return true;
    }
}
