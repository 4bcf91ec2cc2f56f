// File names derived from image ids and model names stay inside the chosen output folder.
using Pipeline.Reports;

namespace Pipeline.Tests.Reports;

public sealed class SafeOutputPathTests
{
    [Theory]
    [InlineData("../../x")]
    [InlineData("..\\..\\x")]
    [InlineData("/etc/passwd")]
    [InlineData("C:\\Windows\\x")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("a/../../b")]
    [InlineData("~/x")]
    public void HostileNamesStayInsideTheFolder(string name)
    {
        string folder = Path.Combine(Path.GetTempPath(), "safe-out");
        string path = SafeOutputPath.Combine(folder, name, ".png");
        Assert.Equal(Path.GetFullPath(folder), Path.GetDirectoryName(path));
        string file = Path.GetFileName(path);
        Assert.DoesNotContain("..", file);
        Assert.DoesNotContain('/', file);
        Assert.DoesNotContain('\\', file);
        Assert.EndsWith(".png", file);
        Assert.False(file.StartsWith('.'));
    }

    [Fact]
    public void OrdinaryNamesAreKept()
    {
        Assert.Equal("COCO_val2014_000000391895.jpg", SafeOutputPath.SanitizeFileName("COCO_val2014_000000391895.jpg"));
        Assert.Equal("a_b", SafeOutputPath.SanitizeFileName("a b"));
        Assert.Equal(120, SafeOutputPath.SanitizeFileName(new string('x', 500)).Length);
    }

    [Fact]
    public void AttentionPngForAHostileIdIsWrittenInsideTheFolder()
    {
        var folder = Directory.CreateTempSubdirectory("attn-out-");
        try
        {
            string photo = Path.Combine(folder.FullName, "photo.png");
            using (var bitmap = new SkiaSharp.SKBitmap(40, 30))
            using (var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100))
                File.WriteAllBytes(photo, data.ToArray());
            string outFolder = Path.Combine(folder.FullName, "maps");
            string written = AttentionOverlay.WritePng(outFolder, "../../x", photo, ["a"], [[1f, 0f, 0f, 0f]], 2, 2);
            Assert.StartsWith(Path.GetFullPath(outFolder) + Path.DirectorySeparatorChar, written);
            Assert.True(File.Exists(written));
            Assert.False(File.Exists(Path.Combine(folder.FullName, "..", "x.png")));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
