// A set of non-negative integers stored as one bit each, growing as larger ones are added: the compact
// "which input ordinals are finished" record behind OrdinalCompletionIndex (125 KB per million ordinals).
// Bits live in fixed 8 KiB pages rather than one array that doubles: growing never copies, so the bytes
// ever allocated equal the bytes held (a doubling array briefly holds old + new copy and allocates ≈ 2× in
// total), and an ordinal far beyond the others costs one page, not every page before it.
namespace Pipeline.Batch;

/// <summary>A growable set of non-negative integers, one bit per value up to the largest one added.</summary>
/// <remarks>Not thread-safe: callers serialise access (the result writer does, under its lock).</remarks>
public sealed class GrowableBitSet
{
    /// <summary>Bits per page (2¹⁶ = 65,536 bits = 8 KiB).</summary>
    public const int BitsPerPage = 1 << PageShift;

    private const int PageShift = 16;
    private const int WordsPerPage = BitsPerPage / 64;

    private ulong[]?[] pages = [];
    private int allocatedPages;

    /// <summary>Number of values in the set.</summary>
    public long Count { get; private set; }

    /// <summary>Bytes held by the set: the allocated pages plus the page directory.</summary>
    public long AllocatedBytes => (long)allocatedPages * WordsPerPage * sizeof(ulong) + (long)pages.Length * IntPtr.Size;

    /// <summary>True when <paramref name="value"/> is in the set.</summary>
    public bool Contains(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        long page = value >> PageShift;
        if (page >= pages.Length || pages[page] is not { } words) return false;
        int bit = (int)(value & (BitsPerPage - 1));
        return (words[bit >> 6] & (1UL << (bit & 63))) != 0;
    }

    /// <summary>Adds <paramref name="value"/>; returns false when it was already present.</summary>
    public bool Add(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        long page = value >> PageShift;
        if (page >= int.MaxValue) throw new ArgumentOutOfRangeException(nameof(value), value, "beyond the largest value a bit set can hold");
        if (page >= pages.Length)
        {
            // Only the directory (one reference per 65,536 values) doubles; pages are never copied.
            Array.Resize(ref pages, (int)Math.Max(page + 1, Math.Min(2L * pages.Length, int.MaxValue - 1)));
        }
        var words = pages[page];
        if (words is null)
        {
            words = pages[page] = new ulong[WordsPerPage];
            allocatedPages++;
        }
        int bit = (int)(value & (BitsPerPage - 1));
        ref ulong word = ref words[bit >> 6];
        ulong mask = 1UL << (bit & 63);
        if ((word & mask) != 0) return false;
        word |= mask;
        Count++;
        return true;
    }
}
