// The models a silo hosts: each model directory is loaded once, on the first shard that needs it, and
// then shared by every shard of every job on that silo (ImageCaptioner and TextClassifier are
// thread-safe for inference). A directory that fails to load is not cached, so fixing it needs no restart.
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Pipeline.Captioning;
using Pipeline.Classification;

namespace Pipeline.Cluster;

/// <summary>Per-silo cache of loaded models, keyed by full directory path.</summary>
public sealed class ModelHost(ILogger<ModelHost> logger)
{
    private readonly ConcurrentDictionary<string, Lazy<ImageCaptioner>> captioners = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<TextClassifier>> classifiers = new(StringComparer.Ordinal);

    /// <summary>The captioner in <paramref name="directory"/>.</summary>
    public ImageCaptioner Captioner(string directory) => Get(captioners, directory, d => ImageCaptioner.Load(d, logger));

    /// <summary>The classifier in <paramref name="directory"/>.</summary>
    public TextClassifier Classifier(string directory) => Get(classifiers, directory, d => TextClassifier.Load(d, logger));

    private T Get<T>(ConcurrentDictionary<string, Lazy<T>> cache, string directory, Func<string, T> load)
    {
        var lazy = cache.GetOrAdd(directory, d => new Lazy<T>(() =>
        {
            logger.LogInformation("loading model {Directory}", d);
            return load(d);
        }));
        try { return lazy.Value; }
        catch
        {
            cache.TryRemove(new KeyValuePair<string, Lazy<T>>(directory, lazy));
            throw;
        }
    }
}
