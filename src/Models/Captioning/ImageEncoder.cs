// What the captioner needs from an image encoder: normalised images (B, 3, S, S) → region features
// (B, R, F) on a G_h × G_w grid (Xu et al. 2015, §3.1.1: the annotation vectors a_1..a_R).
// An encoder is split into a frozen front and a trainable back, Forward = ForwardTrainable ∘ ForwardFrozen:
// a from-scratch encoder trains end to end (nothing frozen); a pretrained backbone keeps some or all of its
// layers fixed, so training computes the frozen front once per image and caches it (FrozenShape says what
// one image's cached tensor looks like) instead of re-running it every epoch.
// Shape key: B = batch, S = image side, R = regions, F = feature channels.
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Captioning;

/// <summary>Images (B, 3, S, S) → region features (B, R, F), with an optionally frozen front.</summary>
public abstract class ImageEncoder : Module
{
    /// <summary>Expected image side S.</summary>
    public abstract int ImageSize { get; }
    /// <summary>Rows of the feature grid.</summary>
    public abstract int GridHeight { get; }
    /// <summary>Columns of the feature grid.</summary>
    public abstract int GridWidth { get; }
    /// <summary>Regions R = GridHeight·GridWidth.</summary>
    public int Regions => GridHeight * GridWidth;
    /// <summary>Feature channels F.</summary>
    public abstract int FeatureSize { get; }

    /// <summary>Shape of one image's output of <see cref="ForwardFrozen"/> (without the batch axis), or null when nothing is frozen.</summary>
    public virtual int[]? FrozenShape => null;

    /// <summary>The layers that never train: (B, 3, S, S) → the input of <see cref="ForwardTrainable"/>. Identity by default.</summary>
    public virtual Tensor ForwardFrozen(Tensor images) => images;

    /// <summary>The trainable rest: output of <see cref="ForwardFrozen"/> → (B, R, F).</summary>
    public abstract Tensor ForwardTrainable(Tensor frozen);

    /// <summary>(B, 3, S, S) normalised images → (B, R, F) region features.</summary>
    public Tensor Forward(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank != 4 || images.Size(1) != 3 || images.Size(2) != ImageSize || images.Size(3) != ImageSize)
            throw new ShapeMismatchException("image_encoder", $"images {TensorShape.Format(images.Shape)} are not (B, 3, {ImageSize}, {ImageSize})");
        return ForwardTrainable(ForwardFrozen(images));
    }

    /// <summary>(B, F, G_h, G_w) map → (B, R, F) region vectors, R = G_h·G_w in row-major grid order.</summary>
    protected static Tensor ToRegions(Tensor map)
    {
        int batch = map.Size(0), channels = map.Size(1), regions = map.Size(2) * map.Size(3);
        return map.Reshape(batch, channels, regions).Permute(0, 2, 1);                   // (B, R, F)
    }
}
