// The stage that turns cached uint8 squares into model input: optional random crop (when the
// shard stores a larger side than the output) and flip, then the same normalisation table as the
// full pipeline, so cached and uncached paths produce identical floats for evaluation settings.
using Pipeline.Preprocessing.Images;

namespace Pipeline.Preprocessing.Caching;

/// <summary>Converts prepared-shard pixels to normalised CHW floats.</summary>
public sealed class CachedImageStage
{
    private readonly NormalizeStage _normalize;

    /// <summary>Uses the crop/flip/normalisation settings of <paramref name="options"/>.</summary>
    public CachedImageStage(ImagePreprocessingOptions options)
    {
        Options = options.Validate();
        _normalize = new NormalizeStage(options.Mean, options.Std);
    }

    /// <summary>The settings applied.</summary>
    public ImagePreprocessingOptions Options { get; }

    /// <summary>Floats per output image: 3·Size².</summary>
    public int ImageLength => 3 * Options.Size * Options.Size;

    /// <summary>
    /// Writes item pixels (<paramref name="side"/>² HWC bytes) as CHW floats into <paramref name="dest"/>.
    /// Random crop/flip draw from <paramref name="rng"/> (required when the options ask for them); allocation-free.
    /// </summary>
    public void ToChw(ReadOnlySpan<byte> pixels, int side, Span<float> dest, Random? rng = null)
    {
        if (pixels.Length != side * side * 3)
            throw new ArgumentException($"Expected {side}x{side}x3 bytes, got {pixels.Length}.", nameof(pixels));
        var window = CropStage.Choose(side, side, Options.Size, Options.Crop, Options.RandomHorizontalFlip, rng);
        _normalize.ToChw(pixels, side, window, dest);
    }

    /// <summary>Fills a [B,3,S,S] buffer from shard items <paramref name="indices"/> in order.</summary>
    public float[] Batch(PreparedShard shard, IReadOnlyList<int> indices, Random? rng = null)
    {
        var batch = new float[indices.Count * ImageLength];
        Batch(shard, indices, batch, rng);
        return batch;
    }

    /// <summary>
    /// Writes shard items <paramref name="indices"/> in order into <paramref name="destination"/> ([B,3,S,S]); allocation-free,
    /// so a training loop can fill a pooled tensor instead of creating a large array every batch.
    /// </summary>
    public void Batch(PreparedShard shard, IReadOnlyList<int> indices, Span<float> destination, Random? rng = null)
    {
        if (destination.Length != indices.Count * ImageLength)
            throw new ArgumentException($"Expected room for {indices.Count} images of {ImageLength} floats, got {destination.Length}.", nameof(destination));
        for (int i = 0; i < indices.Count; i++)
            ToChw(shard.Pixels(indices[i]), shard.Side, destination.Slice(i * ImageLength, ImageLength), rng);
    }
}
