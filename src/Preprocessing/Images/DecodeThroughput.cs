// Decode+resize throughput measurement: images/second straight from encoded files versus from the
// prepared cache, both producing the same model-ready CHW floats. A library method (not a test)
// so the CLI or a bench project can call it on real folders.
using System.Diagnostics;
using Pipeline.Preprocessing.Caching;

namespace Pipeline.Preprocessing.Images;

/// <summary>Numbers from one <see cref="DecodeThroughput.Measure"/> run.</summary>
/// <param name="Images">Images processed per pass.</param>
/// <param name="Workers">Decode workers for the direct pass and the cache build.</param>
/// <param name="DirectImagesPerSecond">Decode → … → CHW floats from the encoded files (parallel, ordered).</param>
/// <param name="CacheBuildSeconds">Time to build the prepared shard (decode + write), first run only.</param>
/// <param name="CacheReused">True when the shard already existed (build time is then just key + open).</param>
/// <param name="CachedImagesPerSecond">CHW floats from the memory-mapped shard on one thread.</param>
/// <param name="Failures">Images that failed to decode in the direct pass.</param>
public sealed record ThroughputReport(int Images, int Workers, double DirectImagesPerSecond, double CacheBuildSeconds, bool CacheReused,
    double CachedImagesPerSecond, int Failures)
{
    /// <summary>One-line human summary.</summary>
    public override string ToString() =>
        $"{Images} images, {Workers} workers: direct {DirectImagesPerSecond:F0} img/s; cache build {CacheBuildSeconds:F2}s" +
        $"{(CacheReused ? " (reused)" : "")}; cached {CachedImagesPerSecond:F0} img/s (1 thread); failures {Failures}";
}

/// <summary>Measures image decode+resize throughput with and without the prepared cache.</summary>
public static class DecodeThroughput
{
    /// <summary>
    /// Runs one warm-up and then timed passes over every image in <paramref name="folder"/> with evaluation settings
    /// (<paramref name="options"/>; centre crop), first directly and then through a prepared shard in <paramref name="cacheDirectory"/>.
    /// </summary>
    public static ThroughputReport Measure(string folder, ImagePreprocessingOptions options, string cacheDirectory,
        int workers = 0, CancellationToken cancellationToken = default)
    {
        var files = ImageFiles.List(folder);
        if (files.Count == 0)
            throw new ArgumentException($"No images found in '{folder}'.", nameof(folder));
        var pipeline = new ImagePipeline(options);
        var loader = new ImageBatchLoader(workers);

        // Warm-up: JIT, native codec init and the OS page cache, so the pass measures decoding, not the first disk read.
        _ = pipeline.Process(files[0]);
        RunDirect(loader, files.Take(Math.Min(files.Count, 32)).ToList(), pipeline, cancellationToken);

        var sw = Stopwatch.StartNew();
        int failures = RunDirect(loader, files, pipeline, cancellationToken);
        double direct = files.Count / sw.Elapsed.TotalSeconds;

        var items = files.Select(f => new PreparedSource(f, [])).ToList();
        sw.Restart();
        var cache = PreparedCache.GetOrCreate(cacheDirectory, items, options, workers: loader.Workers, cancellationToken: cancellationToken);
        double build = sw.Elapsed.TotalSeconds;
        using var shard = cache.Shard;

        var stage = new CachedImageStage(options);
        var dest = new float[stage.ImageLength];
        for (int i = 0; i < Math.Min(shard.Count, 32); i++)
            stage.ToChw(shard.Pixels(i), shard.Side, dest);
        sw.Restart();
        for (int i = 0; i < shard.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            stage.ToChw(shard.Pixels(i), shard.Side, dest);
        }
        double cached = shard.Count / sw.Elapsed.TotalSeconds;
        return new ThroughputReport(files.Count, loader.Workers, direct, build, cache.Reused, cached, failures);
    }

    private static int RunDirect(ImageBatchLoader loader, IReadOnlyList<string> files, ImagePipeline pipeline, CancellationToken ct)
    {
        int failures = 0;
        foreach (var r in loader.Load(files, p => pipeline.Process(p), ct))
            if (!r.Succeeded)
                failures++;
        return failures;
    }
}
