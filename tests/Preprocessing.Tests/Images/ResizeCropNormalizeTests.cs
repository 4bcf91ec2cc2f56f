// Geometry and arithmetic of resize → crop → normalize on constructed images with known answers.
using Pipeline.Preprocessing.Images;
using static Pipeline.Preprocessing.Tests.Images.TestImageFactory;

namespace Pipeline.Preprocessing.Tests.Images;

public sealed class ResizeCropNormalizeTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Shorter_side_resize_keeps_aspect_ratio()
    {
        Assert.Equal((16, 32), ResizeStage.TargetSize(50, 100, 16, ResizeMode.ShorterSide));
        Assert.Equal((32, 16), ResizeStage.TargetSize(100, 50, 16, ResizeMode.ShorterSide));
        Assert.Equal((16, 16), ResizeStage.TargetSize(100, 50, 16, ResizeMode.Stretch));
    }

    [Fact]
    public void Resize_of_flat_regions_is_exact_and_downscale_averages()
    {
        var img = new RgbImage(64, 32, Quadrants(64, 32));
        var small = ResizeStage.Apply(img, 16, ResizeMode.ShorterSide);
        Assert.Equal((32, 16), (small.Width, small.Height));
        Assert.Equal(new Rgb8(Red.R, Red.G, Red.B), small[3, 3]);
        Assert.Equal(new Rgb8(Yellow.R, Yellow.G, Yellow.B), small[28, 12]);

        // A 1-pixel checkerboard halved must average to mid grey, not alias to black or white.
        var checker = new byte[8 * 8 * 3];
        for (int i = 0; i < 64; i++)
            checker.AsSpan(i * 3, 3).Fill((byte)(((i % 8) + (i / 8)) % 2 == 0 ? 0 : 255));
        var half = ResizeStage.Resize(new RgbImage(8, 8, checker), 4, 4);
        Assert.InRange(half[1, 1].R, 120, 135);
    }

    [Fact]
    public void Eval_pipeline_center_crops_and_normalizes_to_chw()
    {
        var path = _dir.File("q.png", Png(Quadrants(64, 32), 64, 32));
        var options = ImagePreprocessingOptions.Eval(16);
        var chw = new ImagePipeline(options).Process(path);
        Assert.Equal(3 * 16 * 16, chw.Length);
        // Resized to 32x16, centre crop x = 8..23: left half of the crop is red/blue, right half green/yellow.
        Assert.Equal(Norm(Red.R, 0, options), chw[0 * 256 + 2 * 16 + 3], 5);
        Assert.Equal(Norm(Red.G, 1, options), chw[1 * 256 + 2 * 16 + 3], 5);
        Assert.Equal(Norm(Green.B, 2, options), chw[2 * 256 + 2 * 16 + 12], 5);
        Assert.Equal(Norm(Yellow.R, 0, options), chw[0 * 256 + 13 * 16 + 12], 5);
        Assert.Equal(Norm(Blue.B, 2, options), chw[2 * 256 + 13 * 16 + 3], 5);
    }

    [Fact]
    public void Random_crop_and_flip_are_seeded_and_flip_mirrors()
    {
        var path = _dir.File("g.png", Png(Gradient(40, 40), 40, 40));
        var train = new ImagePipeline(ImagePreprocessingOptions.Train(28));
        Assert.Equal(train.Process(path, new Random(5)), train.Process(path, new Random(5)));
        Assert.Throws<ArgumentNullException>(() => train.Process(path));

        var resized = train.LoadResized(path);
        var norm = train.Normalizer;
        var a = new float[3 * 28 * 28];
        var b = new float[3 * 28 * 28];
        norm.ToChw(resized.Pixels, resized.Width, new CropWindow(2, 3, 28, false), a);
        norm.ToChw(resized.Pixels, resized.Width, new CropWindow(2, 3, 28, true), b);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                    Assert.Equal(a[c * 784 + y * 28 + x], b[c * 784 + y * 28 + 27 - x]);

        var window = CropStage.Choose(32, 36, 28, CropMode.Random, true, new Random(1));
        Assert.InRange(window.X, 0, 4);
        Assert.InRange(window.Y, 0, 8);
    }

    [Fact]
    public void Batch_helper_stacks_images_in_order()
    {
        var p1 = _dir.File("1.png", Png(Quadrants(16, 16), 16, 16));
        var p2 = _dir.File("2.png", Png(Gradient(16, 16), 16, 16));
        var pipeline = new ImagePipeline(ImagePreprocessingOptions.Eval(16));
        var batch = pipeline.ProcessBatch([p1, p2]);
        Assert.Equal(2 * pipeline.ImageLength, batch.Length);
        Assert.Equal(pipeline.Process(p2), batch.AsSpan(pipeline.ImageLength).ToArray());
        Assert.Equal(batch, ImagePipeline.Stack([pipeline.Process(p1), pipeline.Process(p2)]));
    }

    [Fact]
    public void Large_jpeg_is_decoded_at_reduced_scale_with_same_result()
    {
        var jpeg = Jpeg(Quadrants(256, 256), 256, 256);
        Assert.Equal(32, ImageDecoder.Decode(jpeg, "big.jpg", 1 << 20, minShorterSide: 32).Width);
        Assert.Equal(64, ImageDecoder.Decode(jpeg, "big.jpg", 1 << 20, minShorterSide: 33).Width);
        Assert.Equal(256, ImageDecoder.Decode(jpeg, "big.jpg", 1 << 20).Width);

        var path = _dir.File("big.jpg", jpeg);
        var fast = new ImagePipeline(ImagePreprocessingOptions.Eval(16)).Process(path);
        var full = new ImagePipeline(ImagePreprocessingOptions.Eval(16) with { FastJpegDownscale = false }).Process(path);
        Assert.True(fast.Zip(full, (a, b) => Math.Abs(a - b)).Average() < 0.05);
    }

    [Fact]
    public void Options_are_validated_up_front()
    {
        Assert.Throws<ArgumentException>(() => new ImagePipeline(ImagePreprocessingOptions.Eval(0)));
        Assert.Throws<ArgumentException>(() => new ImagePipeline(ImagePreprocessingOptions.Eval(16) with { ResizeSize = 8 }));
        Assert.Throws<ArgumentException>(() => new ImagePipeline(ImagePreprocessingOptions.Eval(16) with { Std = new ChannelStats(1, 0, 1) }));
        Assert.Throws<ArgumentException>(() => new ImagePipeline(ImagePreprocessingOptions.Eval(16) with { MaxPixels = 0 }));
    }

    private static float Norm(byte v, int c, ImagePreprocessingOptions o) => (v / 255f - o.Mean[c]) / o.Std[c];
}
