// Axis ticks, bilinear upsampling of attention grids, and that the charts render to PNGs of the
// documented size (twice the layout size) with the expected pixels in known places.
using Pipeline.Reports;
using Pipeline.Reports.Charts;
using SkiaSharp;

namespace Pipeline.Tests.Reports;

public sealed class ChartTests
{
    [Fact]
    public void TicksAreNiceAndCoverTheData()
    {
        var ticks = AxisTicks.For(0.37, 2.41);
        Assert.Equal(0.5, ticks.Step);
        Assert.Equal([0.0, 0.5, 1.0, 1.5, 2.0, 2.5], ticks.Values);
        Assert.Equal("1.5", ticks.Format(1.5));
        var epochs = AxisTicks.For(1, 3, 6, integerSteps: true);
        Assert.Equal(1, epochs.Step);
        Assert.Equal("2", epochs.Format(2));
        var flat = AxisTicks.For(0.5, 0.5);
        Assert.True(flat.Min < 0.5 && flat.Max > 0.5);
    }

    [Fact]
    public void UpsampleOfTwoByTwoMatchesHandInterpolation()
    {
        // Grid [[0, 1], [2, 3]] to 4×4: output pixel x has grid coordinate clamp((x+.5)·2/4 − .5) =
        // 0, .25, .75, 1 for x = 0..3 (same for y). Row 0 (gy = 0): 0, .25, .75, 1.
        // Row 1 (gy = .25): top row + .25·(2 − 0) = .5, .75, 1.25, 1.5.
        float[] up = AttentionOverlay.Upsample([0f, 1f, 2f, 3f], 2, 2, 4, 4);
        Assert.Equal([0f, 0.25f, 0.75f, 1f], up[..4]);
        Assert.Equal([0.5f, 0.75f, 1.25f, 1.5f], up[4..8]);
        Assert.Equal(3f, up[15]);
        // A 1×1 grid upsamples to a constant.
        Assert.All(AttentionOverlay.Upsample([0.7f], 1, 1, 3, 5), v => Assert.Equal(0.7f, v));
    }

    [Fact]
    public void LineChartHasTheScaledSize()
    {
        byte[] png = LineChart.RenderPng(new LineChartSpec("Loss", "epoch", "loss",
            [new LineSeries("train", [(1, 2.0), (2, 1.0), (3, 0.5)])], Width: 300, Height: 200));
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((600, 400), (bitmap.Width, bitmap.Height));
    }

    [Fact]
    public void HeatmapDiagonalIsDarkerThanEmptyCells()
    {
        var (png, width, height) = ConfusionHeatmap.RenderPng(["a", "b"], [[9, 1], [0, 10]], "cm");
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal(((int)(width * 2f), (int)(height * 2f)), (bitmap.Width, bitmap.Height));
        Assert.Throws<ArgumentException>(() => ConfusionHeatmap.RenderPng(["a", "b"], [[1, 2]], "bad"));
    }

    [Fact]
    public void AttentionStripPutsTheHeatWhereTheWeightIs()
    {
        using var photo = new SKBitmap(new SKImageInfo(100, 100));
        photo.Erase(SKColors.Gray);
        // All weight in the top-left cell of a 2×2 grid: top-left of the thumbnail must be hot (red
        // channel up), the bottom-right cold (blue dominant).
        var thumbs = AttentionOverlay.RenderThumbnails(photo, ["cat"], [[1f, 0f, 0f, 0f]], 2, 2, new AttentionOverlayOptions(ThumbnailWidth: 50));
        using var thumb = SKBitmap.Decode(thumbs[0]);
        Assert.Equal((100, 100), (thumb.Width, thumb.Height));
        var hot = thumb.GetPixel(5, 5);
        var cold = thumb.GetPixel(95, 95);
        Assert.True(hot.Red > hot.Blue + 40, $"hot pixel {hot}");
        Assert.True(cold.Blue > cold.Red, $"cold pixel {cold}");
        byte[] strip = AttentionOverlay.Render(photo, ["a", "cat"], [[1f, 0f, 0f, 0f], [0f, 0f, 0f, 1f]], 2, 2);
        using var stripBitmap = SKBitmap.Decode(strip);
        Assert.True(stripBitmap.Width > stripBitmap.Height);
        var ex = Assert.Throws<ArgumentException>(() => AttentionOverlay.Render(photo, ["a"], [[1f, 0f]], 2, 2));
        Assert.Contains("expected 2×2", ex.Message);
    }

    [Fact]
    public void MissingImageFileIsNamed()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => AttentionOverlay.Render("/nonexistent/photo.jpg", ["a"], [[1f]], 1, 1));
        Assert.Contains("/nonexistent/photo.jpg", ex.Message);
    }
}
