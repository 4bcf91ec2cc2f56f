// A line chart (several named series over a shared x axis) drawn with SkiaSharp into a PNG: title,
// gridlines, ticked and labelled axes, markers and a legend. Used for training curves (loss and
// validation metric per epoch). Missing points are simply absent from a series.
using SkiaSharp;

namespace Pipeline.Reports.Charts;

/// <summary>One named series of (x, y) points.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Points">Points in x order.</param>
public sealed record LineSeries(string Name, IReadOnlyList<(double X, double Y)> Points);

/// <summary>What to draw: title, axis labels, series and the layout size in CSS pixels.</summary>
/// <param name="Title">Chart title.</param>
/// <param name="XLabel">x-axis label.</param>
/// <param name="YLabel">y-axis label.</param>
/// <param name="Series">Series, coloured from <see cref="ChartStyle.Palette"/> in order.</param>
/// <param name="Width">Layout width (the PNG is <see cref="ChartStyle"/>'s scale times larger).</param>
/// <param name="Height">Layout height.</param>
/// <param name="IntegerX">Whether x ticks must be whole numbers (epochs).</param>
public sealed record LineChartSpec(
    string Title, string XLabel, string YLabel, IReadOnlyList<LineSeries> Series,
    int Width = 560, int Height = 320, bool IntegerX = true);

/// <summary>Renders <see cref="LineChartSpec"/> to PNG.</summary>
public static class LineChart
{
    private const float MarginLeft = 62, MarginRight = 18, MarginTop = 40, MarginBottom = 48;

    /// <summary>Renders the chart; the PNG is twice the layout size for sharp display.</summary>
    public static byte[] RenderPng(LineChartSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var points = spec.Series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToArray();
        var xTicks = points.Length == 0 ? AxisTicks.For(0, 1) : AxisTicks.For(points.Min(p => p.X), points.Max(p => p.X), 6, spec.IntegerX);
        var yTicks = points.Length == 0 ? AxisTicks.For(0, 1) : AxisTicks.For(points.Min(p => p.Y), points.Max(p => p.Y), 5);

        var info = new SKImageInfo((int)(spec.Width * ChartStyle.Scale), (int)(spec.Height * ChartStyle.Scale));
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        canvas.Scale(ChartStyle.Scale);

        var plot = new SKRect(MarginLeft, MarginTop, spec.Width - MarginRight, spec.Height - MarginBottom);
        float X(double x) => plot.Left + (float)((x - xTicks.Min) / (xTicks.Max - xTicks.Min)) * plot.Width;
        float Y(double y) => plot.Bottom - (float)((y - yTicks.Min) / (yTicks.Max - yTicks.Min)) * plot.Height;

        using var title = ChartStyle.TextPaint(14, ChartStyle.Text, bold: true);
        using var label = ChartStyle.TextPaint(11.5f, ChartStyle.MutedText);
        using var tick = ChartStyle.TextPaint(10.5f, ChartStyle.MutedText);
        using var grid = ChartStyle.StrokePaint(ChartStyle.Grid, 1);
        using var axis = ChartStyle.StrokePaint(ChartStyle.Axis, 1);

        canvas.DrawText(spec.Title, plot.Left, 22, title);

        // Gridlines and tick labels: horizontal lines at every y tick, vertical at every x tick.
        tick.TextAlign = SKTextAlign.Right;
        foreach (double v in yTicks.Values)
        {
            canvas.DrawLine(plot.Left, Y(v), plot.Right, Y(v), grid);
            canvas.DrawText(yTicks.Format(v), plot.Left - 7, Y(v) + 3.5f, tick);
        }
        tick.TextAlign = SKTextAlign.Center;
        foreach (double v in xTicks.Values)
        {
            canvas.DrawLine(X(v), plot.Top, X(v), plot.Bottom, grid);
            canvas.DrawLine(X(v), plot.Bottom, X(v), plot.Bottom + 4, axis);
            canvas.DrawText(xTicks.Format(v), X(v), plot.Bottom + 16, tick);
        }
        canvas.DrawLine(plot.Left, plot.Bottom, plot.Right, plot.Bottom, axis);
        canvas.DrawLine(plot.Left, plot.Top, plot.Left, plot.Bottom, axis);

        label.TextAlign = SKTextAlign.Center;
        canvas.DrawText(spec.XLabel, plot.MidX, spec.Height - 10, label);
        canvas.Save();
        canvas.RotateDegrees(-90, 14, plot.MidY);
        canvas.DrawText(spec.YLabel, 14, plot.MidY + 4, label);
        canvas.Restore();

        for (int s = 0; s < spec.Series.Count; s++)
        {
            var color = ChartStyle.Palette[s % ChartStyle.Palette.Count];
            var series = spec.Series[s].Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToArray();
            using var line = ChartStyle.StrokePaint(color, 2.2f);
            using var path = new SKPath();
            for (int i = 0; i < series.Length; i++)
            {
                if (i == 0) path.MoveTo(X(series[i].X), Y(series[i].Y));
                else path.LineTo(X(series[i].X), Y(series[i].Y));
            }
            canvas.DrawPath(path, line);
            // Markers only while they do not crowd the line.
            if (series.Length <= 40)
            {
                using var fill = new SKPaint { Color = color, IsAntialias = true };
                using var ring = ChartStyle.StrokePaint(SKColors.White, 1.2f);
                foreach (var p in series)
                {
                    canvas.DrawCircle(X(p.X), Y(p.Y), 3.2f, fill);
                    canvas.DrawCircle(X(p.X), Y(p.Y), 3.2f, ring);
                }
            }
        }
        DrawLegend(canvas, spec.Series, plot);
        return ChartStyle.EncodePng(surface);
    }

    private static void DrawLegend(SKCanvas canvas, IReadOnlyList<LineSeries> series, SKRect plot)
    {
        if (series.Count == 0) return;
        using var text = ChartStyle.TextPaint(11, ChartStyle.Text);
        float width = series.Max(s => text.MeasureText(s.Name)) + 34;
        float height = series.Count * 18 + 8;
        var box = new SKRect(plot.Right - width - 8, plot.Top + 8, plot.Right - 8, plot.Top + 8 + height);
        using var background = new SKPaint { Color = SKColors.White.WithAlpha(235), IsAntialias = true };
        using var border = ChartStyle.StrokePaint(ChartStyle.Grid, 1);
        canvas.DrawRoundRect(box, 4, 4, background);
        canvas.DrawRoundRect(box, 4, 4, border);
        for (int s = 0; s < series.Count; s++)
        {
            float y = box.Top + 13 + s * 18;
            using var swatch = ChartStyle.StrokePaint(ChartStyle.Palette[s % ChartStyle.Palette.Count], 3);
            canvas.DrawLine(box.Left + 8, y, box.Left + 24, y, swatch);
            canvas.DrawText(series[s].Name, box.Left + 30, y + 4, text);
        }
    }
}
