// Timing of the shard protocol, the same on every silo of a cluster. A lease is renewed four times per
// lease duration, so a worker that stops renewing (its silo died, hung, or was cut off) loses its shard
// after at most one duration; the membership protocol, when it declares a silo dead first, frees that
// silo's leases at once.
namespace Pipeline.Cluster;

/// <summary>Lease and polling settings of the cluster workers and job grains.</summary>
public sealed record ClusterWorkerOptions
{
    /// <summary>How long a lease lasts without renewal.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an idle worker asks for work.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Failed attempts (errors other than bad items) after which a shard fails its job.</summary>
    public int MaxShardAttempts { get; init; } = 3;

    /// <summary>Engine threads per silo (null: one per core the process may use).</summary>
    public int? Threads { get; init; }

    /// <summary>How often a busy worker renews its lease and reports progress.</summary>
    public TimeSpan RenewInterval => LeaseDuration / 4;

    /// <summary>Throws when a setting is out of range.</summary>
    public ClusterWorkerOptions Validate()
    {
        if (LeaseDuration < TimeSpan.FromSeconds(1)) throw new ArgumentOutOfRangeException(nameof(LeaseDuration), LeaseDuration, "must be at least 1 s");
        if (PollInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(PollInterval), PollInterval, "must be positive");
        if (MaxShardAttempts < 1) throw new ArgumentOutOfRangeException(nameof(MaxShardAttempts), MaxShardAttempts, "must be at least 1");
        if (Threads is < 1) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "must be at least 1");
        return this;
    }
}
