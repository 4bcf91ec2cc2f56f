// Prepared shard format: exact round trip of pixels, variable-length captions and paths through the
// memory-mapped reader, and loud failures for damaged files.
using Pipeline.Preprocessing.Caching;
using Pipeline.Preprocessing.Tests.Images;

namespace Pipeline.Preprocessing.Tests.Caching;

public sealed class PreparedShardTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string WriteSample(out List<(byte[] Px, int[][] Caps, string Path)> items)
    {
        const int side = 5;
        var rng = new Random(3);
        items = [];
        for (int i = 0; i < 4; i++)
        {
            var px = new byte[side * side * 3];
            rng.NextBytes(px);
            int[][] caps = i switch
            {
                0 => [[1, 2, 3], [4], []],
                1 => [],
                2 => [[int.MaxValue, -1, 0, 7, 7]],
                _ => [[9, 8], [7, 6], [5, 4], [3, 2], [1, 0]],
            };
            items.Add((px, caps, $"/data/imgs/ü-{i}.png"));
        }
        string path = Path.Combine(_dir.Path, "s.bin");
        using var w = new PreparedShardWriter(path, side, "key-123");
        foreach (var (px, caps, p) in items)
            w.Add(px, caps, p);
        w.Complete();
        return path;
    }

    [Fact]
    public void Round_trip_is_exact()
    {
        var path = WriteSample(out var items);
        using var shard = PreparedShard.Open(path);
        Assert.Equal(4, shard.Count);
        Assert.Equal(5, shard.Side);
        Assert.Equal("key-123", shard.Key);
        Assert.Equal(0, shard.SkippedCount);
        for (int i = 0; i < items.Count; i++)
        {
            Assert.True(shard.Pixels(i).SequenceEqual(items[i].Px));
            Assert.Equal(items[i].Caps.Length, shard.CaptionCount(i));
            Assert.Equal(items[i].Caps, shard.Captions(i));
            Assert.Equal(items[i].Path, shard.SourcePath(i));
        }
        Assert.Equal([int.MaxValue, -1, 0, 7, 7], shard.Caption(2, 0).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => shard.Pixels(4).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => shard.Caption(1, 0).Length);
    }

    [Fact]
    public void Truncated_or_foreign_files_are_rejected_with_the_path()
    {
        var path = WriteSample(out _);
        var bytes = File.ReadAllBytes(path);
        var cut = _dir.File("cut.bin", bytes[..(bytes.Length - 10)]);
        var e = Assert.Throws<InvalidDataException>(() => PreparedShard.Open(cut));
        Assert.Contains("cut.bin", e.Message);
        Assert.Contains("truncated", e.Message);

        var foreign = _dir.File("foreign.bin", new byte[300]);
        Assert.Contains("not a prepared shard", Assert.Throws<InvalidDataException>(() => PreparedShard.Open(foreign)).Message);
    }

    [Fact]
    public void Unfinished_writer_leaves_no_file()
    {
        string path = Path.Combine(_dir.Path, "partial.bin");
        using (var w = new PreparedShardWriter(path, 2, "k"))
            w.Add(new byte[12], [], "a.png");
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Wrong_pixel_length_is_rejected()
    {
        using var w = new PreparedShardWriter(Path.Combine(_dir.Path, "x.bin"), 4, "k");
        Assert.Throws<ArgumentException>(() => w.Add(new byte[10], [], "a.png"));
    }
}
