// Confusion-matrix heatmap drawn with SkiaSharp into a PNG. Cells are coloured by the row-normalised
// value (the share of a true class that went to each prediction), so a rare class's errors are as
// visible as a frequent one's; the raw count is printed in each cell when the cell is big enough.
using System.Globalization;
using SkiaSharp;

namespace Pipeline.Reports.Charts;

/// <summary>Renders a confusion matrix as a labelled heatmap PNG.</summary>
public static class ConfusionHeatmap
{
    private const float MinCell = 14, MaxCell = 64, TargetGrid = 440;

    /// <summary>
    /// Renders the heatmap (twice the returned layout size, for sharp display).
    /// </summary>
    /// <param name="labels">Class names (rows: true class, columns: predicted class).</param>
    /// <param name="counts">counts[true][predicted].</param>
    /// <param name="title">Chart title.</param>
    /// <returns>PNG bytes and the layout size in CSS pixels.</returns>
    public static (byte[] Png, int Width, int Height) RenderPng(IReadOnlyList<string> labels, IReadOnlyList<IReadOnlyList<int>> counts, string title)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(counts);
        int k = labels.Count;
        if (counts.Count != k || counts.Any(r => r.Count != k))
            throw new ArgumentException($"The confusion matrix must be {k}×{k} to match the labels.", nameof(counts));

        float cell = Math.Clamp(TargetGrid / Math.Max(1, k), MinCell, MaxCell);
        float labelSize = Math.Clamp(cell * 0.34f, 8, 12);
        using var labelPaint = ChartStyle.TextPaint(labelSize, ChartStyle.Text);
        string[] shown = labels.Select(l => Shorten(l, 22)).ToArray();
        float labelWidth = shown.Length == 0 ? 0 : shown.Max(l => labelPaint.MeasureText(l));
        // Column labels are rotated 45°, so they need about 0.72 × their width of height.
        float left = 34 + labelWidth + 10, top = 44;
        float gridSize = cell * k;
        float bottom = labelWidth * 0.72f + 44;
        int width = (int)Math.Ceiling(left + gridSize + 70);
        int height = (int)Math.Ceiling(top + gridSize + bottom);

        using var surface = SKSurface.Create(new SKImageInfo((int)(width * ChartStyle.Scale), (int)(height * ChartStyle.Scale)));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        canvas.Scale(ChartStyle.Scale);
        using var titlePaint = ChartStyle.TextPaint(14, ChartStyle.Text, bold: true);
        canvas.DrawText(title, 12, 22, titlePaint);

        using var countDark = ChartStyle.TextPaint(Math.Clamp(cell * 0.3f, 8, 13), ChartStyle.Text);
        using var countLight = ChartStyle.TextPaint(Math.Clamp(cell * 0.3f, 8, 13), SKColors.White);
        countDark.TextAlign = countLight.TextAlign = SKTextAlign.Center;
        using var separator = ChartStyle.StrokePaint(SKColors.White, 1);
        for (int t = 0; t < k; t++)
        {
            int rowTotal = counts[t].Sum();
            for (int p = 0; p < k; p++)
            {
                double share = rowTotal == 0 ? 0 : (double)counts[t][p] / rowTotal;
                var color = ChartStyle.Blues(share);
                var rect = new SKRect(left + p * cell, top + t * cell, left + (p + 1) * cell, top + (t + 1) * cell);
                using var fill = new SKPaint { Color = color };
                canvas.DrawRect(rect, fill);
                canvas.DrawRect(rect, separator);
                if (cell >= 22)
                {
                    var paint = ChartStyle.NeedsLightText(color) ? countLight : countDark;
                    canvas.DrawText(counts[t][p].ToString(CultureInfo.InvariantCulture), rect.MidX, rect.MidY + paint.TextSize * 0.36f, paint);
                }
            }
        }

        labelPaint.TextAlign = SKTextAlign.Right;
        for (int i = 0; i < k; i++)
        {
            canvas.DrawText(shown[i], left - 6, top + (i + 0.5f) * cell + labelSize * 0.36f, labelPaint);
            canvas.Save();
            canvas.RotateDegrees(-45, left + (i + 0.5f) * cell, top + gridSize + 8);
            canvas.DrawText(shown[i], left + (i + 0.5f) * cell, top + gridSize + 8 + labelSize * 0.36f, labelPaint);
            canvas.Restore();
        }

        using var axisPaint = ChartStyle.TextPaint(11.5f, ChartStyle.MutedText, bold: true);
        axisPaint.TextAlign = SKTextAlign.Center;
        canvas.DrawText("Predicted", left + gridSize / 2, height - 10, axisPaint);
        canvas.Save();
        canvas.RotateDegrees(-90, 16, top + gridSize / 2);
        canvas.DrawText("True", 16, top + gridSize / 2 + 4, axisPaint);
        canvas.Restore();
        DrawColorBar(canvas, left + gridSize + 18, top, Math.Max(gridSize, 60));
        return (ChartStyle.EncodePng(surface), width, height);
    }

    private static void DrawColorBar(SKCanvas canvas, float x, float top, float length)
    {
        const int steps = 64;
        for (int i = 0; i < steps; i++)
        {
            using var fill = new SKPaint { Color = ChartStyle.Blues(1 - (double)i / (steps - 1)) };
            canvas.DrawRect(new SKRect(x, top + i * length / steps, x + 10, top + (i + 1) * length / steps + 0.5f), fill);
        }
        using var text = ChartStyle.TextPaint(9.5f, ChartStyle.MutedText);
        canvas.DrawText("100%", x + 13, top + 8, text);
        canvas.DrawText("0%", x + 13, top + length, text);
        canvas.Save();
        canvas.RotateDegrees(90, x + 28, top + length / 2);
        text.TextAlign = SKTextAlign.Center;
        canvas.DrawText("share of row", x + 28, top + length / 2, text);
        canvas.Restore();
    }

    private static string Shorten(string label, int max) => label.Length <= max ? label : label[..(max - 1)] + "…";
}
