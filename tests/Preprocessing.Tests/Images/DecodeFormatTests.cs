// Every supported container decodes to the same pixels; grey, alpha and 16-bit sources become 8-bit RGB.
using Pipeline.Preprocessing.Images;
using static Pipeline.Preprocessing.Tests.Images.TestImageFactory;

namespace Pipeline.Preprocessing.Tests.Images;

public sealed class DecodeFormatTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ImagePipeline _pipeline = new(ImagePreprocessingOptions.Eval(8));

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, int> Formats => new() { { "png", 0 }, { "bmp", 0 }, { "gif", 0 }, { "webp", 0 }, { "jpg", 10 } };

    [Theory]
    [MemberData(nameof(Formats))]
    public void Quadrant_image_decodes_in_every_format(string ext, int tolerance)
    {
        const int w = 32, h = 16;
        var rgb = Quadrants(w, h);
        byte[] bytes = ext switch
        {
            "png" => Png(rgb, w, h),
            "bmp" => Bmp(rgb, w, h),
            "gif" => Gif(rgb, w, h),
            "webp" => WebPLossless(rgb, w, h),
            _ => Jpeg(rgb, w, h),
        };
        var image = _pipeline.LoadRgb(_dir.File("q." + ext, bytes));
        Assert.Equal((w, h), (image.Width, image.Height));
        AssertNear(Red, image[4, 4], tolerance);
        AssertNear(Green, image[27, 4], tolerance);
        AssertNear(Blue, image[4, 12], tolerance);
        AssertNear(Yellow, image[27, 12], tolerance);
    }

    [Fact]
    public void Decoder_reports_format_and_orientation()
    {
        var d = ImageDecoder.Decode(Gif(Quadrants(4, 4), 4, 4), "x.gif", 1000);
        Assert.Equal(ImageFormat.Gif, d.Format);
        Assert.Equal(1, d.Orientation);
    }

    [Fact]
    public void Grayscale_png_expands_to_equal_channels()
    {
        var p = _dir.File("g.png", RawPng(4, 4, colorType: 0, bitDepth: 8, (x, y, c) => 77));
        var image = _pipeline.LoadRgb(p);
        Assert.Equal(new Rgb8(77, 77, 77), image[2, 2]);
    }

    [Fact]
    public void Sixteen_bit_png_is_reduced_to_eight_bits()
    {
        var p = _dir.File("d16.png", RawPng(4, 4, colorType: 2, bitDepth: 16, (x, y, c) => c switch { 0 => 0xFFFF, 1 => 0x8080, _ => 0x0000 }));
        var px = _pipeline.LoadRgb(p)[1, 1];
        Assert.Equal(255, px.R);
        Assert.InRange(px.G, 127, 129);
        Assert.Equal(0, px.B);
    }

    [Theory]
    [InlineData(255, 255, 255, 255, 127, 127)]
    [InlineData(0, 0, 0, 128, 0, 0)]
    [InlineData(0, 0, 255, 128, 0, 127)]
    public void Alpha_is_composited_on_the_background(byte bgR, byte bgG, byte bgB, int er, int eg, int eb)
    {
        // Left column: red at alpha 128; right column: fully transparent.
        var p = _dir.File($"a{bgR}{bgB}.png", RawPng(2, 2, colorType: 6, bitDepth: 8, (x, y, c) => x == 0 ? (c is 0 ? 255 : c is 3 ? 128 : 0) : 0));
        var pipeline = new ImagePipeline(ImagePreprocessingOptions.Eval(2) with { Background = new Rgb8(bgR, bgG, bgB) });
        var image = pipeline.LoadRgb(p);
        AssertNear(((byte)er, (byte)eg, (byte)eb), image[0, 0], 1);
        Assert.Equal(new Rgb8(bgR, bgG, bgB), image[1, 1]);
    }

    internal static void AssertNear((byte R, byte G, byte B) expected, Rgb8 actual, int tolerance)
    {
        Assert.True(Math.Abs(expected.R - actual.R) <= tolerance && Math.Abs(expected.G - actual.G) <= tolerance && Math.Abs(expected.B - actual.B) <= tolerance,
            $"expected {expected} ±{tolerance}, got {actual}");
    }
}
