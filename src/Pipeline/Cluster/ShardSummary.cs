// The counts one shard contributed, as the single-machine BatchSummary reports them. Written as
// summary.json inside the committed shard directory (so a shard committed by a worker that died before
// it could report is still counted) and sent to the job grain with the completion report.
using System.Text.Json.Serialization;
using Pipeline.Batch;

namespace Pipeline.Cluster;

/// <summary>Items of one committed shard: captioned/classified, skipped (duplicates), failed (in the errors file).</summary>
[GenerateSerializer, Immutable, Alias("pipeline.shard-summary")]
public sealed record ShardSummary(
    [property: Id(0), JsonPropertyName("completed")] long Completed,
    [property: Id(1), JsonPropertyName("skipped")] long Skipped,
    [property: Id(2), JsonPropertyName("failed")] long Failed)
{
    /// <summary>The counts of a finished batch run.</summary>
    public static ShardSummary From(BatchSummary summary) => new(summary.Completed, summary.Skipped, summary.Failed);
}
