// Issue 16's report fixes, each checked on the rendered chart pixels or the written HTML: the legend sits
// outside the plot, so the last (best) point is visible; the validation axis names its metric; the other
// per-epoch metrics are plotted; the captioning report tables every caption; "Top-k accuracy" only when k
// is below the number of classes; ROC and precision-recall charts where AUC is reported; several models'
// training curves in shared charts; and a note when the ML.NET baseline comes from a different run.
using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Pipeline.Classification;
using Pipeline.Evaluation;
using Pipeline.Evaluation.Classification;
using Pipeline.Reports;
using Pipeline.Reports.Charts;
using SkiaSharp;

namespace Pipeline.Tests.Reports;

public sealed partial class ReportContentTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("report-content-");

    public void Dispose() => _folder.Delete(recursive: true);

    [GeneratedRegex("<img [^>]*alt=\"([^\"]*)\"")]
    private static partial Regex ImageAlt();

    private static string[] Alts(string html) => ImageAlt().Matches(html).Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).ToArray();

    private static string Section(string html, string id)
    {
        int start = html.IndexOf($"<section id=\"{id}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section '{id}'");
        return html[start..html.IndexOf("</section>", start, StringComparison.Ordinal)];
    }

    [Fact]
    public void TheLegendDoesNotCoverTheLastPoint()
    {
        // The validation series ends at its best (highest) point near the right edge, where the legend box in the plot's
        // top-right corner used to sit (it spanned the width of the longest name, here most of the plot).
        var points = new (double X, double Y)[] { (1, 0.2), (2, 0.5), (3, 0.7), (4, 0.9) };
        var spec = new LineChartSpec("Accuracy", "epoch", "accuracy",
            [new LineSeries("validation accuracy of a model with a long name", points), new LineSeries("train accuracy", [(1, 0.1), (5, 0.3)])], Width: 400, Height: 260);
        var (plot, legend) = LineChart.Layout(spec);
        Assert.False(plot.IntersectsWith(legend), $"legend {legend} overlaps plot {plot}");
        Assert.True(legend.Bottom <= plot.Top);

        using var bitmap = SKBitmap.Decode(LineChart.RenderPng(spec));
        var x = AxisTicks.For(1, 5, 6, integerSteps: true);
        var y = AxisTicks.For(0.1, 0.9, 5);
        float px = plot.Left + (float)((4 - x.Min) / (x.Max - x.Min)) * plot.Width;
        float py = plot.Bottom - (float)((0.9 - y.Min) / (y.Max - y.Min)) * plot.Height;
        var pixel = bitmap.GetPixel((int)Math.Round(px * ChartStyle.Scale), (int)Math.Round(py * ChartStyle.Scale));
        var colour = ChartStyle.Palette[0];
        Assert.True(Math.Abs(pixel.Red - colour.Red) + Math.Abs(pixel.Green - colour.Green) + Math.Abs(pixel.Blue - colour.Blue) < 60,
            $"the last point's marker is covered: pixel {pixel}, series colour {colour}");
    }

    private static IReadOnlyList<TrainingLogEntry> CaptionerLog() =>
        // As the captioning trainer writes it: no metric_name, the watched metric repeated as valid_bleu_4.
        TrainingLogReader.Read(new StringReader(string.Join('\n', Enumerable.Range(1, 5).Select(e =>
            $"{{\"epoch\":{e},\"train_loss\":{5.0 - 0.1 * e},\"valid_metric\":{0.5 + 0.05 * e},\"lr\":0.001,\"seconds\":2.5,\"items_per_s\":900," +
            $"\"valid_bleu_1\":{0.7 + 0.02 * e},\"valid_bleu_4\":{0.5 + 0.05 * e},\"valid_cider_d\":{2.0 + 0.3 * e},\"valid_padding_ratio\":0.04}}"))));

    [Fact]
    public void TheValidationAxisNamesItsMetricAndTheOtherMetricsArePlotted()
    {
        var log = CaptionerLog();
        Assert.Equal("BLEU-4", TrainingCurves.ValidationMetricName(log));
        var data = ReportFixtures.Captioning(_folder.FullName) with { TrainingLog = log };
        string training = Section(CaptioningReport.RenderHtml(data), "training");
        var alts = Alts(training);
        Assert.Contains("Validation BLEU-4 per epoch", alts);
        Assert.DoesNotContain("validation metric", training, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Best validation BLEU-4", training);
        // BLEU-1 (a score in [0, 1]) and CIDEr-D (unbounded, its own scale) are drawn; bookkeeping fields are not.
        Assert.Contains("Validation BLEU-1 per epoch", alts);
        Assert.Contains("Validation CIDEr-D per epoch", alts);
        Assert.DoesNotContain(alts, a => a.Contains("padding", StringComparison.OrdinalIgnoreCase) || a.Contains("items", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(4, alts.Length);   // loss, BLEU-4, BLEU-1, CIDEr-D (the learning rate is constant: no chart)
    }

    [Fact]
    public void TheCaptioningReportTablesEveryCaption()
    {
        var data = ReportFixtures.Captioning(_folder.FullName);
        string table = Section(CaptioningReport.RenderHtml(data), "captions");
        Assert.Equal(data.Metrics.ImageCount, Regex.Count(table, "<tr>") - 1);   // minus the header row
        foreach (var example in data.Examples)
        {
            Assert.Contains(System.Net.WebUtility.HtmlEncode(example.Generated), table);
            Assert.Contains(System.Net.WebUtility.HtmlEncode(example.References[0]), table);
            Assert.Contains($"<td>{example.ImageId}</td>", table);
        }
    }

    private static ClassificationReport Binary(int seed)
    {
        var random = new Random(seed);
        var truth = Enumerable.Range(0, 60).Select(i => i % 2).ToArray();
        var probabilities = truth.Select(t =>
        {
            float p = (float)Math.Clamp(0.5 + (t == 1 ? 0.25 : -0.25) + (random.NextDouble() - 0.5) * 0.8, 0.01, 0.99);
            return new[] { 1 - p, p };
        }).ToArray();
        return ClassificationEvaluator.Evaluate(truth, probabilities, ["negative", "positive"]);
    }

    [Fact]
    public void TopKAccuracyIsShownOnlyWhenKIsBelowTheNumberOfClasses()
    {
        var binary = Binary(1);
        Assert.Equal(2, binary.TopK);
        string twoClasses = ClassificationReportPage.RenderHtml(new ClassificationReportData("binary", [new("textcnn", binary)]));
        Assert.DoesNotContain("Top-2 accuracy", twoClasses);
        Assert.DoesNotContain("Top-", Section(twoClasses, "comparison"));

        var fourClasses = ReportFixtures.Classification();
        Assert.Equal(3, fourClasses.Models[0].Report.TopK);
        Assert.Contains("Top-3 accuracy", Section(ClassificationReportPage.RenderHtml(fourClasses), "comparison"));
    }

    [Fact]
    public void RocAndPrecisionRecallChartsAccompanyTheAuc()
    {
        var data = new ClassificationReportData("binary", [new("textcnn", Binary(1)), new("bilstm", Binary(2))]);
        Assert.All(data.Models, m => Assert.True(m.Report.Binary!.RocCurve!.Count > 2));
        string curves = Section(ClassificationReportPage.RenderHtml(data), "curves");
        var alts = Alts(curves);
        Assert.Equal(2, alts.Length);
        Assert.Contains(alts, a => a.StartsWith("ROC curve", StringComparison.Ordinal) && a.Contains("textcnn") && a.Contains("bilstm"));
        Assert.Contains(alts, a => a.StartsWith("Precision-recall curve", StringComparison.Ordinal));
        // Four classes: no AUC, no curves.
        Assert.DoesNotContain("<section id=\"curves\">", ClassificationReportPage.RenderHtml(ReportFixtures.Classification()));
    }

    [Fact]
    public void CurvesFollowTheThresholds()
    {
        // Scores 0.9 (+), 0.8 (−), 0.7 (+), 0.1 (−): thresholds give ROC (0,.5) (.5,.5) (.5,1) (1,1); PR (.5,1) (.5,.5) (1,2/3) (1,.5).
        var (roc, pr) = BinaryCurves.Compute([true, false, true, false], [0.9f, 0.8f, 0.7f, 0.1f]);
        Assert.Equal([new(0, 0), new(0, 0.5), new(0.5, 0.5), new(0.5, 1), new(1, 1)], roc);
        Assert.Equal(new CurvePoint(0.5, 1), pr[1]);
        Assert.Equal(new CurvePoint(0.5, 0.5), pr[2]);
        Assert.Equal(2.0 / 3, pr[3].Y, 12);
        // Ties are one threshold (one diagonal step); one class only: no curve.
        Assert.Equal([new(0, 0), new(1, 1)], BinaryCurves.Compute([true, false], [0.5f, 0.5f]).Roc);
        Assert.Empty(BinaryCurves.Compute([true, true], [0.5f, 0.7f]).Roc);
    }

    [Fact]
    public void SeveralModelsShareTheTrainingCharts()
    {
        var textCnn = ReportFixtures.TrainingLog("accuracy");
        var biLstm = textCnn.Select(e => e with { TrainLoss = e.TrainLoss * 0.9, ValidMetric = e.ValidMetric - 0.03 }).ToArray();
        var data = ReportFixtures.Classification() with { TrainingLogs = [new("TextCNN", textCnn), new("BiLSTM", biLstm)] };
        string training = Section(ClassificationReportPage.RenderHtml(data), "training");
        var alts = Alts(training);
        Assert.Contains("Training and validation loss per epoch of TextCNN, BiLSTM", alts);
        Assert.Contains("Validation accuracy per epoch of TextCNN, BiLSTM", alts);
        // One chart per quantity, not one set per model.
        Assert.Equal(Alts(Section(ClassificationReportPage.RenderHtml(data with { TrainingLogs = [new("TextCNN", textCnn)] }), "training")).Length, alts.Length);
        Assert.Contains("TextCNN: 12 epochs", training);
        Assert.Contains("BiLSTM: 12 epochs", training);
    }

    [Fact]
    public void ABaselineFromAnotherRunIsExplained()
    {
        var fixture = ReportFixtures.Classification();
        var baseline = fixture.Models[1].Report;
        string modelDirectory = Directory.CreateDirectory(Path.Combine(_folder.FullName, "model")).FullName;
        MetricsJson.Write(Path.Combine(modelDirectory, MetricsJson.TestMetricsFile),
            [new(MlNetBaseline.ModelName, baseline with { MicroAccuracy = baseline.MicroAccuracy - 0.05 })]);

        string note = MlNetBaseline.DescribeEvaluation(baseline, "train.tsv", 32, MlNetBaselineOptions.DefaultSeed, modelDirectory);
        Assert.Contains("train.tsv (32 examples, seed 42)", note);
        Assert.Contains($"reported {(baseline.MicroAccuracy - 0.05).ToString("P1", System.Globalization.CultureInfo.InvariantCulture)}", note);
        Assert.Contains("validation hold-out", note);

        string html = ClassificationReportPage.RenderHtml(fixture with { Models = [fixture.Models[0], fixture.Models[1] with { Note = note }] });
        Assert.Contains(System.Net.WebUtility.HtmlEncode(note), Section(html, "comparison"));

        // The same number at training time: said so, no explanation needed; no training record: only how it was trained.
        MetricsJson.Write(Path.Combine(modelDirectory, MetricsJson.TestMetricsFile), [new(MlNetBaseline.ModelName, baseline)]);
        Assert.Contains("reported the same accuracy", MlNetBaseline.DescribeEvaluation(baseline, "train.tsv", 32, 42, modelDirectory));
        Assert.DoesNotContain("reported", MlNetBaseline.DescribeEvaluation(baseline, "train.tsv", 32, 42, modelDirectory: null));
        Assert.Equal(42, new MlNetBaselineOptions().Seed);
        Assert.Equal((ulong)MlNetBaselineOptions.DefaultSeed, new ClassifierTrainingRequest("train.tsv", "out", new ClassifierTrainingOptions()).Seed);
    }
}
