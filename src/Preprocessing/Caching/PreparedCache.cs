// Get-or-create for prepared shards. The file name carries a key prefix and the header the full
// key; a shard is reused only if both match and it opens cleanly, otherwise it is rebuilt into a
// temporary file and atomically renamed, so readers never see a half-written shard.
using Pipeline.Preprocessing.Images;

namespace Pipeline.Preprocessing.Caching;

/// <summary>Result of <see cref="PreparedCache.GetOrCreate"/>.</summary>
/// <param name="Shard">The opened shard (caller disposes).</param>
/// <param name="Reused">True when an existing shard matched the key.</param>
/// <param name="Failures">Items left out because their image could not be decoded (only known when the shard was just built; see <see cref="PreparedShard.SkippedCount"/>).</param>
public sealed record PreparedCacheResult(PreparedShard Shard, bool Reused, IReadOnlyList<ImageLoadResult<RgbImage>> Failures);

/// <summary>Builds or reuses prepared shards in a cache directory.</summary>
public static class PreparedCache
{
    /// <summary>The shard file name for <paramref name="key"/>.</summary>
    public static string FileNameFor(string key) => $"prepared-{key[..16]}.bin";

    /// <summary>
    /// Opens the shard for (<paramref name="items"/>, <paramref name="options"/>, <paramref name="storedSide"/>) in
    /// <paramref name="cacheDirectory"/>, building it if missing or stale. Images are decoded, oriented, resized
    /// (per <paramref name="options"/>) and centre-cropped to <paramref name="storedSide"/> (0 = the options' resize size,
    /// which leaves room for a random crop of <see cref="ImagePreprocessingOptions.Size"/>). Undecodable items are
    /// skipped and reported in <see cref="PreparedCacheResult.Failures"/>, never silently.
    /// </summary>
    public static PreparedCacheResult GetOrCreate(
        string cacheDirectory, IReadOnlyList<PreparedSource> items, ImagePreprocessingOptions options,
        int storedSide = 0, int workers = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var pipeline = new ImagePipeline(options);
        int side = storedSide == 0 ? options.EffectiveResizeSize : storedSide;
        if (side < options.Size || side > options.EffectiveResizeSize)
            throw new ArgumentException($"storedSide must be between Size ({options.Size}) and the resize size ({options.EffectiveResizeSize}), got {side}.");

        string key = PreparedCacheKey.Compute(items, options, side);
        Directory.CreateDirectory(cacheDirectory);
        string path = Path.Combine(cacheDirectory, FileNameFor(key));

        if (File.Exists(path))
        {
            PreparedShard? existing = null;
            try
            {
                existing = PreparedShard.Open(path);
                if (existing.Key == key)
                    return new PreparedCacheResult(existing, true, []);
            }
            catch (InvalidDataException)
            {
                // Truncated or foreign file: rebuild below.
            }
            existing?.Dispose();
        }

        string tmp = path + $".{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        var failures = new List<ImageLoadResult<RgbImage>>();
        using (var writer = new PreparedShardWriter(tmp, side, key))
        {
            var loader = new ImageBatchLoader(workers);
            var paths = items.Select(i => i.ImagePath).ToList();
            foreach (var r in loader.Load(paths, p => pipeline.LoadSquare(p, side), cancellationToken))
            {
                if (r.Succeeded)
                    writer.Add(r.Value!.Pixels, items[r.Index].Captions, Path.GetFullPath(r.Path));
                else
                {
                    failures.Add(r);
                    writer.MarkSkipped();
                }
            }
            writer.Complete();
        }
        File.Move(tmp, path, overwrite: true);
        return new PreparedCacheResult(PreparedShard.Open(path), false, failures);
    }
}
