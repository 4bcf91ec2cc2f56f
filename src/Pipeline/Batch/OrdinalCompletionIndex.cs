// Completion index for jobs whose items are identified by their position in the input (classify: the
// line number). Finished positions are one bit each in a GrowableBitSet — 125 KB per million lines, the
// only thing that grows with the corpus — instead of a string per key in a hash set (≈ 120 bytes each).
// Duplicates need no memory at all: positions come from a single pass over the input, so they must
// strictly increase, and a key that does not is a caller bug reported at once rather than a silent skip.
using System.Globalization;

namespace Pipeline.Batch;

/// <summary>Completion index over non-negative integer keys (input ordinals), one bit per ordinal.</summary>
public sealed class OrdinalCompletionIndex : ICompletionIndex
{
    private readonly GrowableBitSet done = new();
    private long lastClaimed = -1;

    /// <summary>Creates an empty index whose ordinals are read from <paramref name="keyColumn"/>.</summary>
    public OrdinalCompletionIndex(string keyColumn)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyColumn);
        KeyColumn = keyColumn;
    }

    /// <inheritdoc />
    public string KeyColumn { get; }

    /// <summary>Ordinals in the output (found when it was opened or written since).</summary>
    public long Count => done.Count;

    /// <summary>Bytes held by the index (the bit set); independent of everything but the largest ordinal.</summary>
    public long AllocatedBytes => done.AllocatedBytes;

    /// <inheritdoc />
    public void AddExisting(string? key, string location)
    {
        if (key is null || !TryParse(key, out long ordinal))
            throw new InvalidDataException(
                $"{location}: the record has no non-negative integer '{KeyColumn}' value, so it cannot be matched to an input position " +
                $"(was the file written by an older version that keyed records differently?); move the file aside or delete it and rerun.");
        done.Add(ordinal);
    }

    /// <inheritdoc />
    public bool IsDone(string key) => IsDone(Parse(key));

    /// <summary>True when the output holds a record for <paramref name="ordinal"/>.</summary>
    public bool IsDone(long ordinal) => done.Contains(ordinal);

    /// <inheritdoc />
    public bool TryClaim(string key) => TryClaim(Parse(key));

    /// <summary>Takes <paramref name="ordinal"/> on for this run; false when it is already done.</summary>
    /// <exception cref="InvalidOperationException">Ordinals did not strictly increase (an item was offered twice).</exception>
    public bool TryClaim(long ordinal)
    {
        if (ordinal <= lastClaimed)
            throw new InvalidOperationException($"ordinal {ordinal} offered after {lastClaimed}: an ordinal-keyed job must offer each input position once, in increasing order.");
        lastClaimed = ordinal;
        return !done.Contains(ordinal);
    }

    /// <inheritdoc />
    public void MarkDone(string key) => MarkDone(Parse(key));

    /// <summary>Records that a result for <paramref name="ordinal"/> has been written.</summary>
    public void MarkDone(long ordinal) => done.Add(ordinal);

    private static bool TryParse(string key, out long ordinal) =>
        long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out ordinal);

    private long Parse(string key) => TryParse(key, out long ordinal) ? ordinal
        : throw new ArgumentException($"key '{key}' is not a non-negative integer, but this output is keyed by input position ('{KeyColumn}').", nameof(key));
}
