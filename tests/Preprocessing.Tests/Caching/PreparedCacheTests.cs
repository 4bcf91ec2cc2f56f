// Prepared cache: reuse on an unchanged key, a new shard when files, settings or captions change,
// reported failures, and cached floats identical to the uncached pipeline.
using Pipeline.Preprocessing.Caching;
using Pipeline.Preprocessing.Images;
using Pipeline.Preprocessing.Synthetic;
using Pipeline.Preprocessing.Tests.Images;

namespace Pipeline.Preprocessing.Tests.Caching;

public sealed class PreparedCacheTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly List<PreparedSource> _items;
    private readonly string _cache;

    public PreparedCacheTests()
    {
        var synth = SyntheticScenes.Generate(new SynthOptions { OutputDirectory = Path.Combine(_dir.Path, "imgs"), Count = 6, Seed = 9, Size = 64 });
        _items = synth.Images.Select(im => new PreparedSource(Path.Combine(synth.OutputDirectory, im.FileName),
            im.Captions.Select(c => c.Tokens.Select(t => t.Length).ToArray()).ToArray())).ToList();
        _cache = Path.Combine(_dir.Path, "cache");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Second_call_reuses_the_shard_and_round_trips()
    {
        var options = ImagePreprocessingOptions.Eval(48);
        using (var first = PreparedCache.GetOrCreate(_cache, _items, options, workers: 2).Shard)
        {
            Assert.Equal(6, first.Count);
            Assert.Equal(48, first.Side);
        }
        var again = PreparedCache.GetOrCreate(_cache, _items, options, workers: 2);
        using var shard = again.Shard;
        Assert.True(again.Reused);
        Assert.Single(Directory.GetFiles(_cache));
        var pipeline = new ImagePipeline(options);
        for (int i = 0; i < _items.Count; i++)
        {
            Assert.Equal(Path.GetFullPath(_items[i].ImagePath), shard.SourcePath(i));
            Assert.Equal(_items[i].Captions, shard.Captions(i));
            Assert.True(shard.Pixels(i).SequenceEqual(pipeline.LoadSquare(_items[i].ImagePath).Pixels));
        }
    }

    [Fact]
    public void Key_changes_with_files_settings_and_captions()
    {
        var options = ImagePreprocessingOptions.Eval(32);
        string k0 = PreparedCacheKey.Compute(_items, options, 32);
        Assert.Equal(k0, PreparedCacheKey.Compute(_items.ToList(), options, 32));
        Assert.NotEqual(k0, PreparedCacheKey.Compute(_items, options with { Background = Rgb8.Black }, 32));
        Assert.NotEqual(k0, PreparedCacheKey.Compute(_items, options with { ResizeSize = 36 }, 32));
        Assert.NotEqual(k0, PreparedCacheKey.Compute(_items, options with { Resize = ResizeMode.Stretch }, 32));
        Assert.NotEqual(k0, PreparedCacheKey.Compute(_items.Take(5).ToList(), options, 32));
        var recaptioned = _items.Select((it, i) => i == 2 ? it with { Captions = [[1, 2]] } : it).ToList();
        Assert.NotEqual(k0, PreparedCacheKey.Compute(recaptioned, options, 32));
        // Normalisation happens after the cache: it must not invalidate it.
        Assert.Equal(k0, PreparedCacheKey.Compute(_items, options with { Mean = ChannelStats.Zero }, 32));

        using (PreparedCache.GetOrCreate(_cache, _items, options).Shard) { }
        File.SetLastWriteTimeUtc(_items[3].ImagePath, new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        Assert.NotEqual(k0, PreparedCacheKey.Compute(_items, options, 32));
        var rebuilt = PreparedCache.GetOrCreate(_cache, _items, options);
        using var _ = rebuilt.Shard;
        Assert.False(rebuilt.Reused);
        Assert.Equal(2, Directory.GetFiles(_cache).Length);
    }

    [Fact]
    public void Undecodable_items_are_reported_not_dropped_silently()
    {
        var bad = Path.Combine(_dir.Path, "bad.png");
        File.WriteAllText(bad, "not a png");
        var items = _items.Take(2).Append(new PreparedSource(bad, [[1]])).Append(_items[2]).ToList();
        var result = PreparedCache.GetOrCreate(_cache, items, ImagePreprocessingOptions.Eval(32));
        using var shard = result.Shard;
        var failure = Assert.Single(result.Failures);
        Assert.Equal(2, failure.Index);
        Assert.Contains("bad.png", failure.Error!.Message);
        Assert.Equal(3, shard.Count);
        Assert.Equal(1, shard.SkippedCount);
        Assert.Equal(Path.GetFullPath(_items[2].ImagePath), shard.SourcePath(2));
    }

    [Fact]
    public void Cached_eval_floats_equal_the_uncached_pipeline()
    {
        var options = ImagePreprocessingOptions.Eval(40);
        using var shard = PreparedCache.GetOrCreate(_cache, _items, options).Shard;
        var stage = new CachedImageStage(options);
        var pipeline = new ImagePipeline(options);
        var batch = stage.Batch(shard, [0, 1, 2]);
        Assert.Equal(pipeline.ProcessBatch(_items.Take(3).Select(i => i.ImagePath).ToList()), batch);
    }

    [Fact]
    public void Cached_training_crops_are_seeded_and_in_range()
    {
        var options = ImagePreprocessingOptions.Train(48); // stores 55px squares, crops 48
        using var shard = PreparedCache.GetOrCreate(_cache, _items, options).Shard;
        Assert.Equal(55, shard.Side);
        var stage = new CachedImageStage(options);
        var a = stage.Batch(shard, [0, 1, 2, 3], new Random(17));
        var b = stage.Batch(shard, [0, 1, 2, 3], new Random(17));
        var c = stage.Batch(shard, [0, 1, 2, 3], new Random(18));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(4 * 3 * 48 * 48, a.Length);

        var flipOnly = new CachedImageStage(ImagePreprocessingOptions.Eval(48) with { RandomHorizontalFlip = true });
        var dest = new float[flipOnly.ImageLength];
        Assert.Throws<ArgumentNullException>(() => flipOnly.ToChw(shard.Pixels(0), shard.Side, dest));
    }
}
