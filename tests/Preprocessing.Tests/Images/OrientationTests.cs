// EXIF orientation: a hand-inserted APP1 segment must move pixels to where a viewer would show them.
using Pipeline.Preprocessing.Images;
using static Pipeline.Preprocessing.Tests.Images.TestImageFactory;

namespace Pipeline.Preprocessing.Tests.Images;

public sealed class OrientationTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<int, int, int, string> Cases => new()
    {
        // orientation, displayed width, height, quadrant colours TL TR BL BR (stored: TL red, TR green, BL blue, BR yellow)
        { 1, 32, 16, "RGBY" },
        { 3, 32, 16, "YBGR" },
        { 6, 16, 32, "BRYG" },
        { 8, 16, 32, "GYRB" },
        { 2, 32, 16, "GRYB" },
        { 4, 32, 16, "BYRG" },
        { 5, 16, 32, "RBGY" },
        { 7, 16, 32, "YGBR" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Exif_orientation_moves_quadrants(int orientation, int w, int h, string expected)
    {
        var jpeg = WithExifOrientation(Jpeg(Quadrants(32, 16), 32, 16), orientation);
        var decoded = ImageDecoder.Decode(jpeg, "o.jpg", 10_000);
        Assert.Equal(orientation, decoded.Orientation);

        var image = new ImagePipeline(ImagePreprocessingOptions.Eval(8)).LoadRgb(_dir.File($"o{orientation}.jpg", jpeg));
        Assert.Equal((w, h), (image.Width, image.Height));
        var at = new[] { image[w / 4, h / 4], image[3 * w / 4, h / 4], image[w / 4, 3 * h / 4], image[3 * w / 4, 3 * h / 4] };
        for (int q = 0; q < 4; q++)
            DecodeFormatTests.AssertNear(Color(expected[q]), at[q], 12);
    }

    [Fact]
    public void Every_orientation_maps_pixels_bijectively()
    {
        for (int o = 1; o <= 8; o++)
        {
            var seen = new HashSet<(int, int)>();
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 5; x++)
                    Assert.True(seen.Add(OrientStage.Map(o, x, y, 5, 3)), $"orientation {o} maps two pixels to one place");
        }
    }

    private static (byte, byte, byte) Color(char c) => c switch { 'R' => Red, 'G' => Green, 'B' => Blue, _ => Yellow };
}
