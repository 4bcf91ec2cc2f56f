// Completion index for arbitrary string keys (captioning: the image path). Two hash sets: keys in the
// output, and keys this run has taken on — the second catches an input listed twice (a file named twice,
// or both directly and through its folder), which must be captioned once. Memory grows with the number
// of keys (≈ 100+ bytes each); fine for image jobs, whose per-item cost dwarfs it. Jobs whose keys are
// input positions use OrdinalCompletionIndex instead.
namespace Pipeline.Batch;

/// <summary>Completion index over arbitrary string keys, held in hash sets.</summary>
public sealed class KeySetCompletionIndex : ICompletionIndex
{
    private readonly HashSet<string> done = new(StringComparer.Ordinal);
    private readonly HashSet<string> claimed = new(StringComparer.Ordinal);

    /// <summary>Creates an empty index whose keys are read from <paramref name="keyColumn"/>.</summary>
    public KeySetCompletionIndex(string keyColumn)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyColumn);
        KeyColumn = keyColumn;
    }

    /// <inheritdoc />
    public string KeyColumn { get; }

    /// <summary>Keys in the output (found when it was opened or written since).</summary>
    public int Count => done.Count;

    /// <inheritdoc />
    /// <remarks>A record without a key cannot be skipped by anything, so it is ignored.</remarks>
    public void AddExisting(string? key, string location)
    {
        if (key is not null) done.Add(key);
    }

    /// <inheritdoc />
    public bool IsDone(string key) => done.Contains(key);

    /// <inheritdoc />
    public bool TryClaim(string key) => !done.Contains(key) && claimed.Add(key);

    /// <inheritdoc />
    public void MarkDone(string key) => done.Add(key);
}
