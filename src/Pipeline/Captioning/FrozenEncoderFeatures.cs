// The frozen front of a pretrained encoder (ImageEncoder.ForwardFrozen: a ResNet's input transform, stem and
// frozen stages), computed once per prepared image and kept in memory-mapped feature stores beside the
// prepared shards (Preprocessing/Caching/FeatureCache), so that training and validation read features
// instead of running the network every epoch. A second run with the same images, preprocessing and
// backbone reuses the stores; the key names all three.
// Shape key: B = images in a batch, and per image the encoder's FrozenShape (e.g. R × F = 49 × 512).
using System.Diagnostics;
using System.Globalization;
using Pipeline.Models.Autograd;
using Pipeline.Models.Captioning;
using Pipeline.Models.Tensors;
using Pipeline.Preprocessing.Caching;

namespace Pipeline.Captioning;

/// <summary>Cached frozen-encoder outputs of the training and validation images.</summary>
public sealed class FrozenEncoderFeatures : IDisposable
{
    /// <summary>Bump when the stored features would change for the same images, preprocessing and backbone.</summary>
    public const string AlgorithmVersion = "frozen-features-v1";

    private FrozenEncoderFeatures(FeatureShard train, FeatureShard validation, int[] shape)
    {
        Train = train;
        Validation = validation;
        Shape = shape;
    }

    /// <summary>One row per training-shard item.</summary>
    public FeatureShard Train { get; }
    /// <summary>One row per validation-shard item.</summary>
    public FeatureShard Validation { get; }
    /// <summary>Shape of one image's features.</summary>
    public int[] Shape { get; }

    /// <summary>
    /// Opens or computes the stores for <paramref name="corpus"/>'s splits with <paramref name="model"/>'s encoder (its pretrained
    /// weights loaded); null when the encoder freezes nothing (a from-scratch encoder trains on pixels).
    /// </summary>
    public static FrozenEncoderFeatures? Build(CaptionModel model, CaptionCorpus corpus, int batchSize, IProgress<string>? status = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(corpus);
        if (model.Encoder.FrozenShape is not { } shape) return null;
        string identity = Identity(model.Config);
        var stage = new CachedImageStage(corpus.ImageOptions);
        FeatureShard Store(string name, PreparedShard shard)
        {
            string key = $"{AlgorithmVersion};{identity};shape={string.Join("x", shape)};images={shard.Key}";
            var clock = Stopwatch.StartNew();
            var progress = new Progress<int>();
            int lastReport = 0;
            var store = FeatureCache.GetOrCreate(corpus.CacheDirectory, key, shard.Count, shape, batchSize, (start, count, destination) =>
            {
                using var noGrad = GradMode.NoGrad();
                using var scope = new TensorScope();
                var indices = Enumerable.Range(start, count).ToArray();
                var pixels = Tensor.FromArray(stage.Batch(shard, indices), count, 3, model.Config.ImageSize, model.Config.ImageSize);   // (B, 3, S, S)
                model.Encoder.ForwardFrozen(pixels).Data.CopyTo(destination);                                                        // (B, shape…)
                int done = start + count;
                if (status is not null && (done - lastReport >= 1000 || done == shard.Count))
                {
                    lastReport = done;
                    status.Report(string.Create(CultureInfo.InvariantCulture,
                        $"{name} features: {done}/{shard.Count} images ({done / Math.Max(clock.Elapsed.TotalSeconds, 1e-3):F0} images/s)"));
                }
            }, out bool reused, cancellationToken: cancellationToken);
            if (reused) status?.Report($"{name} features: reused {store.Path}");
            return store;
        }
        var train = Store("training", corpus.Train.Shard);
        try { return new FrozenEncoderFeatures(train, Store("validation", corpus.Validation.Shard), shape); }
        catch { train.Dispose(); throw; }
    }

    /// <summary>Rows <paramref name="indices"/> of <paramref name="store"/> as a (B, shape…) tensor.</summary>
    public Tensor Batch(FeatureShard store, IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(store);
        var batch = Tensor.Zeros([indices.Count, .. Shape]);
        store.Gather(indices, batch.Data);
        return batch;
    }

    /// <summary>What determines the features besides the images: the backbone's files and how much of it is frozen.</summary>
    private static string Identity(CaptionerConfig config) => config.Backbone is { } b
        ? $"backbone={b.Name};weights={b.Weights.Sha256};preprocessing={b.Preprocessing.Sha256};trainable={b.TrainableStages};side={config.ImageSize}"
        : throw new InvalidOperationException("frozen features need a pretrained backbone.");

    /// <inheritdoc/>
    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
    }
}
