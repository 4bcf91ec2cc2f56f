// The streaming shape shared by ImageCaptioner.CaptionAsync and TextClassifier.ClassifyAsync: items arrive
// from an async source, are grouped into batches of a fixed size (the last one smaller), each batch is
// computed on the thread pool (so the caller's thread, e.g. a UI or request thread, stays free), and the
// results come back in input order. Cancellation is passed to the source and checked before every batch;
// a batch already running finishes (model forward passes cannot be interrupted halfway).
using System.Runtime.CompilerServices;

namespace Pipeline.Batch;

/// <summary>Batches an async stream through a synchronous batch function, preserving order.</summary>
internal static class AsyncBatches
{
    /// <summary>Results of <paramref name="compute"/> over <paramref name="source"/> in batches of <paramref name="batchSize"/>, in input order.</summary>
    public static async IAsyncEnumerable<TResult> Stream<TItem, TResult>(IAsyncEnumerable<TItem> source, int batchSize,
        Func<TItem[], IReadOnlyList<TResult>> compute, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var pending = new List<TItem>(batchSize);
        await foreach (var item in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            pending.Add(item);
            if (pending.Count < batchSize) continue;
            foreach (var result in await Run(pending, compute, cancellationToken).ConfigureAwait(false)) yield return result;
            pending.Clear();
        }
        if (pending.Count > 0)
            foreach (var result in await Run(pending, compute, cancellationToken).ConfigureAwait(false)) yield return result;
    }

    private static Task<IReadOnlyList<TResult>> Run<TItem, TResult>(List<TItem> pending, Func<TItem[], IReadOnlyList<TResult>> compute, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var batch = pending.ToArray();
        return Task.Run(() => compute(batch), cancellationToken);
    }

    /// <summary><paramref name="items"/> as an async stream (enumerated lazily, on the consumer's schedule).</summary>
    public static async IAsyncEnumerable<T> AsAsync<T>(IEnumerable<T> items)
    {
        foreach (var item in items)
        {
            yield return item;
            await Task.CompletedTask.ConfigureAwait(false);
        }
    }
}
