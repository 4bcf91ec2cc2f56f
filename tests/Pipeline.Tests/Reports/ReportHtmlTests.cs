// The written reports are self-contained (no external URL, every image a data: URI), contain every
// section, and HTML-encode text that came from the data.
using System.Text.RegularExpressions;
using Pipeline.Evaluation.Captioning;
using Pipeline.Evaluation.Classification;
using Pipeline.Reports;

namespace Pipeline.Tests.Reports;

public sealed partial class ReportHtmlTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("report-html-");

    public void Dispose() => _folder.Delete(recursive: true);

    [GeneratedRegex("(?:src|href)\\s*=\\s*\"([^\"]*)\"")]
    private static partial Regex ResourceAttribute();

    private static void AssertSelfContained(string html)
    {
        foreach (Match match in ResourceAttribute().Matches(html))
            Assert.StartsWith("data:image/", match.Groups[1].Value);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void CaptioningReportIsSelfContainedAndComplete()
    {
        var data = ReportFixtures.Captioning(_folder.FullName);
        string path = Path.Combine(_folder.FullName, "out", "captioning.html");
        ReportWriter.WriteCaptioningReport(path, data);
        string html = File.ReadAllText(path);
        AssertSelfContained(html);
        foreach (string id in new[] { "metrics", "training", "best", "worst", "attention" })
            Assert.Contains($"<section id=\"{id}\">", html);
        Assert.Contains(PipelineNumber(data.Metrics.CiderD), html);
        // 3 best + 3 worst photos as JPEG, loss, metric and learning-rate charts and one thumbnail per attended word.
        int words = data.Attention.Sum(a => a.Words.Count);
        Assert.Equal(6, Regex.Count(html, "data:image/jpeg"));
        Assert.Equal(3 + words, Regex.Count(html, "data:image/png"));
    }

    [Fact]
    public void MissingPhotoBecomesAPlaceholder()
    {
        var data = ReportFixtures.Captioning(_folder.FullName);
        data = data with { Examples = data.Examples.Select(e => e with { ImagePath = "/nonexistent/x.jpg" }).ToArray(), Attention = [] };
        string html = CaptioningReport.RenderHtml(data);
        Assert.Contains("image not available", html);
        Assert.DoesNotContain("data:image/jpeg", html);
    }

    [Fact]
    public void ClassificationReportListsEveryModelAndEncodesText()
    {
        var data = ReportFixtures.Classification();
        var hostile = ClassificationEvaluator.Evaluate([0, 1], [[0.2f, 0.8f], [0.9f, 0.1f]], ["<b>spam</b>", "ham & eggs"],
            texts: ["<script>alert(1)</script>", "fine"]);
        data = data with { Models = [.. data.Models, new NamedClassificationReport("<img src=x>", hostile)] };
        string path = Path.Combine(_folder.FullName, "classification.html");
        ReportWriter.WriteClassificationReport(path, data);
        string html = File.ReadAllText(path);
        AssertSelfContained(html);
        Assert.Contains(MlNetBaseline.ModelName, html);
        Assert.Contains("bilstm-attention", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("&lt;img src=x&gt;", html);
        Assert.Contains("ham &amp; eggs", html);
        // One confusion-matrix heatmap and one <details> per model; only the first is open.
        Assert.Equal(3, Regex.Count(html, "<details"));
        Assert.Equal(1, Regex.Count(html, "<details open>"));
        Assert.Contains("Most confident mistakes", html);
    }

    private static string PipelineNumber(double value) => value.ToString("F4", System.Globalization.CultureInfo.InvariantCulture);
}
