// Regression tests for issue 18 on the caption side, with a tiny attention captioner:
//   5. attention maps of extreme aspect ratios (1×1000, 100×3000) have a bounded size;
//   6. --recursive over a folder holding a symlink to itself (or to a parent) captions each image once;
//  11. a map is never written through an existing symlink; inputs with the same display name
//      (dupA/x.png and dupB/x.png, gray.jpg and gray.png) get a map each; .tiff and extension-less files
//      are counted as ignored; --beam is bounded;
//  and (issue 12, item 6) the attention is drawn over the centre crop the model saw, not the whole photo.
using System.Text.Json;
using Pipeline.Batch;
using Pipeline.Captioning;
using Pipeline.Preprocessing.Images;
using Pipeline.Preprocessing.Synthetic;
using Pipeline.Reports;
using Pipeline.Tests.Support;
using SkiaSharp;

namespace Pipeline.Tests.Captioning;

public sealed class CaptionInputSafetyTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("caption-safety").FullName;
    private readonly ImageCaptioner captioner;

    public CaptionInputSafetyTests() => captioner = ImageCaptioner.Load(TinyModelDirectories.WriteCaptioner(Path.Combine(root, "model")));

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static string WritePng(string path, int width, int height, Func<int, int, (byte R, byte G, byte B)>? color = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = color?.Invoke(x, y) ?? ((byte)(x * 7), (byte)(y * 3), (byte)((x + y) % 256));
                rgb[(y * width + x) * 3] = r; rgb[(y * width + x) * 3 + 1] = g; rgb[(y * width + x) * 3 + 2] = b;
            }
        File.WriteAllBytes(path, DeterministicPng.EncodeRgb(rgb, width, height));
        return path;
    }

    private async Task<(BatchSummary Summary, string Output, string Maps)> CaptionAsync(string name, IReadOnlyList<string> inputs, bool recursive = false, int beam = 1)
    {
        string output = Path.Combine(root, name, "captions.jsonl");
        string maps = Path.Combine(root, name, "maps");
        var options = new CaptionBatchOptions(inputs, output, recursive, maps, new CaptionOptions(BeamSize: beam), new BatchOptions(BatchSize: 2, PrepareWorkers: 2, MaxInFlight: 4));
        using var writer = new ResumableResultWriter(output, CaptionBatchJob.KeyColumn);
        using var errors = new ErrorLog(ErrorLog.PathFor(output));
        return (await CaptionBatchJob.RunAsync(captioner, options, writer, errors), output, maps);
    }

    private static IEnumerable<JsonElement> Records(string output) => File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement);

    [Fact]
    public async Task MapsOfExtremeAspectRatiosHaveABoundedSize()
    {
        var thin = WritePng(Path.Combine(root, "extreme", "thin.png"), 1, 1000);
        var tall = WritePng(Path.Combine(root, "extreme", "tall.png"), 100, 3000);

        var (summary, output, _) = await CaptionAsync("extreme-out", [thin, tall]);

        Assert.Equal(2, summary.Completed);
        foreach (var record in Records(output))
        {
            using var map = SKBitmap.Decode(record.GetProperty("attention_map").GetString());
            int words = record.GetProperty("caption").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            // One row of square 128-px thumbnails (×2 for sharpness) per 8 words, whatever the photo's shape.
            Assert.True(map.Width <= 2 * (8 + 8 * 136), $"map is {map.Width} wide");
            Assert.True(map.Height <= 2 * (8 + Math.Max(1, (words + 7) / 8) * 158), $"map is {map.Height} tall for {words} words");
        }
    }

    [Fact]
    public async Task ARecursiveRunOverAFolderCycleCaptionsEachImageOnce()
    {
        if (OperatingSystem.IsWindows()) return;
        var folder = Path.Combine(root, "cycle");
        var images = new[] { WritePng(Path.Combine(folder, "a.png"), 20, 20), WritePng(Path.Combine(folder, "sub", "b.png"), 20, 20) };
        Directory.CreateSymbolicLink(Path.Combine(folder, "self"), ".");
        Directory.CreateSymbolicLink(Path.Combine(folder, "sub", "up"), "..");

        var (summary, output, _) = await CaptionAsync("cycle-out", [folder], recursive: true);

        Assert.Equal(2, summary.Completed);
        Assert.Equal(2, summary.Ignored);   // the two links back, reported
        Assert.Equal(images, Records(output).Select(r => r.GetProperty("image").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AMapIsNeverWrittenThroughAnExistingSymlink()
    {
        if (OperatingSystem.IsWindows()) return;
        var image = WritePng(Path.Combine(root, "link-in", "photo.png"), 20, 20);
        var outside = Path.Combine(root, "precious.txt");
        File.WriteAllText(outside, "outside the maps folder");
        var maps = Directory.CreateDirectory(Path.Combine(root, "link-out", "maps")).FullName;
        var planted = Path.Combine(maps, CaptionBatchJob.AttentionMapName("photo", image) + ".png");
        File.CreateSymbolicLink(planted, outside);

        var (summary, _, _) = await CaptionAsync("link-out", [image]);

        Assert.Equal(1, summary.Completed);
        Assert.Equal("outside the maps folder", File.ReadAllText(outside));
        Assert.Null(new FileInfo(planted).LinkTarget);   // the link itself was replaced by the map
        using var map = SKBitmap.Decode(planted);
        Assert.NotNull(map);
    }

    [Fact]
    public async Task InputsWithTheSameNameGetAMapEach()
    {
        var a = WritePng(Path.Combine(root, "same", "dupA", "x.png"), 20, 20);
        var b = WritePng(Path.Combine(root, "same", "dupB", "x.png"), 20, 20, (x, y) => (200, 10, 10));
        var png = WritePng(Path.Combine(root, "same", "gray.png"), 20, 20, (x, y) => (128, 128, 128));
        var jpg = Path.Combine(root, "same", "gray.jpg");
        using (var bitmap = SKBitmap.Decode(png))
        using (var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90))
            File.WriteAllBytes(jpg, data.ToArray());

        var (summary, output, maps) = await CaptionAsync("same-out", [Path.Combine(root, "same", "dupA"), Path.Combine(root, "same", "dupB"), png, jpg]);

        Assert.Equal(4, summary.Completed);
        var written = Records(output).Select(r => r.GetProperty("attention_map").GetString()).ToList();
        Assert.Equal(4, written.Distinct().Count());
        Assert.Equal(4, Directory.GetFiles(maps, "*.png").Length);
    }

    [Fact]
    public async Task FilesThatAreNotImagesAreCountedAsIgnored()
    {
        var folder = Path.Combine(root, "mixed");
        WritePng(Path.Combine(folder, "photo.png"), 20, 20);
        File.WriteAllBytes(Path.Combine(folder, "scan.tiff"), [0x49, 0x49, 0x2A, 0, 8, 0, 0, 0]);
        File.WriteAllText(Path.Combine(folder, "README"), "no extension");

        var (summary, _, _) = await CaptionAsync("mixed-out", [folder]);

        Assert.Equal(new BatchSummary(1, 0, 0, false) { Ignored = 2 }, summary);
        var listed = CaptionBatchJob.ListInputs([folder], recursive: false);
        Assert.Equal(["README", "scan.tiff"], listed.Ignored.Select(i => Path.GetFileName(i.Path)));
    }

    [Fact]
    public void TheBeamIsBounded()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CaptionOptions(BeamSize: 100_000).Validate());
        Assert.Contains($"between 1 and {CaptionOptions.MaxBeamSize}", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CaptionOptions(MaxLength: 1_000_000).Validate());
        new CaptionOptions(BeamSize: CaptionOptions.MaxBeamSize, TopK: 3).Validate();
    }

    [Fact]
    public void TheOverlayIsDrawnOverTheCentreCropTheModelSaw()
    {
        // 300×100: red | green | blue thirds. The model resizes the shorter side and crops the centre square, i.e. the
        // green third; the overlay's photo must be that square, not the whole image squeezed.
        var photo = WritePng(Path.Combine(root, "wide.png"), 300, 100, (x, y) => x < 100 ? ((byte)220, (byte)0, (byte)0) : x < 200 ? ((byte)0, (byte)220, (byte)0) : ((byte)0, (byte)0, (byte)220));

        using var seen = AttentionOverlay.LoadSeenRegion(photo, captioner.ImageOptions, 64);

        Assert.Equal((64, 64), (seen.Width, seen.Height));
        foreach (var (x, y) in new[] { (2, 2), (61, 2), (32, 32), (2, 61), (61, 61) })
        {
            var pixel = seen.GetPixel(x, y);
            Assert.True(pixel.Green > 150 && pixel.Red < 80 && pixel.Blue < 80, $"pixel ({x},{y}) is {pixel}, outside the green centre");
        }
    }
}
