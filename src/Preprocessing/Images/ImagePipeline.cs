// The composed image pipeline: decode → orient → RGB → resize → crop → normalize → CHW float[].
// Each step is its own stage class; this type only wires them together for one options record
// and offers the entry points the loaders, cache and CLI need (uint8 square for caching, floats
// for training/eval, and a batch helper that fills a [B,3,S,S] buffer).
namespace Pipeline.Preprocessing.Images;

/// <summary>Runs the image stages for one immutable <see cref="ImagePreprocessingOptions"/>. Thread-safe.</summary>
public sealed class ImagePipeline
{
    private readonly NormalizeStage _normalize;

    /// <summary>Validates <paramref name="options"/> and prepares the normalisation table.</summary>
    public ImagePipeline(ImagePreprocessingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Validate();
        _normalize = new NormalizeStage(options.Mean, options.Std);
    }

    /// <summary>The settings this pipeline applies.</summary>
    public ImagePreprocessingOptions Options { get; }

    /// <summary>Floats per image in the output: 3·Size².</summary>
    public int ImageLength => 3 * Options.Size * Options.Size;

    /// <summary>The normalisation stage (shared with the prepared-cache path).</summary>
    public NormalizeStage Normalizer => _normalize;

    /// <summary>Decode, orient and convert to RGB at full resolution.</summary>
    /// <exception cref="ImageDecodeException">The file cannot be decoded.</exception>
    public RgbImage LoadRgb(string path) =>
        RgbConvertStage.Apply(OrientStage.Apply(ImageDecoder.DecodeFile(path, Options.MaxPixels)), Options.Background);

    /// <summary>Same as <see cref="LoadRgb(string)"/> for bytes already in memory.</summary>
    public RgbImage LoadRgb(byte[] encoded, string name) =>
        RgbConvertStage.Apply(OrientStage.Apply(ImageDecoder.Decode(encoded, name, Options.MaxPixels)), Options.Background);

    /// <summary>
    /// Decode → orient → RGB → resize (shorter side or stretch to <see cref="ImagePreprocessingOptions.EffectiveResizeSize"/>).
    /// Large JPEGs may be decoded at reduced scale first (<see cref="ImagePreprocessingOptions.FastJpegDownscale"/>).
    /// </summary>
    public RgbImage LoadResized(string path)
    {
        int hint = Options.FastJpegDownscale ? Options.EffectiveResizeSize : 0;
        var decoded = ImageDecoder.DecodeFile(path, Options.MaxPixels, hint);
        var rgb = RgbConvertStage.Apply(OrientStage.Apply(decoded), Options.Background);
        return ResizeStage.Apply(rgb, Options.EffectiveResizeSize, Options.Resize);
    }

    /// <summary>
    /// Decode → … → resize → centre crop to a <paramref name="side"/>² uint8 square (default: the resize
    /// size, so a later random crop of <see cref="ImagePreprocessingOptions.Size"/> still has room). Used by the prepared cache.
    /// </summary>
    public RgbImage LoadSquare(string path, int side = 0)
    {
        var resized = LoadResized(path);
        int s = side == 0 ? Options.EffectiveResizeSize : side;
        return CropStage.Extract(resized, CropStage.Center(resized.Width, resized.Height, s));
    }

    /// <summary>
    /// The part of the photo the model sees — after orientation, the resize and the centre crop of these options — as a
    /// <paramref name="displaySide"/>² image, for drawing attention over it. Its size depends only on
    /// <paramref name="displaySide"/>, never on the photo's aspect ratio (a 1×5000 image gives a displaySide² square).
    /// </summary>
    /// <exception cref="ImageDecodeException">The file cannot be decoded.</exception>
    public RgbImage LoadViewed(string path, int displaySide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(displaySide, 1);
        int hint = Options.FastJpegDownscale ? Math.Max(displaySide, Options.EffectiveResizeSize) : 0;
        var rgb = RgbConvertStage.Apply(OrientStage.Apply(ImageDecoder.DecodeFile(path, Options.MaxPixels, hint)), Options.Background);
        // The model's window in resized coordinates, mapped back onto this image.
        var (resizedWidth, resizedHeight) = ResizeStage.TargetSize(rgb.Width, rgb.Height, Options.EffectiveResizeSize, Options.Resize);
        var window = CropStage.Center(resizedWidth, resizedHeight, Options.Size);
        double sx = (double)rgb.Width / resizedWidth, sy = (double)rgb.Height / resizedHeight;
        int x0 = Math.Clamp((int)Math.Floor(window.X * sx), 0, rgb.Width - 1), y0 = Math.Clamp((int)Math.Floor(window.Y * sy), 0, rgb.Height - 1);
        int x1 = Math.Clamp((int)Math.Ceiling((window.X + window.Size) * sx), x0 + 1, rgb.Width), y1 = Math.Clamp((int)Math.Ceiling((window.Y + window.Size) * sy), y0 + 1, rgb.Height);
        var region = new byte[(x1 - x0) * (y1 - y0) * 3];
        for (int y = y0; y < y1; y++)
            rgb.Pixels.AsSpan((y * rgb.Width + x0) * 3, (x1 - x0) * 3).CopyTo(region.AsSpan((y - y0) * (x1 - x0) * 3));
        return ResizeStage.Apply(new RgbImage(x1 - x0, y1 - y0, region), displaySide, ResizeMode.Stretch);
    }

    /// <summary>Runs every stage and returns a CHW float[3·Size²]; <paramref name="rng"/> is required for random crop/flip.</summary>
    public float[] Process(string path, Random? rng = null)
    {
        var dest = new float[ImageLength];
        Process(path, dest, rng);
        return dest;
    }

    /// <summary>Runs every stage, writing CHW floats into <paramref name="dest"/> (length ≥ 3·Size²).</summary>
    public void Process(string path, Span<float> dest, Random? rng = null) => ToChw(LoadResized(path), dest, rng);

    /// <summary>Crop + normalize an already resized image into <paramref name="dest"/>.</summary>
    public void ToChw(RgbImage resized, Span<float> dest, Random? rng = null)
    {
        var window = CropStage.Choose(resized.Width, resized.Height, Options.Size, Options.Crop, Options.RandomHorizontalFlip, rng);
        _normalize.ToChw(resized.Pixels, resized.Width, window, dest);
    }

    /// <summary>
    /// Processes <paramref name="paths"/> in order into one [B,3,S,S] buffer. Random draws happen in path
    /// order so a seeded <paramref name="rng"/> is reproducible. The first undecodable file throws.
    /// </summary>
    public float[] ProcessBatch(IReadOnlyList<string> paths, Random? rng = null)
    {
        var batch = new float[paths.Count * ImageLength];
        for (int i = 0; i < paths.Count; i++)
            Process(paths[i], batch.AsSpan(i * ImageLength, ImageLength), rng);
        return batch;
    }

    /// <summary>Copies already-computed CHW images into one contiguous [B,3,S,S] buffer.</summary>
    public static float[] Stack(IReadOnlyList<float[]> images)
    {
        if (images.Count == 0)
            return [];
        int len = images[0].Length;
        var batch = new float[images.Count * len];
        for (int i = 0; i < images.Count; i++)
        {
            if (images[i].Length != len)
                throw new ArgumentException($"Image {i} has {images[i].Length} floats, expected {len}.");
            images[i].CopyTo(batch, i * len);
        }
        return batch;
    }
}
