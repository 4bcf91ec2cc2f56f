// The two completion indexes behind resumable batch output: the key set (captioning) rejects duplicates
// and remembers loaded keys; the ordinal index (classify) holds one bit per input position, refuses
// positions that do not increase, and names the file and line of an existing record it cannot place.
using Pipeline.Batch;

namespace Pipeline.Tests.Batch;

public sealed class CompletionIndexTests
{
    [Fact]
    public void KeySetSkipsLoadedKeysAndDuplicatesOfClaimedOnes()
    {
        var index = new KeySetCompletionIndex("image");
        index.AddExisting("a.png", "out.jsonl:1");
        index.AddExisting(null, "out.jsonl:2");   // a record without a key cannot be skipped by anything: ignored

        Assert.False(index.TryClaim("a.png"));
        Assert.True(index.TryClaim("b.png"));
        Assert.False(index.TryClaim("b.png"));    // listed twice in the input
        Assert.False(index.IsDone("b.png"));      // taken on, not finished
        index.MarkDone("b.png");
        Assert.True(index.IsDone("b.png"));
        Assert.Equal(2, index.Count);
    }

    [Fact]
    public void OrdinalIndexSkipsLoadedOrdinalsAndRejectsOrdinalsThatDoNotIncrease()
    {
        var index = new OrdinalCompletionIndex("line");
        index.AddExisting("2", "out.jsonl:1");
        index.AddExisting("5", "out.jsonl:2");

        Assert.True(index.TryClaim("1"));
        Assert.False(index.TryClaim("2"));
        Assert.True(index.TryClaim("3"));
        Assert.False(index.TryClaim(5));
        var repeat = Assert.Throws<InvalidOperationException>(() => index.TryClaim("5"));
        Assert.Contains("ordinal 5 offered after 5", repeat.Message);
        Assert.Throws<InvalidOperationException>(() => index.TryClaim(4));

        index.MarkDone("3");
        Assert.True(index.IsDone("3"));
        Assert.False(index.IsDone(1));
        Assert.Equal(3, index.Count);
        Assert.Throws<ArgumentException>(() => index.TryClaim("a7"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("a7")]
    [InlineData("-3")]
    public void OrdinalIndexNamesTheRecordItCannotPlace(string? key)
    {
        var index = new OrdinalCompletionIndex("line");
        var error = Assert.Throws<InvalidDataException>(() => index.AddExisting(key, "old.jsonl:12"));
        Assert.StartsWith("old.jsonl:12: the record has no non-negative integer 'line' value", error.Message);
    }

    [Fact]
    public void OrdinalIndexForAMillionLinesAllocatesAtMost200Kilobytes()
    {
        const int million = 1_000_000;
        // The keys the runner would pass, made before measuring: only the index's own allocations count.
        var keys = new string[million + 1];
        for (int i = 1; i <= million; i++) keys[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var warmUp = new OrdinalCompletionIndex("line");
        warmUp.TryClaim("1");
        warmUp.MarkDone("1");

        long before = GC.GetAllocatedBytesForCurrentThread();
        var index = new OrdinalCompletionIndex("line");
        for (int i = 1; i <= million; i++)
        {
            Assert.True(index.TryClaim(keys[i]));
            index.MarkDone(keys[i]);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(million, index.Count);
        Assert.InRange(index.AllocatedBytes, million / 8, 200_000);
        Assert.InRange(allocated, index.AllocatedBytes, 200_000);
    }
}
