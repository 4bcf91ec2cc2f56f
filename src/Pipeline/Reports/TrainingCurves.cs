// The "training curves" section shared by both reports, drawn from the trainers' metrics.jsonl logs:
//   loss per epoch             train (dashed) and validation (solid) loss, one colour per model
//   validation <metric>        the metric early stopping watched, named ("validation BLEU-4", "validation accuracy")
//   other validation metrics   every other valid_* field of the log (BLEU-1..3, CIDEr-D, macro-F1, ...): one chart
//                              for the scores in [0, 1] and one per unbounded score (CIDEr-D) with one model;
//                              one chart per metric, a series per model, with several models
//   learning rate              when it changed during training
// Several models (TextCNN and BiLSTM in one classification report) share every chart, so their curves
// can be compared directly. Each chart is a <figure> whose alt text and caption name what it shows.
using System.Globalization;
using Pipeline.Reports.Charts;

namespace Pipeline.Reports;

/// <summary>Renders training-log charts.</summary>
public static class TrainingCurves
{
    // Two charts side by side fit the report's content width (1200 px page minus padding).
    private const int ChartWidth = 520;

    // Log fields that describe the data or the run rather than the model's quality.
    private static readonly string[] NotMetrics = ["padding_ratio", "seconds", "items_per_s"];

    private static readonly Dictionary<string, string> DisplayNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["bleu_1"] = "BLEU-1", ["bleu_2"] = "BLEU-2", ["bleu_3"] = "BLEU-3", ["bleu_4"] = "BLEU-4",
        ["meteor_es"] = "METEOR-es", ["rouge_l"] = "ROUGE-L", ["cider_d"] = "CIDEr-D", ["cider"] = "CIDEr",
        ["accuracy"] = "accuracy", ["macro_f1"] = "macro-F1", ["micro_f1"] = "micro-F1", ["f1"] = "F1", ["auc"] = "AUC",
        ["loss"] = "loss", ["log_loss"] = "log-loss",
    };

    /// <summary>The display name of a log metric key ("bleu_4" → "BLEU-4", "macro_f1" → "macro-F1"); unknown keys get spaces for underscores.</summary>
    public static string DisplayName(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return DisplayNames.TryGetValue(key, out var name) ? name : key.Replace('_', ' ');
    }

    /// <summary>
    /// The name of the log's validation metric: <see cref="TrainingLogEntry.MetricName"/> when logged, otherwise the
    /// valid_* field whose value equals valid_metric in every epoch (trainers log the watched metric under both names);
    /// null when neither tells.
    /// </summary>
    public static string? ValidationMetricName(IReadOnlyList<TrainingLogEntry> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (log.Select(e => e.MetricName).LastOrDefault(n => !string.IsNullOrWhiteSpace(n)) is { } named) return named;
        var withMetric = log.Where(e => e.ValidMetric is not null).ToArray();
        if (withMetric.Length == 0) return null;
        var candidates = withMetric[0].Extra.Keys.Where(k => k.StartsWith("valid_", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        foreach (var key in candidates)
            if (withMetric.All(e => e.Extra.TryGetValue(key, out var v) && v == e.ValidMetric!.Value))
                return DisplayName(key["valid_".Length..]);
        return null;
    }

    /// <summary>Loss chart: train loss and (when logged) validation loss per epoch.</summary>
    public static byte[] RenderLossChart(IReadOnlyList<TrainingLogEntry> log) => RenderLossChart([new NamedTrainingLog("", log)]);

    /// <summary>Loss chart of several models: per model its train loss (dashed) and validation loss (solid) in one colour.</summary>
    public static byte[] RenderLossChart(IReadOnlyList<NamedTrainingLog> logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        var series = new List<LineSeries>();
        for (int m = 0; m < logs.Count; m++)
        {
            var log = logs[m].Entries;
            series.Add(new LineSeries(Label(logs[m].Name, "train loss"), log.Select(e => ((double)e.Epoch, e.TrainLoss)).ToArray(), m, Dashed: true));
            if (log.Any(e => e.ValidLoss is not null))
                series.Add(new LineSeries(Label(logs[m].Name, "validation loss"), log.Where(e => e.ValidLoss is not null).Select(e => ((double)e.Epoch, e.ValidLoss!.Value)).ToArray(), m));
        }
        return LineChart.RenderPng(new LineChartSpec("Loss", "epoch", "loss", series, ChartWidth));
    }

    /// <summary>Validation-metric chart, or null when the log has no validation metric.</summary>
    public static byte[]? RenderMetricChart(IReadOnlyList<TrainingLogEntry> log) => RenderMetricChart([new NamedTrainingLog("", log)]);

    /// <summary>Validation-metric chart of several models (one series each), or null when no log has a validation metric.</summary>
    public static byte[]? RenderMetricChart(IReadOnlyList<NamedTrainingLog> logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        string name = ValidationAxis(logs);
        var series = logs.Select((l, m) => new LineSeries(Label(l.Name, name), l.Entries.Where(e => e.ValidMetric is not null).Select(e => ((double)e.Epoch, e.ValidMetric!.Value)).ToArray(), m))
            .Where(s => s.Points.Count > 0).ToList();
        if (series.Count == 0) return null;
        return LineChart.RenderPng(new LineChartSpec(Capitalize(name), "epoch", name, series, ChartWidth));
    }

    /// <summary>"validation BLEU-4" when every log names the same metric, else "validation metric".</summary>
    private static string ValidationAxis(IReadOnlyList<NamedTrainingLog> logs)
    {
        var names = logs.Select(l => ValidationMetricName(l.Entries)).Where(n => n is not null).Distinct(StringComparer.Ordinal).ToArray();
        return names.Length == 1 ? $"validation {names[0]}" : "validation metric";
    }

    /// <summary>The charts of the section: (PNG, description) in display order.</summary>
    public static IReadOnlyList<(byte[] Png, string Description)> RenderCharts(IReadOnlyList<NamedTrainingLog> logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        logs = logs.Where(l => l.Entries.Count > 0).ToArray();
        var charts = new List<(byte[], string)>();
        if (logs.Count == 0) return charts;
        // One model: its name in every legend entry would only repeat the report's header.
        if (logs.Count == 1) logs = [logs[0] with { Name = "" }];
        string models = logs.Count > 1 ? $" of {string.Join(", ", logs.Select(l => l.Name))}" : "";
        charts.Add((RenderLossChart(logs), $"Training and validation loss per epoch{models}"));
        if (RenderMetricChart(logs) is { } metric) charts.Add((metric, $"{Capitalize(ValidationAxis(logs))} per epoch{models}"));
        charts.AddRange(RenderOtherMetricCharts(logs, models));
        if (RenderLearningRateChart(logs) is { } rate) charts.Add((rate, $"Learning rate per epoch{models}"));
        return charts;
    }

    // Every valid_* field other than the watched metric and the loss, as (key, display name), in log order.
    private static List<(string Key, string Name)> OtherMetrics(IReadOnlyList<NamedTrainingLog> logs)
    {
        var result = new List<(string, string)>();
        foreach (var log in logs)
        {
            string? watched = ValidationMetricName(log.Entries);
            foreach (var key in log.Entries.SelectMany(e => e.Extra.Keys).Distinct(StringComparer.Ordinal))
            {
                if (!key.StartsWith("valid_", StringComparison.Ordinal)) continue;
                string bare = key["valid_".Length..];
                if (NotMetrics.Contains(bare) || DisplayName(bare) == watched || result.Any(r => r.Item1 == key)) continue;
                result.Add((key, DisplayName(bare)));
            }
        }
        return result;
    }

    private static IEnumerable<(byte[], string)> RenderOtherMetricCharts(IReadOnlyList<NamedTrainingLog> logs, string models)
    {
        var metrics = OtherMetrics(logs);
        if (metrics.Count == 0) yield break;
        LineSeries Series(NamedTrainingLog log, string key, string name, int color, bool withModel) => new(
            withModel ? Label(log.Name, name) : name,
            log.Entries.Where(e => e.Extra.ContainsKey(key)).Select(e => ((double)e.Epoch, e.Extra[key])).ToArray(), color);
        if (logs.Count > 1)
        {
            // One chart per metric, one colour per model (the same colours as the loss chart).
            foreach (var (key, name) in metrics)
            {
                var series = logs.Select((l, m) => Series(l, key, name, m, withModel: true)).Where(s => s.Points.Count > 0).ToList();
                yield return (LineChart.RenderPng(new LineChartSpec(Capitalize($"validation {name}"), "epoch", name, series, ChartWidth)), $"Validation {name} per epoch{models}");
            }
            yield break;
        }
        // One model: the scores in [0, 1] share a chart, each unbounded score (CIDEr-D) gets its own scale.
        var log = logs[0];
        bool Bounded(string key) => log.Entries.All(e => !e.Extra.TryGetValue(key, out var v) || v is >= 0 and <= 1);
        var bounded = metrics.Where(m => Bounded(m.Key)).ToList();
        if (bounded.Count > 0)
        {
            var series = bounded.Select((m, i) => Series(log, m.Key, m.Name, i + 1, withModel: false)).ToList();
            string names = string.Join(", ", bounded.Select(m => m.Name));
            yield return (LineChart.RenderPng(new LineChartSpec("Other validation metrics", "epoch", "score", series, ChartWidth)), $"Validation {names} per epoch");
        }
        foreach (var (key, name) in metrics.Where(m => !Bounded(m.Key)))
            yield return (LineChart.RenderPng(new LineChartSpec(Capitalize($"validation {name}"), "epoch", name, [Series(log, key, name, 1, withModel: false)], ChartWidth)), $"Validation {name} per epoch");
    }

    private static byte[]? RenderLearningRateChart(IReadOnlyList<NamedTrainingLog> logs)
    {
        var series = logs.Select((l, m) => new LineSeries(Label(l.Name, "learning rate"), l.Entries.Where(e => e.LearningRate is not null).Select(e => ((double)e.Epoch, e.LearningRate!.Value)).ToArray(), m))
            .Where(s => s.Points.Count > 0).ToList();
        // A constant rate says nothing a sentence cannot.
        if (series.All(s => s.Points.Select(p => p.Y).Distinct().Count() < 2)) return null;
        return LineChart.RenderPng(new LineChartSpec("Learning rate", "epoch", "learning rate", series, ChartWidth));
    }

    internal static void AppendSection(HtmlPage page, IReadOnlyList<TrainingLogEntry>? log) =>
        AppendSection(page, log is null ? [] : [new NamedTrainingLog("", log)]);

    internal static void AppendSection(HtmlPage page, IReadOnlyList<NamedTrainingLog> logs)
    {
        logs = logs.Where(l => l.Entries.Count > 0).ToArray();
        if (logs.Count == 0) return;
        var leads = logs.Select(l =>
        {
            var best = l.Entries.Where(e => e.ValidMetric is not null).MaxBy(e => e.ValidMetric);
            string who = string.IsNullOrEmpty(l.Name) ? "" : $"{l.Name}: ";
            return $"{who}{l.Entries.Count} epochs." + (best is null ? string.Empty :
                $" Best validation {ValidationMetricName(l.Entries) ?? "metric"} {HtmlPage.Number(best.ValidMetric!.Value)} at epoch {best.Epoch}.");
        });
        page.Section("Training curves", "training", string.Join(" ", leads)).Raw("<div class=\"charts\">");
        foreach (var (png, description) in RenderCharts(logs))
            page.Raw("<figure class=\"chart\">").Raw(HtmlPage.Image(png, description, ChartWidth)).Raw($"<figcaption>{HtmlPage.Encode(description)}</figcaption></figure>");
        page.Raw("</div>");
        foreach (var log in logs)
        {
            var rates = log.Entries.Where(e => e.LearningRate is not null).ToArray();
            if (rates.Length == 0) continue;
            string who = string.IsNullOrEmpty(log.Name) ? "Learning rate" : $"Learning rate of {log.Name}";
            page.Raw($"<p class=\"lead\" style=\"margin-top:10px\">{HtmlPage.Encode(who)}: {HtmlPage.Encode(rates[0].LearningRate!.Value.ToString("G3", CultureInfo.InvariantCulture))} (epoch {rates[0].Epoch}) → " +
                $"{HtmlPage.Encode(rates[^1].LearningRate!.Value.ToString("G3", CultureInfo.InvariantCulture))} (epoch {rates[^1].Epoch}).</p>");
        }
        page.EndSection();
    }

    private static string Label(string model, string what) => string.IsNullOrEmpty(model) ? what : $"{model} {what}";

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
