// What a cluster job is: the batch command it runs (caption or classify), with which model and settings,
// where its plan and results live, and how many shards the planner cut its input into. The spec travels
// with every shard lease (so a worker needs nothing else to run a shard) and is stored in the job grain's
// persisted state and, for people and for resubmission checks, as job.json in the job directory.
using System.Text.Json.Serialization;
using Pipeline.Batch;
using Pipeline.Captioning;
using Pipeline.Classification;

namespace Pipeline.Cluster;

/// <summary>Which single-machine batch command a cluster job runs per shard.</summary>
public enum ClusterJobKind
{
    /// <summary><c>pipeline caption</c>: <see cref="Captioning.CaptionBatchJob"/>.</summary>
    Caption,
    /// <summary><c>pipeline classify</c>: <see cref="ClassifyJob"/>.</summary>
    Classify,
}

/// <summary>The settings of a caption job (the options of <c>pipeline caption</c> except input and output).</summary>
[GenerateSerializer, Immutable, Alias("pipeline.caption-job-settings")]
public sealed record CaptionJobSettings(
    [property: Id(0)] IReadOnlyList<string> Inputs,
    [property: Id(1)] bool Recursive,
    [property: Id(2)] int BeamSize,
    [property: Id(3)] int? MaxLength,
    [property: Id(4)] int TopK,
    [property: Id(5)] string? AttentionMapsDirectory,
    [property: Id(6)] int BatchSize,
    [property: Id(7)] BatchErrorPolicy OnError,
    [property: Id(8)] float LengthPenalty = CaptionOptions.DefaultLengthPenalty)
{
    /// <summary>The settings of a single-machine caption run (its inputs and options; the output is the job's).</summary>
    public static CaptionJobSettings From(CaptionBatchOptions options) => new(
        options.Inputs, options.Recursive, options.Caption.BeamSize, options.Caption.MaxLength, options.Caption.TopK,
        options.AttentionMapsDirectory is { } maps ? Path.GetFullPath(maps) : null, options.Batch.BatchSize, options.Batch.OnError,
        options.Caption.LengthPenalty);

    /// <summary>The options <c>pipeline caption</c> would run with, writing to <paramref name="outputPath"/>.</summary>
    public CaptionBatchOptions ToOptions(string outputPath) => new(
        Inputs, outputPath, Recursive, AttentionMapsDirectory,
        new CaptionOptions(BeamSize: BeamSize, MaxLength: MaxLength, TopK: TopK, LengthPenalty: LengthPenalty),
        new BatchOptions(BatchSize: BatchSize, OnError: OnError));

    // Value equality as for any record, except that the inputs (a list, which records compare by reference) are
    // compared element by element: a resubmitted command deserializes its own list.

    /// <summary>Same settings (the inputs compared element by element).</summary>
    public bool Equals(CaptionJobSettings? other) =>
        other is not null && Inputs.SequenceEqual(other.Inputs, StringComparer.Ordinal) && Recursive == other.Recursive && BeamSize == other.BeamSize
        && MaxLength == other.MaxLength && TopK == other.TopK && AttentionMapsDirectory == other.AttentionMapsDirectory
        && BatchSize == other.BatchSize && OnError == other.OnError && LengthPenalty.Equals(other.LengthPenalty);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Inputs.Count, Recursive, BeamSize, MaxLength, TopK, AttentionMapsDirectory, BatchSize, OnError);
}

/// <summary>The settings of a classify job (the options of <c>pipeline classify</c> except output).</summary>
[GenerateSerializer, Immutable, Alias("pipeline.classify-job-settings")]
public sealed record ClassifyJobSettings(
    [property: Id(0)] string InputPath,
    [property: Id(1)] ClassifyInputFormat Format,
    [property: Id(2)] int TopK,
    [property: Id(3)] int BatchSize,
    [property: Id(4)] BatchErrorPolicy OnError,
    [property: Id(5)] string TextColumn,
    [property: Id(6)] string IdColumn)
{
    /// <summary>The settings of a single-machine classify run (its input and options; the output is the job's).</summary>
    public static ClassifyJobSettings From(ClassifyJobOptions options) =>
        new(options.InputPath, options.Format, options.TopK, options.BatchSize, options.OnError, options.TextColumn, options.IdColumn);

    /// <summary>The options <c>pipeline classify</c> would run with, writing to <paramref name="outputPath"/>.</summary>
    public ClassifyJobOptions ToOptions(string outputPath) =>
        new(InputPath, outputPath, Format, TopK, OnError, BatchSize, TextColumn: TextColumn, IdColumn: IdColumn);
}

/// <summary>A planned cluster job.</summary>
/// <param name="Kind">The batch command run per shard.</param>
/// <param name="OutputPath">Full path of the final result file (the job's identity: one job per output file).</param>
/// <param name="ModelDirectory">Full path of the model directory; every silo must see it at this path.</param>
/// <param name="JobDirectory">Full path of the plan and shard results (<see cref="JobLayout"/>), beside the output.</param>
/// <param name="ShardCount">Shards the input was cut into.</param>
/// <param name="ItemCount">Items (images, or input lines) over all shards.</param>
/// <param name="DuplicateInputs">Inputs the planner dropped because they were listed before (the single-machine command skips them too).</param>
/// <param name="Caption">Caption settings (caption jobs).</param>
/// <param name="Classify">Classify settings (classify jobs).</param>
[GenerateSerializer, Immutable, Alias("pipeline.cluster-job-spec")]
public sealed record ClusterJobSpec(
    [property: Id(0)] ClusterJobKind Kind,
    [property: Id(1)] string OutputPath,
    [property: Id(2)] string ModelDirectory,
    [property: Id(3)] string JobDirectory,
    [property: Id(4)] int ShardCount,
    [property: Id(5)] long ItemCount,
    [property: Id(6)] int DuplicateInputs,
    [property: Id(7)] CaptionJobSettings? Caption,
    [property: Id(8)] ClassifyJobSettings? Classify)
{
    /// <summary>The errors file written beside the output, as by the single-machine command.</summary>
    [JsonIgnore]
    public string ErrorsPath => ErrorLog.PathFor(OutputPath);

    /// <summary>True when <paramref name="other"/> asks for the same work (kind, output, model and settings); the plan is not compared.</summary>
    public bool SameWork(ClusterJobSpec other) =>
        Kind == other.Kind && OutputPath == other.OutputPath && ModelDirectory == other.ModelDirectory
        && Equals(Caption, other.Caption) && Equals(Classify, other.Classify);

    /// <summary>Throws when the spec is not internally consistent.</summary>
    public ClusterJobSpec Validate()
    {
        if (ShardCount < 0) throw new ArgumentOutOfRangeException(nameof(ShardCount), ShardCount, "must be non-negative");
        if ((Kind == ClusterJobKind.Caption) != (Caption is not null) || (Kind == ClusterJobKind.Classify) != (Classify is not null))
            throw new ArgumentException($"a {Kind} job needs exactly the {Kind} settings.");
        if (!Path.IsPathFullyQualified(OutputPath) || !Path.IsPathFullyQualified(ModelDirectory) || !Path.IsPathFullyQualified(JobDirectory))
            throw new ArgumentException("output, model and job directory must be full paths (every silo resolves them alike).");
        return this;
    }
}
