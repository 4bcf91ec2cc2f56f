// The models the ML.NET mappings use, loaded on the first row that needs them (so building, fitting and
// saving an ML.NET pipeline never reads weights) and then shared: the captioner and classifier are
// thread-safe, and ML.NET may run several cursors at once. Keyed by absolute directory path.
using System.Collections.Concurrent;
using Pipeline.Captioning;
using Pipeline.Classification;

namespace Pipeline.MLNet;

internal static class LoadedModels
{
    private static readonly ConcurrentDictionary<string, Lazy<ImageCaptioner>> Captioners = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, Lazy<TextClassifier>> Classifiers = new(StringComparer.Ordinal);

    public static ImageCaptioner Captioner(string directory) =>
        Captioners.GetOrAdd(directory, d => new Lazy<ImageCaptioner>(() => ImageCaptioner.Load(d))).Value;

    public static TextClassifier Classifier(string directory) =>
        Classifiers.GetOrAdd(directory, d => new Lazy<TextClassifier>(() => TextClassifier.Load(d))).Value;
}
