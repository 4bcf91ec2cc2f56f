// An IProgress<T> that calls its handler synchronously on the reporting thread. The Trainer reports each batch
// from its training thread; System.Progress<T> would instead post every report to the captured
// SynchronizationContext — on a console app, the thread pool — where handlers run concurrently and out of
// order: a progress bar jumps back, an epoch's bar is opened after the next one's, and late reports land
// after the command has printed its results. Reporting inline keeps reports in order; the handler must be
// cheap, because the training thread waits for it.
namespace Pipeline.Models.Training;

/// <summary>Reports progress synchronously, in order, on the caller's thread (unlike <see cref="Progress{T}"/>).</summary>
/// <typeparam name="T">The progress value type.</typeparam>
/// <param name="report">The handler; called once per report, before <see cref="Report"/> returns.</param>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    private readonly Action<T> report = report ?? throw new ArgumentNullException(nameof(report));

    /// <inheritdoc/>
    public void Report(T value) => report(value);
}
