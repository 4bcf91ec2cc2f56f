// The "training curves" section shared by both reports: loss per epoch (train and validation) and
// the validation metric per epoch, as two line charts side by side, plus the learning rate when logged.
using Pipeline.Reports.Charts;

namespace Pipeline.Reports;

/// <summary>Renders training-log charts.</summary>
public static class TrainingCurves
{
    // Two charts side by side fit the report's content width (1200 px page minus padding).
    private const int ChartWidth = 520;

    /// <summary>Loss chart: train loss and (when logged) validation loss per epoch.</summary>
    public static byte[] RenderLossChart(IReadOnlyList<TrainingLogEntry> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var series = new List<LineSeries> { new("train loss", log.Select(e => ((double)e.Epoch, e.TrainLoss)).ToArray()) };
        if (log.Any(e => e.ValidLoss is not null))
            series.Add(new LineSeries("validation loss", log.Where(e => e.ValidLoss is not null).Select(e => ((double)e.Epoch, e.ValidLoss!.Value)).ToArray()));
        return LineChart.RenderPng(new LineChartSpec("Loss", "epoch", "loss", series, ChartWidth));
    }

    /// <summary>Validation-metric chart, or null when the log has no validation metric.</summary>
    public static byte[]? RenderMetricChart(IReadOnlyList<TrainingLogEntry> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var points = log.Where(e => e.ValidMetric is not null).Select(e => ((double)e.Epoch, e.ValidMetric!.Value)).ToArray();
        if (points.Length == 0) return null;
        string? metric = log.Select(e => e.MetricName).LastOrDefault(n => !string.IsNullOrWhiteSpace(n));
        string name = metric is null ? "validation metric" : $"validation {metric}";
        return LineChart.RenderPng(new LineChartSpec(char.ToUpperInvariant(name[0]) + name[1..], "epoch", name, [new LineSeries(name, points)], ChartWidth));
    }

    internal static void AppendSection(HtmlPage page, IReadOnlyList<TrainingLogEntry>? log)
    {
        if (log is null || log.Count == 0) return;
        var best = log.Where(e => e.ValidMetric is not null).MaxBy(e => e.ValidMetric);
        string lead = $"{log.Count} epochs." + (best is null ? string.Empty :
            $" Best validation {best.MetricName ?? "metric"} {HtmlPage.Number(best.ValidMetric!.Value)} at epoch {best.Epoch}.");
        page.Section("Training curves", "training", lead).Raw("<div class=\"charts\">");
        page.Raw(HtmlPage.Image(RenderLossChart(log), "Training and validation loss per epoch", ChartWidth));
        if (RenderMetricChart(log) is { } metric) page.Raw(HtmlPage.Image(metric, "Validation metric per epoch", ChartWidth));
        page.Raw("</div>");
        if (log.Any(e => e.LearningRate is not null))
        {
            var rates = log.Where(e => e.LearningRate is not null).ToArray();
            page.Raw($"<p class=\"lead\" style=\"margin-top:10px\">Learning rate: {HtmlPage.Encode(rates[0].LearningRate!.Value.ToString("G3", System.Globalization.CultureInfo.InvariantCulture))} (epoch {rates[0].Epoch}) → " +
                $"{HtmlPage.Encode(rates[^1].LearningRate!.Value.ToString("G3", System.Globalization.CultureInfo.InvariantCulture))} (epoch {rates[^1].Epoch}).</p>");
        }
        page.EndSection();
    }
}
