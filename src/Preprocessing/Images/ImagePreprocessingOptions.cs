// Immutable settings for the image pipeline. Validated once, up front, so the stages themselves
// can assume sane values in their hot loops; also renders a canonical string for cache keys.
using System.Globalization;

namespace Pipeline.Preprocessing.Images;

/// <summary>How the decoded image is brought to the working size before cropping.</summary>
public enum ResizeMode
{
    /// <summary>Scale so the shorter side equals the resize size, keeping the aspect ratio (then crop).</summary>
    ShorterSide,
    /// <summary>Scale both sides to the resize size independently, distorting the aspect ratio.</summary>
    Stretch,
}

/// <summary>Where the square output window is taken from the resized image.</summary>
public enum CropMode
{
    /// <summary>Deterministic centre crop (evaluation).</summary>
    Center,
    /// <summary>Uniformly random crop position drawn from the caller's seeded <see cref="System.Random"/> (training).</summary>
    Random,
}

/// <summary>An 8-bit sRGB colour, used for the alpha background.</summary>
public readonly record struct Rgb8(byte R, byte G, byte B)
{
    /// <summary>Opaque white.</summary>
    public static Rgb8 White => new(255, 255, 255);
    /// <summary>Opaque black.</summary>
    public static Rgb8 Black => new(0, 0, 0);
}

/// <summary>Per-channel statistics (mean or standard deviation) in the 0..1 pixel scale.</summary>
public readonly record struct ChannelStats(float R, float G, float B)
{
    /// <summary>The ImageNet channel means.</summary>
    public static ChannelStats ImageNetMean => new(0.485f, 0.456f, 0.406f);
    /// <summary>The ImageNet channel standard deviations.</summary>
    public static ChannelStats ImageNetStd => new(0.229f, 0.224f, 0.225f);
    /// <summary>Zero for every channel (no mean shift).</summary>
    public static ChannelStats Zero => new(0f, 0f, 0f);
    /// <summary>One for every channel (no scaling).</summary>
    public static ChannelStats One => new(1f, 1f, 1f);

    /// <summary>The value for channel 0 (R), 1 (G) or 2 (B).</summary>
    public float this[int channel] => channel switch { 0 => R, 1 => G, 2 => B, _ => throw new ArgumentOutOfRangeException(nameof(channel)) };
}

/// <summary>
/// Settings for decode → orient → RGB → resize → crop → normalize. Use <see cref="Eval"/> or
/// <see cref="Train"/> for the usual presets and <c>with</c> expressions to adjust them.
/// </summary>
public sealed record ImagePreprocessingOptions
{
    /// <summary>Side of the square output (crop) in pixels.</summary>
    public int Size { get; init; } = 224;

    /// <summary>Target of the resize step (shorter side, or both sides for <see cref="ResizeMode.Stretch"/>); 0 means <see cref="Size"/>.</summary>
    public int ResizeSize { get; init; }

    /// <summary>How the image is scaled before cropping.</summary>
    public ResizeMode Resize { get; init; } = ResizeMode.ShorterSide;

    /// <summary>Centre crop for evaluation, random crop for training.</summary>
    public CropMode Crop { get; init; } = CropMode.Center;

    /// <summary>Mirror left-right with probability 0.5 (training); needs a <see cref="System.Random"/>.</summary>
    public bool RandomHorizontalFlip { get; init; }

    /// <summary>Channel means subtracted after scaling pixels to 0..1.</summary>
    public ChannelStats Mean { get; init; } = ChannelStats.ImageNetMean;

    /// <summary>Channel standard deviations divided by after the mean shift.</summary>
    public ChannelStats Std { get; init; } = ChannelStats.ImageNetStd;

    /// <summary>Colour that transparent pixels are composited onto.</summary>
    public Rgb8 Background { get; init; } = Rgb8.White;

    /// <summary>Decompression-bomb guard: images whose header announces more pixels than this are refused before decoding.</summary>
    public long MaxPixels { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Let JPEGs decode at 1/2, 1/4 or 1/8 scale when the result still covers the resize target (much faster for
    /// large photos; pixels differ slightly from a full decode, so it is part of the cache key).
    /// </summary>
    public bool FastJpegDownscale { get; init; } = true;

    /// <summary>The resize target actually used (<see cref="ResizeSize"/> or <see cref="Size"/>).</summary>
    public int EffectiveResizeSize => ResizeSize == 0 ? Size : ResizeSize;

    /// <summary>True when processing draws from a random generator (random crop or flip).</summary>
    public bool IsStochastic => RandomHorizontalFlip || (Crop == CropMode.Random && EffectiveResizeSize > Size);

    /// <summary>Evaluation preset: resize shorter side to <paramref name="size"/>, centre crop, no flip.</summary>
    public static ImagePreprocessingOptions Eval(int size) => new() { Size = size };

    /// <summary>Training preset: resize shorter side to about 8/7 of <paramref name="size"/>, random crop and flip.</summary>
    public static ImagePreprocessingOptions Train(int size) =>
        new() { Size = size, ResizeSize = (size * 8 + 6) / 7, Crop = CropMode.Random, RandomHorizontalFlip = true };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting; returns this for chaining.</summary>
    public ImagePreprocessingOptions Validate()
    {
        if (Size is < 1 or > 8192)
            throw new ArgumentException($"Size must be in 1..8192 pixels, got {Size}.");
        if (ResizeSize != 0 && (ResizeSize < Size || ResizeSize > 16384))
            throw new ArgumentException($"ResizeSize must be 0 (= Size) or in Size..16384 so a {Size}px crop fits, got {ResizeSize}.");
        if (!Enum.IsDefined(Resize))
            throw new ArgumentException($"Unknown resize mode {Resize}.");
        if (!Enum.IsDefined(Crop))
            throw new ArgumentException($"Unknown crop mode {Crop}.");
        for (int c = 0; c < 3; c++)
        {
            if (!float.IsFinite(Mean[c]))
                throw new ArgumentException($"Mean[{c}] must be finite, got {Mean[c]}.");
            if (!(Std[c] > 0f) || !float.IsFinite(Std[c]))
                throw new ArgumentException($"Std[{c}] must be a positive finite number, got {Std[c]}.");
        }
        if (MaxPixels < 1)
            throw new ArgumentException($"MaxPixels must be positive, got {MaxPixels}.");
        return this;
    }

    /// <summary>
    /// A stable, culture-invariant description of everything that changes the pixels stored by the
    /// prepared cache (resize, crop geometry, background, bomb limit). Normalization and random
    /// augmentation are applied after the cache and are deliberately left out.
    /// </summary>
    public string GeometryKey() => string.Create(CultureInfo.InvariantCulture,
        $"resize={Resize};rsize={EffectiveResizeSize};bg={Background.R},{Background.G},{Background.B};maxpx={MaxPixels};jpegscale={FastJpegDownscale}");
}
