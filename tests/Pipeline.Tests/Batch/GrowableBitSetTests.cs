// GrowableBitSet: membership at the edges of 64-bit words and 65,536-bit pages, growth far beyond the
// current size, and the size promise behind constant-memory classify: a million ordinals in ≤ 200 KB.
using Pipeline.Batch;

namespace Pipeline.Tests.Batch;

public sealed class GrowableBitSetTests
{
    [Fact]
    public void AddAndContainsAcrossWordAndPageBoundaries()
    {
        var set = new GrowableBitSet();
        long[] values = [0, 1, 62, 63, 64, 65, 127, 128, 4095, GrowableBitSet.BitsPerPage - 1, GrowableBitSet.BitsPerPage, GrowableBitSet.BitsPerPage + 1, 3L * GrowableBitSet.BitsPerPage + 7];
        foreach (var v in values) Assert.True(set.Add(v), $"first add of {v}");
        foreach (var v in values) Assert.False(set.Add(v), $"second add of {v}");
        Assert.Equal(values.Length, set.Count);

        var members = values.ToHashSet();
        for (long v = 0; v < 3L * GrowableBitSet.BitsPerPage + 70; v++)
            Assert.Equal(members.Contains(v), set.Contains(v));
    }

    [Fact]
    public void GrowsToAFarValueWithOnePageAndReadsBeyondTheEndAsAbsent()
    {
        var set = new GrowableBitSet();
        Assert.False(set.Contains(5));
        Assert.False(set.Contains(10_000_000_000));   // far beyond anything allocated: just "no"
        Assert.Equal(0, set.AllocatedBytes);

        long far = 1_000L * GrowableBitSet.BitsPerPage + 12_345;
        set.Add(far);
        Assert.True(set.Contains(far));
        Assert.False(set.Contains(far - 1));
        Assert.False(set.Contains(0));
        // One 8 KiB page plus the directory (one reference per page index up to the value).
        Assert.Equal(GrowableBitSet.BitsPerPage / 8 + 1_001 * IntPtr.Size, set.AllocatedBytes);
    }

    [Fact]
    public void NegativeValuesAreRejected()
    {
        var set = new GrowableBitSet();
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Add(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Contains(-1));
    }

    [Fact]
    public void AMillionValuesTakeAtMost200KilobytesAllocatedInTotal()
    {
        const int million = 1_000_000;
        var warmUp = new GrowableBitSet();
        warmUp.Add(1);   // JIT the code paths outside the measured window

        long before = GC.GetAllocatedBytesForCurrentThread();
        var set = new GrowableBitSet();
        for (long v = 1; v <= million; v++) set.Add(v);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(million, set.Count);
        // 1,000,001 bits → 16 pages of 8 KiB = 131,072 bytes, plus a directory of ≤ 32 references.
        Assert.InRange(set.AllocatedBytes, million / 8, 200_000);
        // Pages are never copied on growth, so everything ever allocated is what is held (plus object headers).
        Assert.InRange(allocated, set.AllocatedBytes, 200_000);
    }
}
