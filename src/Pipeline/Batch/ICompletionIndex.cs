// The bookkeeping that makes a batch job resumable and duplicate-safe: which keys the output already
// holds (loaded when a rerun opens the file, extended as records are written) and which keys this run
// has already taken on. It is the only per-key state of a batch job — BatchRunner itself keeps none —
// so its representation decides how memory grows with the number of items:
//   KeySetCompletionIndex  — arbitrary string keys (image paths), ≈ 100+ bytes per key;
//   OrdinalCompletionIndex — keys that are input positions (line numbers), one bit per position.
namespace Pipeline.Batch;

/// <summary>Which items of a resumable batch job are finished, and which the current run has taken on.</summary>
/// <remarks>
/// <see cref="ResumableResultWriter"/> owns the index and calls it under its lock, so implementations need not be
/// thread-safe. Keys are the strings <see cref="BatchRunner{TItem}"/> identifies items by (<see cref="ResultRecord.Key"/>).
/// </remarks>
public interface ICompletionIndex
{
    /// <summary>Output field (JSON lines) or header column (CSV/TSV) whose value is a record's key.</summary>
    string KeyColumn { get; }

    /// <summary>
    /// Registers a record found in the existing output. <paramref name="key"/> is the value of <see cref="KeyColumn"/>,
    /// or null when the record has none; <paramref name="location"/> (<c>file:line</c>) is for error messages.
    /// </summary>
    /// <exception cref="InvalidDataException">The record cannot be matched to an item (e.g. no usable key).</exception>
    void AddExisting(string? key, string location);

    /// <summary>True when the output holds a record for <paramref name="key"/>.</summary>
    bool IsDone(string key);

    /// <summary>
    /// Takes <paramref name="key"/> on for this run. False when it is already done or was already taken in this run
    /// (a duplicate input): the runner then skips it.
    /// </summary>
    bool TryClaim(string key);

    /// <summary>Records that a result for <paramref name="key"/> has been written.</summary>
    void MarkDone(string key);
}
