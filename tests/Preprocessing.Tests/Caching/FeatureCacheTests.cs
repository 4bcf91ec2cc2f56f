// Feature stores: rows round-trip through the memory map, a second call with the same key reuses the file
// without computing, a different key or a damaged file is recomputed, and a computation that fails leaves
// no store (and no temporary file) behind.
using Pipeline.Preprocessing.Caching;
using Pipeline.Preprocessing.Tests.Images;

namespace Pipeline.Preprocessing.Tests.Caching;

public sealed class FeatureCacheTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void Fill(int start, int count, Span<float> rows)
    {
        int rowLength = rows.Length / count;
        for (int i = 0; i < rows.Length; i++) rows[i] = (start + i / rowLength) * 1000 + i % rowLength;
    }

    [Fact]
    public void Rows_round_trip_and_a_second_call_reuses_the_store()
    {
        int calls = 0;
        using (var store = FeatureCache.GetOrCreate(_dir.Path, "key-a", 7, [3, 2], 3, (s, n, rows) => { calls++; Fill(s, n, rows); }, out bool reused))
        {
            Assert.False(reused);
            Assert.Equal(3, calls);                                     // batches of 3, 3 and 1 rows
            Assert.Equal((7, 6, "key-a"), (store.Count, store.RowLength, store.Key));
            Assert.Equal([3, 2], store.Shape);
            Assert.Equal([6000f, 6001, 6002, 6003, 6004, 6005], store.Row(6).ToArray());
            var gathered = new float[12];
            store.Gather([4, 0], gathered);
            Assert.Equal(4000f, gathered[0]);
            Assert.Equal(5f, gathered[11]);
        }
        using (var again = FeatureCache.GetOrCreate(_dir.Path, "key-a", 7, [3, 2], 3, (_, _, _) => throw new InvalidOperationException("must not recompute"), out bool reused))
        {
            Assert.True(reused);
            Assert.Equal(2001f, again.Row(2)[1]);
        }
        Assert.Single(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void Another_key_or_a_damaged_file_is_recomputed()
    {
        using (FeatureCache.GetOrCreate(_dir.Path, "key-a", 2, [4], 8, Fill, out _)) { }
        string path = Path.Combine(_dir.Path, FeatureCache.FileNameFor("key-a"));
        using (var stream = new FileStream(path, FileMode.Open)) stream.SetLength(stream.Length - 4);     // truncated
        Assert.Throws<InvalidDataException>(() => FeatureShard.Open(path));
        using (var rebuilt = FeatureCache.GetOrCreate(_dir.Path, "key-a", 2, [4], 8, Fill, out bool reused))
        {
            Assert.False(reused);
            Assert.Equal(1003f, rebuilt.Row(1)[3]);
        }
        using (var other = FeatureCache.GetOrCreate(_dir.Path, "key-b", 2, [4], 8, (s, n, r) => r.Fill(-1f), out bool reusedOther))
        {
            Assert.False(reusedOther);
            Assert.Equal(-1f, other.Row(0)[0]);
        }
    }

    [Fact]
    public void A_failed_computation_leaves_nothing_behind()
    {
        Assert.Throws<InvalidOperationException>(() => FeatureCache.GetOrCreate(_dir.Path, "key-a", 10, [2], 4,
            (start, n, rows) => { if (start > 0) throw new InvalidOperationException("encoder failed"); rows.Clear(); }, out _));
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }
}
