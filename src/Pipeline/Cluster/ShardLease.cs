// What a worker receives when it takes on a shard: the job's spec (all it needs to run the shard), the
// shard's index, and the lease id that its renewals and its completion report must quote. Shard index
// FinalizeShard stands for the job's last step, merging the committed shards into the output, which is
// leased like a shard so that it, too, is re-assigned if its worker dies.
namespace Pipeline.Cluster;

/// <summary>A time-limited claim on one shard of a job.</summary>
/// <param name="JobId">The job grain's key.</param>
/// <param name="Spec">The job.</param>
/// <param name="Shard">Shard index, or <see cref="FinalizeShard"/>.</param>
/// <param name="LeaseId">Identifies this claim; a renewal or report with another id is stale.</param>
/// <param name="Duration">The lease expires unless renewed within this time.</param>
[GenerateSerializer, Immutable, Alias("pipeline.shard-lease")]
public sealed record ShardLease(
    [property: Id(0)] string JobId,
    [property: Id(1)] ClusterJobSpec Spec,
    [property: Id(2)] int Shard,
    [property: Id(3)] Guid LeaseId,
    [property: Id(4)] TimeSpan Duration)
{
    /// <summary>The shard index of the merge step.</summary>
    public const int FinalizeShard = -1;

    /// <summary>True for the merge step.</summary>
    public bool IsFinalize => Shard == FinalizeShard;
}
