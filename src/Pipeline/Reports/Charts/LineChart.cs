// A line chart (several named series over a shared x axis) drawn with SkiaSharp into a PNG: title,
// legend, gridlines, ticked and labelled axes and markers. Used for training curves (loss and validation
// metrics per epoch, one colour per model) and ROC / precision-recall curves. Missing points are simply
// absent from a series. The legend sits in its own band between the title and the plot, never inside the
// plot area: training curves end at their last and best points, which a legend in a corner would cover.
using SkiaSharp;

namespace Pipeline.Reports.Charts;

/// <summary>One named series of (x, y) points.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Points">Points in x order.</param>
/// <param name="ColorIndex">Index into <see cref="ChartStyle.Palette"/>; null = the series' position.</param>
/// <param name="Dashed">Draw the line dashed (e.g. training loss beside the solid validation loss of the same model).</param>
public sealed record LineSeries(string Name, IReadOnlyList<(double X, double Y)> Points, int? ColorIndex = null, bool Dashed = false);

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
    private const float MarginLeft = 62, MarginRight = 18, TitleBand = 32, MarginBottom = 48;
    private const float LegendRowHeight = 18, LegendSwatch = 18, LegendGap = 16;

    /// <summary>Where the plot area and the legend band of <paramref name="spec"/> lie, in layout pixels (the legend never overlaps the plot).</summary>
    public static (SKRect Plot, SKRect Legend) Layout(LineChartSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var text = ChartStyle.TextPaint(11, ChartStyle.Text);
        int rows = LegendRows(spec, text).Count;
        float legendHeight = rows == 0 ? 0 : rows * LegendRowHeight + 6;
        var legend = new SKRect(MarginLeft, TitleBand, spec.Width - MarginRight, TitleBand + legendHeight);
        var plot = new SKRect(MarginLeft, legend.Bottom + 8, spec.Width - MarginRight, spec.Height - MarginBottom);
        return (plot, legend);
    }

    // Legend entries flow left to right and wrap onto further rows within the chart width.
    private static List<List<int>> LegendRows(LineChartSpec spec, SKPaint text)
    {
        var rows = new List<List<int>>();
        float width = spec.Width - MarginLeft - MarginRight, x = width;
        for (int s = 0; s < spec.Series.Count; s++)
        {
            float entry = LegendSwatch + 6 + text.MeasureText(spec.Series[s].Name) + LegendGap;
            if (x + entry > width && (rows.Count == 0 || rows[^1].Count > 0)) { rows.Add([]); x = 0; }
            rows[^1].Add(s);
            x += entry;
        }
        return rows;
    }

    private static SKColor ColorOf(LineSeries series, int position) => ChartStyle.Palette[(series.ColorIndex ?? position) % ChartStyle.Palette.Count];

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

        var (plot, legendBand) = Layout(spec);
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
            var color = ColorOf(spec.Series[s], s);
            var series = spec.Series[s].Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToArray();
            using var line = ChartStyle.StrokePaint(color, 2.2f);
            if (spec.Series[s].Dashed) line.PathEffect = SKPathEffect.CreateDash([7, 4], 0);
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
        DrawLegend(canvas, spec, legendBand);
        return ChartStyle.EncodePng(surface);
    }

    private static void DrawLegend(SKCanvas canvas, LineChartSpec spec, SKRect band)
    {
        if (spec.Series.Count == 0) return;
        using var text = ChartStyle.TextPaint(11, ChartStyle.Text);
        var rows = LegendRows(spec, text);
        for (int r = 0; r < rows.Count; r++)
        {
            float x = band.Left, y = band.Top + 11 + r * LegendRowHeight;
            foreach (int s in rows[r])
            {
                var series = spec.Series[s];
                using var swatch = ChartStyle.StrokePaint(ColorOf(series, s), 3);
                if (series.Dashed) swatch.PathEffect = SKPathEffect.CreateDash([5, 3], 0);
                canvas.DrawLine(x, y - 4, x + LegendSwatch, y - 4, swatch);
                canvas.DrawText(series.Name, x + LegendSwatch + 6, y, text);
                x += LegendSwatch + 6 + text.MeasureText(series.Name) + LegendGap;
            }
        }
    }
}
