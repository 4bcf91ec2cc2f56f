// Per-word attention maps over an image, as in "Show, Attend and Tell" (Xu et al. 2015, fig. 3):
// for each generated word, the decoder's attention weights over the encoder's gridH × gridW
// feature cells are upsampled bilinearly to the thumbnail size and laid over the photo as a
// colour map whose opacity grows with the weight. Render() gives one PNG strip (thumbnails with
// the word under each) for `pipeline caption --attention-maps DIR`; RenderThumbnails() gives the
// bare thumbnails for the HTML report, which prints the words as text.
//
// The grid covers what the model saw, not the whole photo: the captioner resizes the shorter side and
// takes a centre crop, so on a non-square photo the attention is drawn over that centre region
// (LoadSeenRegion), loaded at thumbnail resolution through the bounded image decoder. Thumbnails are
// therefore square and their size never depends on the photo's aspect ratio (a 1×5000 image once made a
// 15000-pixel-tall strip); bitmaps passed in directly are drawn with their aspect ratio clamped to 1:4..4:1.
// Files are written through a temporary file and a rename in the target folder, so an existing symlink
// at the map's name is replaced, never followed.
using SkiaSharp;
using Pipeline.Models.Checkpoints;
using Pipeline.Preprocessing.Images;
using Pipeline.Reports.Charts;

namespace Pipeline.Reports;

/// <summary>Layout of attention thumbnails.</summary>
/// <param name="ThumbnailWidth">Thumbnail width in layout pixels (height follows the image's aspect ratio).</param>
/// <param name="WordsPerRow">Thumbnails per row of the strip before wrapping.</param>
/// <param name="MaxOpacity">Opacity of the colour map at the highest weight (0..1).</param>
public sealed record AttentionOverlayOptions(int ThumbnailWidth = 128, int WordsPerRow = 8, double MaxOpacity = 0.7);

/// <summary>Draws per-word attention heatmaps over an image.</summary>
public static class AttentionOverlay
{
    private const float Gap = 8, WordHeight = 22;

    /// <summary>Largest ratio between a thumbnail's longer and shorter side.</summary>
    public const int MaxAspectRatio = 4;

    /// <summary>
    /// Renders the strip of per-word thumbnails (word under each) over the region of the image file at
    /// <paramref name="imagePath"/> that the model saw under <paramref name="view"/> (default: resize the shorter side,
    /// centre crop — the captioner's preprocessing).
    /// </summary>
    /// <exception cref="FileNotFoundException">The image does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image.</exception>
    public static byte[] Render(string imagePath, IReadOnlyList<string> words, IReadOnlyList<float[]> grids, int gridHeight, int gridWidth,
        AttentionOverlayOptions? options = null, ImagePreprocessingOptions? view = null)
    {
        options ??= new AttentionOverlayOptions();
        using var image = LoadSeenRegion(imagePath, view, (int)(options.ThumbnailWidth * ChartStyle.Scale));
        return Render(image, words, grids, gridHeight, gridWidth, options);
    }

    /// <summary>
    /// The part of the image file the model saw under <paramref name="view"/> (default: shorter side resized, centre crop),
    /// as a <paramref name="side"/>² bitmap, decoded with the bounded decoder (regular files only, pixel limit).
    /// </summary>
    /// <exception cref="FileNotFoundException">The image does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image.</exception>
    public static SKBitmap LoadSeenRegion(string imagePath, ImagePreprocessingOptions? view, int side)
    {
        if (!File.Exists(imagePath) && !Directory.Exists(imagePath)) throw new FileNotFoundException($"Image '{imagePath}' does not exist.", imagePath);
        RgbImage seen;
        try { seen = new ImagePipeline(view ?? new ImagePreprocessingOptions { Size = side }).LoadViewed(imagePath, side); }
        catch (ImageDecodeException e) { throw new InvalidDataException($"'{imagePath}' cannot be drawn: {e.Message}", e); }
        return ToBitmap(seen);
    }

    /// <summary>
    /// Decodes an image file for display with the bounded decoder (regular files only, at most <paramref name="maxPixels"/>
    /// pixels, EXIF orientation applied); null when it cannot be read.
    /// </summary>
    public static SKBitmap? TryLoadBitmap(string imagePath, long maxPixels = 64L * 1024 * 1024)
    {
        try { return ToBitmap(RgbConvertStage.Apply(OrientStage.Apply(ImageDecoder.DecodeFile(imagePath, maxPixels)), Rgb8.White)); }
        catch (ImageDecodeException) { return null; }
    }

    private static SKBitmap ToBitmap(RgbImage image)
    {
        var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = new byte[image.Width * image.Height * 4];
        for (int i = 0, j = 0; i < image.Pixels.Length; i += 3, j += 4)
        {
            pixels[j] = image.Pixels[i];
            pixels[j + 1] = image.Pixels[i + 1];
            pixels[j + 2] = image.Pixels[i + 2];
            pixels[j + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        return bitmap;
    }

    /// <summary>Renders the strip of per-word thumbnails (word under each) as PNG bytes.</summary>
    /// <param name="image">The photo.</param>
    /// <param name="words">Generated words.</param>
    /// <param name="grids">Per word, attention weights in row-major order (gridHeight × gridWidth).</param>
    /// <param name="gridHeight">Attention grid rows.</param>
    /// <param name="gridWidth">Attention grid columns.</param>
    /// <param name="options">Layout.</param>
    public static byte[] Render(SKBitmap image, IReadOnlyList<string> words, IReadOnlyList<float[]> grids, int gridHeight, int gridWidth, AttentionOverlayOptions? options = null)
    {
        options ??= new AttentionOverlayOptions();
        var thumbnails = RenderBitmaps(image, words, grids, gridHeight, gridWidth, options);
        try
        {
            int columns = Math.Max(1, Math.Min(options.WordsPerRow, words.Count));
            int rows = Math.Max(1, (words.Count + columns - 1) / columns);
            float thumbWidth = options.ThumbnailWidth, thumbHeight = ThumbnailHeight(image, options);
            float width = Gap + columns * (thumbWidth + Gap);
            float height = Gap + rows * (thumbHeight + WordHeight + Gap);
            float scale = ChartStyle.Scale;
            using var surface = SKSurface.Create(new SKImageInfo((int)Math.Ceiling(width * scale), (int)Math.Ceiling(height * scale)));
            var canvas = surface.Canvas;
            canvas.Clear(SKColors.White);
            canvas.Scale(scale);
            using var text = ChartStyle.TextPaint(13, ChartStyle.Text);
            text.TextAlign = SKTextAlign.Center;
            using var smooth = new SKPaint { FilterQuality = SKFilterQuality.High, IsAntialias = true };
            for (int i = 0; i < thumbnails.Count; i++)
            {
                float x = Gap + i % columns * (thumbWidth + Gap);
                float y = Gap + i / columns * (thumbHeight + WordHeight + Gap);
                canvas.DrawBitmap(thumbnails[i], new SKRect(x, y, x + thumbWidth, y + thumbHeight), smooth);
                canvas.DrawText(Fit(words[i], text, thumbWidth), x + thumbWidth / 2, y + thumbHeight + 16, text);
            }
            return ChartStyle.EncodePng(surface);
        }
        finally
        {
            foreach (var bitmap in thumbnails) bitmap.Dispose();
        }
    }

    /// <summary>One PNG per word: the photo with that word's attention overlaid, no text.</summary>
    public static IReadOnlyList<byte[]> RenderThumbnails(SKBitmap image, IReadOnlyList<string> words, IReadOnlyList<float[]> grids, int gridHeight, int gridWidth, AttentionOverlayOptions? options = null)
    {
        options ??= new AttentionOverlayOptions();
        var bitmaps = RenderBitmaps(image, words, grids, gridHeight, gridWidth, options);
        try
        {
            return bitmaps.Select(b =>
            {
                using var encoded = b.Encode(SKEncodedImageFormat.Png, 100);
                return encoded.ToArray();
            }).ToArray();
        }
        finally
        {
            foreach (var bitmap in bitmaps) bitmap.Dispose();
        }
    }

    /// <summary>
    /// Writes the strip for one image to <paramref name="outputFolder"/> as "&lt;sanitized image id&gt;.png" (the id cannot
    /// place the file outside the folder) and returns the path. The file is written to a temporary name and renamed into
    /// place: an existing file at that name is replaced, and an existing symlink is replaced rather than followed.
    /// </summary>
    public static string WritePng(string outputFolder, string imageId, string imagePath, IReadOnlyList<string> words, IReadOnlyList<float[]> grids, int gridHeight, int gridWidth,
        AttentionOverlayOptions? options = null, ImagePreprocessingOptions? view = null)
    {
        string path = SafeOutputPath.Combine(outputFolder, imageId, ".png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var png = Render(imagePath, words, grids, gridHeight, gridWidth, options, view);
        AtomicFile.Write(path, stream => stream.Write(png));
        return path;
    }

    /// <summary>Bilinear upsampling of a gridHeight × gridWidth map to height × width (pixel centres aligned, edges clamped).</summary>
    public static float[] Upsample(ReadOnlySpan<float> grid, int gridHeight, int gridWidth, int height, int width)
    {
        if (grid.Length != gridHeight * gridWidth) throw new ArgumentException($"Grid has {grid.Length} values, expected {gridHeight}×{gridWidth}.", nameof(grid));
        var result = new float[height * width];
        for (int y = 0; y < height; y++)
        {
            // Centre of output pixel y in grid coordinates (cell centres at 0, 1, ..., gridHeight-1).
            float gy = Math.Clamp((y + 0.5f) * gridHeight / height - 0.5f, 0, gridHeight - 1);
            int y0 = (int)gy, y1 = Math.Min(y0 + 1, gridHeight - 1);
            float fy = gy - y0;
            for (int x = 0; x < width; x++)
            {
                float gx = Math.Clamp((x + 0.5f) * gridWidth / width - 0.5f, 0, gridWidth - 1);
                int x0 = (int)gx, x1 = Math.Min(x0 + 1, gridWidth - 1);
                float fx = gx - x0;
                float top = grid[y0 * gridWidth + x0] * (1 - fx) + grid[y0 * gridWidth + x1] * fx;
                float bottom = grid[y1 * gridWidth + x0] * (1 - fx) + grid[y1 * gridWidth + x1] * fx;
                result[y * width + x] = top * (1 - fy) + bottom * fy;
            }
        }
        return result;
    }

    private static List<SKBitmap> RenderBitmaps(SKBitmap image, IReadOnlyList<string> words, IReadOnlyList<float[]> grids, int gridHeight, int gridWidth, AttentionOverlayOptions options)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(grids);
        if (gridHeight < 1 || gridWidth < 1) throw new ArgumentException($"The attention grid must be at least 1×1; got {gridHeight}×{gridWidth}.");
        if (options.ThumbnailWidth is < 8 or > 1024) throw new ArgumentOutOfRangeException(nameof(options), options.ThumbnailWidth, "thumbnail width must be within 8..1024");
        if (words.Count != grids.Count) throw new ArgumentException($"{words.Count} words but {grids.Count} attention grids.", nameof(grids));
        for (int i = 0; i < grids.Count; i++)
        {
            if (grids[i] is null || grids[i].Length != gridHeight * gridWidth)
                throw new ArgumentException($"Attention grid {i} ('{words[i]}') has {grids[i]?.Length ?? 0} values, expected {gridHeight}×{gridWidth} = {gridHeight * gridWidth}.", nameof(grids));
        }

        int width = (int)(options.ThumbnailWidth * ChartStyle.Scale);
        int height = (int)(ThumbnailHeight(image, options) * ChartStyle.Scale);
        using var photo = image.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul), SKFilterQuality.High)
            ?? throw new InvalidDataException("The image could not be resized.");
        var result = new List<SKBitmap>(grids.Count);
        foreach (var grid in grids)
        {
            var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
            using (var canvas = new SKCanvas(bitmap))
            {
                canvas.DrawBitmap(photo, 0, 0);
                using var heat = HeatLayer(grid, gridHeight, gridWidth, width, height, options.MaxOpacity);
                canvas.DrawBitmap(heat, 0, 0);
            }
            result.Add(bitmap);
        }
        return result;
    }

    private static SKBitmap HeatLayer(float[] grid, int gridHeight, int gridWidth, int width, int height, double maxOpacity)
    {
        // Min-max normalisation per word: softmax weights are small and their scale varies with the
        // grid size, while what the reader needs is where this word looked relative to elsewhere.
        float min = grid.Min(), max = grid.Max();
        float range = max - min;
        var values = Upsample(grid, gridHeight, gridWidth, height, width);
        var pixels = new SKColor[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            double v = range > 1e-12f && float.IsFinite(values[i]) ? (values[i] - min) / range : 0;
            // Opacity rises with the weight so that ignored regions keep the photo visible.
            byte alpha = (byte)Math.Round(255 * maxOpacity * (0.15 + 0.85 * v));
            pixels[i] = ChartStyle.Heat(v).WithAlpha(alpha);
        }
        var layer = new SKBitmap(new SKImageInfo(width, height, SKColorType.Bgra8888, SKAlphaType.Unpremul)) { Pixels = pixels };
        return layer;
    }

    // Follows the bitmap's aspect ratio within 1:4..4:1, so no input can make a thumbnail (or the strip) arbitrarily tall.
    private static float ThumbnailHeight(SKBitmap image, AttentionOverlayOptions options) =>
        Math.Clamp(MathF.Round(options.ThumbnailWidth * (float)image.Height / Math.Max(1, image.Width)),
            Math.Max(1, options.ThumbnailWidth / MaxAspectRatio), options.ThumbnailWidth * MaxAspectRatio);

    private static string Fit(string word, SKPaint paint, float width)
    {
        if (paint.MeasureText(word) <= width) return word;
        for (int length = word.Length - 1; length > 0; length--)
        {
            string shortened = word[..length] + "…";
            if (paint.MeasureText(shortened) <= width) return shortened;
        }
        return "…";
    }
}
