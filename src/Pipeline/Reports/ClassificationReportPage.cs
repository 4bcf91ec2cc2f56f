// The classification report page: one metric table with every model side by side (the ML.NET
// baseline included, best value per column in bold; top-k accuracy only when k is below the number of
// classes, where it says something), notes on how results were obtained (the baseline's seed and data),
// ROC and precision-recall curves of every model where AUC is reported (two classes), the training curves
// of every model in shared charts, then per model a confusion-matrix heatmap, the per-class
// precision/recall/F1 table and the most confident mistakes. The first model's details are open; the
// others are collapsed <details> elements, which need no script.
using Pipeline.Evaluation.Classification;
using Pipeline.Reports.Charts;

namespace Pipeline.Reports;

/// <summary>Builds the HTML of the classification report.</summary>
public static class ClassificationReportPage
{
    /// <summary>The complete self-contained HTML document for <paramref name="data"/>.</summary>
    public static string RenderHtml(ClassificationReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Models.Count == 0) throw new ArgumentException("The report needs at least one model.", nameof(data));
        var first = data.Models[0].Report;
        var page = new HtmlPage(data.Title,
            $"Text classification · {data.Models.Count} model(s) · {first.ExampleCount} test examples · {first.Labels.Length} classes", data.Notes);

        AppendComparison(page, data.Models);
        AppendCurves(page, data.Models);
        TrainingCurves.AppendSection(page, data.EffectiveTrainingLogs);

        page.Section("Per-model details", "details", "Confusion matrix (colour: share of the true class; number: count), per-class metrics and the most confident mistakes.");
        for (int m = 0; m < data.Models.Count; m++)
            AppendModelDetails(page, data.Models[m], open: m == 0, data.MistakeCount);
        page.EndSection();
        return page.ToString();
    }

    private static void AppendComparison(HtmlPage page, IReadOnlyList<NamedClassificationReport> models)
    {
        int topK = models[0].Report.TopK;
        // With k ≥ the number of classes every true class is in the top k: "top-2 accuracy 100 %" on two classes says nothing.
        bool showTopK = topK < models[0].Report.Labels.Length;
        bool binary = models.All(m => m.Report.Binary is not null);
        // (header, value, higher is better)
        var columns = new List<(string Header, Func<ClassificationReport, double> Value, bool HigherIsBetter)>
        {
            ("Accuracy", r => r.MicroAccuracy, true),
            ("Macro accuracy", r => r.MacroAccuracy, true),
            ("Macro F1", r => r.MacroF1, true),
            ("Log-loss", r => r.LogLoss, false),
            ("Log-loss reduction", r => r.LogLossReduction, true),
        };
        if (showTopK) columns.Insert(3, ($"Top-{topK} accuracy", r => r.TopKAccuracy, true));
        if (binary)
        {
            columns.Add(("AUC", r => r.Binary!.Auc, true));
            columns.Add(($"F1 ({models[0].Report.Binary!.PositiveLabel})", r => r.Binary!.F1, true));
        }

        page.Section("Model comparison", "comparison", "All models scored by ML.NET's evaluators on the same test set; the best value in each column is bold.");
        var rows = new List<IReadOnlyList<string>>();
        foreach (var model in models)
        {
            var row = new List<string> { HtmlPage.Encode(model.Name) };
            foreach (var column in columns)
            {
                double value = column.Value(model.Report);
                var all = models.Select(m => column.Value(m.Report)).Where(double.IsFinite).ToArray();
                bool best = models.Count > 1 && all.Length > 0 && value == (column.HigherIsBetter ? all.Max() : all.Min());
                string text = column.Header.Contains("loss", StringComparison.OrdinalIgnoreCase) ? HtmlPage.Number(value) : HtmlPage.Percent(value);
                row.Add(best ? $"<b>{text}</b>" : text);
            }
            rows.Add(row);
        }
        page.Table(["Model", .. columns.Select(c => c.Header)], rows, Enumerable.Range(1, columns.Count).ToHashSet());
        foreach (var model in models.Where(m => !string.IsNullOrWhiteSpace(m.Note)))
            page.Raw($"<p class=\"lead note\" style=\"margin-top:10px\"><strong>{HtmlPage.Encode(model.Name)}:</strong> {HtmlPage.Encode(model.Note)}</p>");
        page.EndSection();
    }

    // ROC and precision-recall curves, one series per model, where AUC is reported (two classes).
    private static void AppendCurves(HtmlPage page, IReadOnlyList<NamedClassificationReport> models)
    {
        var withCurves = models.Select((m, i) => (Model: m, Color: i)).Where(m => m.Model.Report.Binary?.RocCurve is { Count: > 1 }).ToList();
        if (withCurves.Count == 0) return;
        string positive = withCurves[0].Model.Report.Binary!.PositiveLabel;
        page.Section("ROC and precision-recall curves", "curves",
            $"Positive class “{positive}”. Each point is one probability threshold; AUC is the area under the ROC curve, AUPRC under the precision-recall curve.");
        var roc = withCurves.Select(m => new LineSeries($"{m.Model.Name} (AUC {HtmlPage.Number(m.Model.Report.Binary!.Auc, 3)})",
            m.Model.Report.Binary!.RocCurve!.Select(p => (p.X, p.Y)).ToArray(), m.Color)).ToList();
        roc.Add(new LineSeries("chance", [(0, 0), (1, 1)], ChartStyle.Palette.Count - 1, Dashed: true));
        var pr = withCurves.Where(m => m.Model.Report.Binary!.PrecisionRecallCurve is { Count: > 1 })
            .Select(m => new LineSeries($"{m.Model.Name} (AUPRC {HtmlPage.Number(m.Model.Report.Binary!.AreaUnderPrecisionRecallCurve, 3)})",
                m.Model.Report.Binary!.PrecisionRecallCurve!.Select(p => (p.X, p.Y)).ToArray(), m.Color)).ToList();
        page.Raw("<div class=\"charts\">");
        string rocText = $"ROC curve (true-positive rate against false-positive rate) of {string.Join(", ", withCurves.Select(m => m.Model.Name))}";
        page.Raw("<figure class=\"chart\">").Raw(HtmlPage.Image(LineChart.RenderPng(new LineChartSpec("ROC curve", "false-positive rate", "true-positive rate", roc, CurveWidth, CurveWidth - 40, IntegerX: false)), rocText, CurveWidth))
            .Raw($"<figcaption>{HtmlPage.Encode(rocText)}</figcaption></figure>");
        if (pr.Count > 0)
        {
            string prText = $"Precision-recall curve of {string.Join(", ", withCurves.Select(m => m.Model.Name))}";
            page.Raw("<figure class=\"chart\">").Raw(HtmlPage.Image(LineChart.RenderPng(new LineChartSpec("Precision-recall curve", "recall", "precision", pr, CurveWidth, CurveWidth - 40, IntegerX: false)), prText, CurveWidth))
                .Raw($"<figcaption>{HtmlPage.Encode(prText)}</figcaption></figure>");
        }
        page.Raw("</div>").EndSection();
    }

    private const int CurveWidth = 520;

    private static void AppendModelDetails(HtmlPage page, NamedClassificationReport model, bool open, int mistakeCount)
    {
        var report = model.Report;
        page.Raw(open ? "<details open>" : "<details>")
            .Raw($"<summary>{HtmlPage.Encode(model.Name)} <span class=\"tag\">accuracy {HtmlPage.Percent(report.MicroAccuracy)} · macro F1 {HtmlPage.Percent(report.MacroF1)}</span></summary>");
        var counts = report.ConfusionMatrix.Counts.Select(r => (IReadOnlyList<int>)r).ToArray();
        var (png, width, _) = ConfusionHeatmap.RenderPng(report.ConfusionMatrix.Labels, counts, $"Confusion matrix — {model.Name}");
        page.Raw("<div class=\"split\"><div class=\"heatmap\">").Raw(HtmlPage.Image(png, $"Confusion matrix of {model.Name}", width)).Raw("</div><div>");
        page.Raw("<h3>Per-class metrics</h3>");
        page.Table(["Class", "Precision", "Recall", "F1", "Support"],
            report.PerClass.Select(c => (IReadOnlyList<string>)[HtmlPage.Encode(c.Label), HtmlPage.Percent(c.Precision), HtmlPage.Percent(c.Recall), HtmlPage.Percent(c.F1), c.Support.ToString(System.Globalization.CultureInfo.InvariantCulture)]),
            new HashSet<int> { 1, 2, 3, 4 });
        if (report.Binary is { } b)
        {
            page.Raw($"<p class=\"lead\" style=\"margin-top:10px\">Binary (positive class “{HtmlPage.Encode(b.PositiveLabel)}”): AUC {HtmlPage.Number(b.Auc, 3)}, " +
                $"AUPRC {HtmlPage.Number(b.AreaUnderPrecisionRecallCurve, 3)}, precision {HtmlPage.Percent(b.PositivePrecision)}, recall {HtmlPage.Percent(b.PositiveRecall)}.</p>");
        }
        page.Raw("</div></div>");

        page.Raw("<h3>Most confident mistakes</h3>");
        var mistakes = report.ConfidentMistakes.Take(Math.Max(0, mistakeCount)).ToArray();
        if (mistakes.Length == 0)
        {
            page.Raw("<p class=\"empty\">No mistakes.</p>");
        }
        else
        {
            page.Table(["Id", "Text", "True", "Predicted", "Confidence"],
                mistakes.Select(m => (IReadOnlyList<string>)[
                    HtmlPage.Encode(m.Id),
                    $"<span class=\"text\">{HtmlPage.Encode(Shorten(m.Text, 240))}</span>",
                    $"<span class=\"pill true\">{HtmlPage.Encode(m.TrueLabel)}</span>",
                    $"<span class=\"pill pred\">{HtmlPage.Encode(m.PredictedLabel)}</span>",
                    HtmlPage.Percent(m.Confidence)]),
                new HashSet<int> { 4 });
        }
        page.Raw("</details>\n");
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
