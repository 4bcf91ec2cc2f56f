// Parallel decoding with bounded memory and input-order output. Work fans out to N workers
// through a channel; a second, bounded channel of per-item completion slots is what enforces
// both the ordering (the consumer awaits slots in input order) and the memory bound (the
// producer cannot run more than Capacity items ahead of the consumer).
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Pipeline.Preprocessing.Images;

/// <summary>One item's outcome: either <see cref="Value"/> or <see cref="Error"/> is set, never neither.</summary>
/// <param name="Index">Position in the input list.</param>
/// <param name="Path">The input path.</param>
/// <param name="Value">The decoded value when successful.</param>
/// <param name="Error">Why the item failed (usually an <see cref="ImageDecodeException"/>).</param>
public sealed record ImageLoadResult<T>(int Index, string Path, T? Value, Exception? Error)
{
    /// <summary>True when <see cref="Value"/> holds the decoded result.</summary>
    public bool Succeeded => Error is null;
}

/// <summary>Decodes many images concurrently and yields results in input order with bounded buffering.</summary>
public sealed class ImageBatchLoader
{
    /// <summary>Creates a loader with <paramref name="workers"/> threads and at most <paramref name="capacity"/> results buffered ahead of the consumer.</summary>
    public ImageBatchLoader(int workers = 0, int capacity = 0)
    {
        if (workers < 0 || capacity < 0)
            throw new ArgumentOutOfRangeException(workers < 0 ? nameof(workers) : nameof(capacity), "Must be ≥ 0 (0 = default).");
        Workers = workers == 0 ? Math.Max(1, Environment.ProcessorCount) : workers;
        Capacity = capacity == 0 ? Workers * 4 : Math.Max(capacity, 1);
    }

    /// <summary>Number of concurrent decode workers.</summary>
    public int Workers { get; }

    /// <summary>Maximum number of items in flight (decoding or decoded-but-not-consumed).</summary>
    public int Capacity { get; }

    /// <summary>
    /// Applies <paramref name="decode"/> to every path on the worker pool and yields one result per path, in order.
    /// Exceptions thrown by <paramref name="decode"/> become the result's <see cref="ImageLoadResult{T}.Error"/>;
    /// cancellation stops the workers and throws <see cref="OperationCanceledException"/> to the consumer.
    /// </summary>
    public async IAsyncEnumerable<ImageLoadResult<T>> LoadAsync<T>(
        IReadOnlyList<string> paths, Func<string, T> decode, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(decode);
        if (paths.Count == 0)
            yield break;

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = cts.Token;
        var slots = Channel.CreateBounded<TaskCompletionSource<ImageLoadResult<T>>>(
            new BoundedChannelOptions(Capacity) { SingleReader = true, SingleWriter = true });
        var work = Channel.CreateUnbounded<(int Index, TaskCompletionSource<ImageLoadResult<T>> Slot)>(
            new UnboundedChannelOptions { SingleWriter = true });

        var producer = Task.Run(async () =>
        {
            try
            {
                for (int i = 0; i < paths.Count; i++)
                {
                    var slot = new TaskCompletionSource<ImageLoadResult<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
                    // Blocks here while the consumer is Capacity items behind: that is the memory bound.
                    await slots.Writer.WriteAsync(slot, token).ConfigureAwait(false);
                    work.Writer.TryWrite((i, slot));
                }
                slots.Writer.TryComplete();
                work.Writer.TryComplete();
            }
            catch (Exception e)
            {
                slots.Writer.TryComplete(e);
                work.Writer.TryComplete(e);
            }
        }, CancellationToken.None);

        var workers = new Task[Workers];
        for (int w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                try
                {
                    await foreach (var (index, slot) in work.Reader.ReadAllAsync(token).ConfigureAwait(false))
                    {
                        if (token.IsCancellationRequested)
                        {
                            slot.TrySetCanceled(token);
                            continue;
                        }
                        string path = paths[index];
                        try
                        {
                            slot.TrySetResult(new ImageLoadResult<T>(index, path, decode(path), null));
                        }
                        catch (OperationCanceledException oce) when (token.IsCancellationRequested)
                        {
                            slot.TrySetCanceled(oce.CancellationToken);
                        }
                        catch (Exception e)
                        {
                            slot.TrySetResult(new ImageLoadResult<T>(index, path, default, e));
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                    // The consumer observes cancellation through its own awaits.
                }
            }, CancellationToken.None);
        }

        try
        {
            while (await slots.Reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (slots.Reader.TryRead(out var slot))
                {
                    // Checked per item: results already finished must not keep flowing after cancellation.
                    token.ThrowIfCancellationRequested();
                    var result = await slot.Task.WaitAsync(token).ConfigureAwait(false);
                    yield return result;
                }
            }
        }
        finally
        {
            // Early break or cancellation: stop the pool and let it drain before returning.
            cts.Cancel();
            try
            {
                await Task.WhenAll(workers.Append(producer)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Runs <paramref name="pipeline"/> (all stages to CHW floats) over <paramref name="paths"/>; centre-crop settings only.</summary>
    public IAsyncEnumerable<ImageLoadResult<float[]>> LoadAsync(
        IReadOnlyList<string> paths, ImagePipeline pipeline, CancellationToken cancellationToken = default)
    {
        if (pipeline.Options.IsStochastic)
            throw new ArgumentException("Random crop/flip would draw from a shared Random in nondeterministic order; " +
                                        "decode with LoadResized here and apply ToChw with your Random on the consumer side.", nameof(pipeline));
        return LoadAsync(paths, p => pipeline.Process(p), cancellationToken);
    }

    /// <summary>Synchronous form of <see cref="LoadAsync{T}"/> for callers without an async context.</summary>
    public IEnumerable<ImageLoadResult<T>> Load<T>(IReadOnlyList<string> paths, Func<string, T> decode, CancellationToken cancellationToken = default) =>
        LoadAsync(paths, decode, cancellationToken).ToBlockingEnumerable(cancellationToken);
}
