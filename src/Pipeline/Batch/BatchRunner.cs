// Streams any number of items through prepare (parallel I/O + decode, Polly retry/timeout) → batched
// compute (the model) → resumable output, with bounded memory: at most MaxInFlight items exist between
// reading and writing, and the runner keeps no per-item state of its own — which items are finished or
// already taken on (duplicates) is asked of the output's completion index, whose representation decides
// what a million items cost (see ICompletionIndex). Items already in the output are skipped; every
// failure lands in the errors file and in the summary; a cancelled run keeps everything already written.
using System.Threading.Channels;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Pipeline.Batch;

/// <summary>A prepared item ready for the model, or the reason it could not be prepared.</summary>
internal readonly record struct Prepared<T>(string Key, T? Item, Exception? Error);

/// <summary>Progress of a running batch job.</summary>
public sealed record BatchProgress(int Completed, int Skipped, int Failed);

/// <summary>Runs a resumable, bounded-memory batch job.</summary>
/// <typeparam name="TItem">What the prepare stage produces for one key (e.g. decoded pixels).</typeparam>
public sealed class BatchRunner<TItem>
{
    private readonly BatchOptions options;
    private readonly ResiliencePipeline resilience;

    /// <summary>Creates a runner; <paramref name="isTransient"/> decides which prepare failures are retried (default: I/O errors other than missing files).</summary>
    public BatchRunner(BatchOptions options, Func<Exception, bool>? isTransient = null)
    {
        options.Validate();
        this.options = options;
        isTransient ??= DefaultIsTransient;
        var builder = new ResiliencePipelineBuilder();
        if (options.Retries > 0)
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && isTransient(e)),
                MaxRetryAttempts = options.Retries,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(50),
                UseJitter = false,
            });
        resilience = builder.AddTimeout(options.EffectiveTimeout).Build();
    }

    /// <summary>Transient: I/O failures except a missing file or directory or denied access, which will not heal by retrying.</summary>
    public static bool DefaultIsTransient(Exception e) =>
        e is IOException and not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException
        || e is TimeoutRejectedException;

    /// <summary>
    /// Processes <paramref name="keys"/> (streamed once, in order) and returns the counts. <paramref name="prepare"/> runs on
    /// several workers; <paramref name="compute"/> receives batches in input order and returns one record per item
    /// (or throws, in which case the batch is retried item by item to isolate the culprit).
    /// </summary>
    public Task<BatchSummary> RunAsync(
        IEnumerable<string> keys,
        Func<string, CancellationToken, ValueTask<TItem>> prepare,
        Func<IReadOnlyList<(string Key, TItem Item)>, CancellationToken, IReadOnlyList<ResultRecord>> compute,
        ResumableResultWriter output,
        ErrorLog errors,
        IProgress<BatchProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        RunAsync(keys, static key => key, prepare, compute, output, errors, progress, cancellationToken);

    /// <summary>
    /// Processes <paramref name="sources"/> (streamed once, in order), each identified by <paramref name="keyOf"/>, and returns
    /// the counts. Use this form when the input already carries what <paramref name="prepare"/> needs (e.g. a line of text):
    /// the source travels with its key through the bounded queues, so nothing has to be parked on the side.
    /// </summary>
    public async Task<BatchSummary> RunAsync<TSource>(
        IEnumerable<TSource> sources,
        Func<TSource, string> keyOf,
        Func<TSource, CancellationToken, ValueTask<TItem>> prepare,
        Func<IReadOnlyList<(string Key, TItem Item)>, CancellationToken, IReadOnlyList<ResultRecord>> compute,
        ResumableResultWriter output,
        ErrorLog errors,
        IProgress<BatchProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(keyOf);
        int completed = 0, skipped = 0, failed = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = stop.Token;
        // Ordered hand-off: each key gets a slot (a TaskCompletionSource) in a bounded queue, workers fill
        // the slots, and the consumer awaits them in order, so output order follows input order.
        var slots = Channel.CreateBounded<(string Key, Task<Prepared<TItem>> Result)>(new BoundedChannelOptions(options.MaxInFlight) { SingleReader = true, SingleWriter = true });
        var work = Channel.CreateBounded<(TSource Source, string Key, TaskCompletionSource<Prepared<TItem>> Slot)>(new BoundedChannelOptions(options.MaxInFlight) { SingleWriter = true });

        void Report() => progress?.Report(new BatchProgress(completed, skipped, failed));

        var producer = Task.Run(async () =>
        {
            try
            {
                foreach (var source in sources)
                {
                    token.ThrowIfCancellationRequested();
                    string key = keyOf(source);
                    // Done in an earlier run, or a duplicate of an item taken on in this one: the index knows both.
                    if (!output.TryClaim(key)) { Interlocked.Increment(ref skipped); continue; }
                    var slot = new TaskCompletionSource<Prepared<TItem>>(TaskCreationOptions.RunContinuationsAsynchronously);
                    await slots.Writer.WriteAsync((key, slot.Task), token);
                    try { await work.Writer.WriteAsync((source, key, slot), token); }
                    catch (OperationCanceledException)
                    {
                        // The consumer already awaits this slot: complete it or it waits forever.
                        slot.TrySetResult(new Prepared<TItem>(key, default, new OperationCanceledException()));
                        throw;
                    }
                }
            }
            catch (OperationCanceledException) { }
            finally { slots.Writer.TryComplete(); work.Writer.TryComplete(); }
        }, CancellationToken.None);

        var workers = Enumerable.Range(0, options.EffectiveWorkers).Select(_ => Task.Run(async () =>
        {
            await foreach (var (source, key, slot) in work.Reader.ReadAllAsync(CancellationToken.None))
            {
                if (token.IsCancellationRequested) { slot.TrySetResult(new Prepared<TItem>(key, default, new OperationCanceledException())); continue; }
                try
                {
                    var item = await resilience.ExecuteAsync(async ct => await prepare(source, ct), token);
                    slot.TrySetResult(new Prepared<TItem>(key, item, null));
                }
                catch (Exception e) { slot.TrySetResult(new Prepared<TItem>(key, default, e)); }
            }
        }, CancellationToken.None)).ToArray();

        var batch = new List<(string Key, TItem Item)>(options.BatchSize);
        bool stoppedByPolicy = false;

        void Fail(string key, string stage, Exception e)
        {
            errors.Write(key, stage, Describe(e));
            Interlocked.Increment(ref failed);
            if (options.OnError == BatchErrorPolicy.Fail) { stoppedByPolicy = true; stop.Cancel(); }
        }

        void Flush()
        {
            if (batch.Count == 0) return;
            IReadOnlyList<ResultRecord>? records = null;
            try { records = compute(batch, token); }
            catch (OperationCanceledException) when (token.IsCancellationRequested) { batch.Clear(); return; }
            catch (Exception) when (batch.Count > 1)
            {
                // Isolate the item that breaks the batch; the others still get their results.
                foreach (var single in batch)
                {
                    try { foreach (var r in compute([single], token)) { output.Write(r); completed++; } }
                    catch (Exception e) { Fail(single.Key, "model", e); }
                }
            }
            catch (Exception e) { Fail(batch[0].Key, "model", e); }
            if (records is not null)
            {
                if (records.Count != batch.Count) throw new InvalidOperationException($"batch compute returned {records.Count} records for {batch.Count} items.");
                foreach (var r in records) { output.Write(r); completed++; }
            }
            batch.Clear();
            Report();
        }

        await foreach (var (key, pending) in slots.Reader.ReadAllAsync(CancellationToken.None))
        {
            var result = await pending;
            if (token.IsCancellationRequested) continue;   // drain without writing anything half-done
            if (result.Error is OperationCanceledException && token.IsCancellationRequested) continue;
            if (result.Error is not null) { Fail(key, "read", result.Error); Report(); continue; }
            batch.Add((key, result.Item!));
            if (batch.Count == options.BatchSize) Flush();
        }
        if (!token.IsCancellationRequested) Flush();
        await producer;
        await Task.WhenAll(workers);
        Report();
        bool cancelled = stoppedByPolicy || cancellationToken.IsCancellationRequested;
        // Every item not in the output was retried by this run, so older failure entries are now stale or repeated.
        if (!cancelled) errors.DiscardEarlierRuns();
        return new BatchSummary(completed, skipped, failed, cancelled);
    }

    private static string Describe(Exception e) => e switch
    {
        TimeoutRejectedException => "timed out: " + e.Message,
        AggregateException { InnerException: { } inner } => Describe(inner),
        _ => e.Message,
    };
}
