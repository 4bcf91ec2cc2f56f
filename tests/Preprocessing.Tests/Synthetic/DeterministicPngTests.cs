// The hand-written PNG encoder must produce files every decoder reads back exactly.
using Pipeline.Preprocessing.Images;
using Pipeline.Preprocessing.Synthetic;

namespace Pipeline.Preprocessing.Tests.Synthetic;

public sealed class DeterministicPngTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(64, 64)]
    [InlineData(200, 150)] // raw stream above 65,535 bytes: several stored blocks
    public void Encoded_png_decodes_to_the_same_pixels(int w, int h)
    {
        var rgb = new byte[w * h * 3];
        new Random(w * 31 + h).NextBytes(rgb);
        var png = DeterministicPng.EncodeRgb(rgb, w, h);
        Assert.Equal(png, DeterministicPng.EncodeRgb(rgb, w, h));
        var image = new ImagePipeline(ImagePreprocessingOptions.Eval(1)).LoadRgb(png, "det.png");
        Assert.Equal((w, h), (image.Width, image.Height));
        Assert.Equal(rgb, image.Pixels);
    }
}
