// Tests for SequencePadder: padding to the longest or to MaxLength, truncation sides, lengths and masks.
using Pipeline.Preprocessing.Text;

namespace Pipeline.Preprocessing.Tests.Text;

public sealed class SequencePadderTests
{
    private static readonly IReadOnlyList<int>[] Sequences = [[5, 6, 7], [8], [9, 10, 11, 12, 13]];

    [Fact]
    public void PadsToLongestAndTruncatesTheEnd()
    {
        var batch = new SequencePadder(new PaddingOptions(MaxLength: 4)).Pad(Sequences);
        Assert.Equal((3, 4), (batch.BatchSize, batch.Length));
        Assert.Equal([5, 6, 7, 0, 8, 0, 0, 0, 9, 10, 11, 12], batch.Ids);
        Assert.Equal([3, 1, 4], batch.Lengths);
        Assert.Equal([1f, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1], batch.Mask());
        Assert.Equal(12, batch[2, 3]);
    }

    [Fact]
    public void PadsToMaxLengthAndTruncatesTheStart()
    {
        var batch = new SequencePadder(new PaddingOptions(MaxLength: 6, PadToMaxLength: true, Truncation: TruncationSide.Start)).Pad([[1, 2], [3]]);
        Assert.Equal(6, batch.Length);
        var cut = new SequencePadder(new PaddingOptions(MaxLength: 2, Truncation: TruncationSide.Start)).Pad(Sequences);
        Assert.Equal([6, 7, 8, 0, 12, 13], cut.Ids);
        Assert.Equal([2, 1, 2], cut.Lengths);
    }

    [Fact]
    public void RejectsBadOptions() => Assert.Throws<ArgumentOutOfRangeException>(() => new SequencePadder(new PaddingOptions(0)));
}
