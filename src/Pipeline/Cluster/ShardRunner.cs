// Runs one leased shard on a silo with the single-machine batch code — CaptionBatchJob or ClassifyJob on
// top of BatchRunner, the same functions `pipeline caption` and `pipeline classify` call — writing into a
// private attempt directory that is committed atomically (JobLayout.Commit). A shard already committed by
// an earlier attempt is not run again. The merge step (ShardLease.FinalizeShard) runs OutputMerger.
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Pipeline.Batch;
using Pipeline.Captioning;
using Pipeline.Classification;

namespace Pipeline.Cluster;

/// <summary>How a shard attempt ended.</summary>
public enum ShardOutcome
{
    /// <summary>The shard is committed (by this attempt or an earlier one).</summary>
    Committed,
    /// <summary>Stopped before committing (cancellation, lease lost, silo stopping); nothing was kept.</summary>
    Cancelled,
    /// <summary>An item failed under the fail-on-error policy: the job must stop.</summary>
    StoppedByPolicy,
}

/// <summary>The end of a shard attempt: the committed counts, or why there are none.</summary>
public sealed record ShardRunResult(ShardOutcome Outcome, ShardSummary? Summary, string? Error);

/// <summary>What a worker calls to run a leased shard (the seam tests use to pause a silo mid-shard).</summary>
public interface IShardRunner
{
    /// <summary>Runs <paramref name="lease"/>'s shard; exceptions are failures of the attempt (model missing, storage error, …).</summary>
    Task<ShardRunResult> RunAsync(ShardLease lease, IProgress<BatchProgress>? progress, CancellationToken cancellationToken);
}

/// <summary>Runs shards and the merge step of cluster jobs.</summary>
public sealed class ShardRunner(ModelHost models, ILogger<ShardRunner> logger) : IShardRunner
{
    /// <inheritdoc />
    public async Task<ShardRunResult> RunAsync(ShardLease lease, IProgress<BatchProgress>? progress, CancellationToken cancellationToken)
    {
        var spec = lease.Spec;
        var layout = new JobLayout(spec.JobDirectory);
        if (lease.IsFinalize)
        {
            OutputMerger.Merge(spec, layout);
            return new ShardRunResult(ShardOutcome.Committed, new ShardSummary(0, 0, 0), null);
        }
        if (layout.ReadCommitted(lease.Shard) is { } committed)
        {
            logger.LogInformation("shard {Shard} of {Output} was already committed", lease.Shard, spec.OutputPath);
            return new ShardRunResult(ShardOutcome.Committed, committed, null);
        }

        var attempt = layout.CreateAttemptDirectory(lease.Shard);
        try
        {
            var format = OutputFormats.FromPath(spec.OutputPath);
            var results = JobLayout.ResultsFile(attempt, format);
            var errorsPath = JobLayout.ErrorsFile(attempt);
            BatchSummary summary;
            using (var errors = new ErrorLog(errorsPath))
            {
                summary = spec.Kind switch
                {
                    ClusterJobKind.Caption => await RunCaptionAsync(spec, layout.ShardInput(lease.Shard, spec.Kind), results, format, errors, progress, cancellationToken),
                    ClusterJobKind.Classify => await RunClassifyAsync(spec, layout.ShardInput(lease.Shard, spec.Kind), results, format, errors, progress, cancellationToken),
                    _ => throw new InvalidDataException($"unknown job kind {spec.Kind}"),
                };
            }
            if (summary.Cancelled)
                return cancellationToken.IsCancellationRequested
                    ? new ShardRunResult(ShardOutcome.Cancelled, null, null)
                    : new ShardRunResult(ShardOutcome.StoppedByPolicy, null, FirstError(errorsPath) ?? "an item failed (--on-error fail)");
            return new ShardRunResult(ShardOutcome.Committed, layout.Commit(lease.Shard, attempt, ShardSummary.From(summary)), null);
        }
        finally
        {
            if (Directory.Exists(attempt)) JobLayout.DeleteQuietly(attempt);
        }
    }

    private async Task<BatchSummary> RunCaptionAsync(ClusterJobSpec spec, string input, string results, OutputFormat format, ErrorLog errors,
        IProgress<BatchProgress>? progress, CancellationToken cancellationToken)
    {
        var captioner = models.Captioner(spec.ModelDirectory);
        var items = ShardInputs.ReadCaptionItems(input);
        using var output = new ResumableResultWriter(results, CaptionBatchJob.KeyColumn, format);
        return await CaptionBatchJob.RunAsync(captioner, spec.Caption!.ToOptions(spec.OutputPath), items, output, errors, progress, cancellationToken);
    }

    private async Task<BatchSummary> RunClassifyAsync(ClusterJobSpec spec, string input, string results, OutputFormat format, ErrorLog errors,
        IProgress<BatchProgress>? progress, CancellationToken cancellationToken)
    {
        var classifier = models.Classifier(spec.ModelDirectory);
        var options = spec.Classify!.ToOptions(spec.OutputPath);
        var lines = ClassifyInputReader.Read(options.InputPath, ShardInputs.ReadClassifyRange(input), options.Format, options.TextColumn, options.IdColumn, options.MaxLineBytes);
        using var output = new ResumableResultWriter(results, ClassifyJob.CreateCompletionIndex(), format);
        return await ClassifyJob.RunAsync(classifier, options, lines, output, errors, progress, cancellationToken);
    }

    // "key: message" of the first entry of an errors file, for the job's failure message.
    private static string? FirstError(string errorsPath)
    {
        var first = File.ReadLines(errorsPath).FirstOrDefault(l => l.Length > 0);
        if (first is null) return null;
        using var entry = JsonDocument.Parse(first);
        return $"{entry.RootElement.GetProperty("key").GetString()}: {entry.RootElement.GetProperty("error").GetString()}";
    }
}
