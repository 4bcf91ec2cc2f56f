// Opens the generated reports in headless Chromium, as a reader would: the page must load with no
// console errors or blocked requests, and every <img> must have decoded (naturalWidth > 0). The
// check needs a script, so it is injected into a test copy only (the report itself has none, and
// its Content-Security-Policy is widened just in that copy to let the probe run). A screenshot of
// each report is saved to docs/images when PIPELINE_UPDATE_DOCS=1, otherwise to a temp folder.
using System.Diagnostics;
using System.Text.RegularExpressions;
using Pipeline.Reports;

namespace Pipeline.Tests.Reports;

public sealed class ReportBrowserTests : IDisposable
{
    private static readonly TimeSpan BrowserTimeout = TimeSpan.FromSeconds(90);

    // On window load, write "loaded=N decoded=M broken=[...]" into the DOM, where --dump-dom prints it.
    private const string Probe = """
        <script>
        window.addEventListener('load', function () {
          var imgs = Array.prototype.slice.call(document.images);
          var broken = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); }).map(function (i) { return i.alt; });
          var pre = document.createElement('pre');
          pre.id = 'probe';
          pre.textContent = 'images=' + imgs.length + ' decoded=' + (imgs.length - broken.length) + ' broken=' + JSON.stringify(broken);
          document.body.appendChild(pre);
        });
        </script>
        """;

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("report-browser-");

    public void Dispose() => _folder.Delete(recursive: true);

    [ChromiumFact]
    public void CaptioningReportLoadsAndItsImagesDecode()
    {
        string report = Path.Combine(_folder.FullName, "captioning.html");
        ReportWriter.WriteCaptioningReport(report, ReportFixtures.Captioning(_folder.FullName));
        CheckInBrowser(report, "report-captioning.png");
    }

    [ChromiumFact]
    public void ClassificationReportLoadsAndItsImagesDecode()
    {
        string report = Path.Combine(_folder.FullName, "classification.html");
        ReportWriter.WriteClassificationReport(report, ReportFixtures.Classification());
        CheckInBrowser(report, "report-classification.png");
    }

    private void CheckInBrowser(string reportPath, string screenshotName)
    {
        string html = File.ReadAllText(reportPath);
        int expectedImages = Regex.Count(html, "<img ");
        Assert.True(expectedImages > 0, "the report has no images to check");

        string probed = Path.Combine(_folder.FullName, "probe-" + Path.GetFileName(reportPath));
        File.WriteAllText(probed, html
            .Replace("default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';", StringComparison.Ordinal)
            .Replace("</body>", Probe + "</body>", StringComparison.Ordinal));
        var (dom, log) = RunChromium(probed, "--dump-dom", "--virtual-time-budget=5000", "--enable-logging=stderr", "--v=0");
        var probe = Regex.Match(dom, @"images=(\d+) decoded=(\d+) broken=(\[.*?\])");
        Assert.True(probe.Success, $"the probe did not run; chromium log:\n{log}");
        Assert.Equal(expectedImages.ToString(), probe.Groups[1].Value);
        Assert.True(probe.Groups[2].Value == probe.Groups[1].Value, $"images that did not decode: {probe.Groups[3].Value}");
        // Console errors and CSP refusals come through the logging channel as CONSOLE/"Refused" lines.
        var problems = log.Split('\n').Where(l => l.Contains("Refused to", StringComparison.Ordinal)
            || (l.Contains("CONSOLE", StringComparison.Ordinal) && l.Contains("Uncaught", StringComparison.Ordinal))).ToArray();
        Assert.True(problems.Length == 0, "browser errors:\n" + string.Join('\n', problems));

        string screenshot = ScreenshotPath(screenshotName);
        RunChromium(reportPath, $"--screenshot={screenshot}", "--window-size=1280,2000", "--hide-scrollbars");
        Assert.True(File.Exists(screenshot), $"chromium wrote no screenshot to {screenshot}");
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is suspiciously small (blank page?)");
    }

    private string ScreenshotPath(string name)
    {
        if (Environment.GetEnvironmentVariable("PIPELINE_UPDATE_DOCS") == "1")
        {
            string docs = Path.Combine(RepositoryRoot(), "docs", "images");
            Directory.CreateDirectory(docs);
            return Path.Combine(docs, name);
        }
        return Path.Combine(_folder.FullName, name);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No Pipeline.sln above {AppContext.BaseDirectory}.");
    }

    private (string Stdout, string Stderr) RunChromium(string htmlPath, params string[] extra)
    {
        var start = new ProcessStartInfo(ChromiumFactAttribute.ChromiumPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Flags for a root, network-free, GPU-less machine; a fresh profile per run keeps runs independent.
        foreach (string flag in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            $"--user-data-dir={Path.Combine(_folder.FullName, "profile-" + Guid.NewGuid().ToString("N"))}",
        })
        {
            start.ArgumentList.Add(flag);
        }
        foreach (string flag in extra) start.ArgumentList.Add(flag);
        start.ArgumentList.Add(new Uri(htmlPath).AbsoluteUri);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(BrowserTimeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"chromium did not finish within {BrowserTimeout.TotalSeconds} s");
        }
        return (stdout.Result, stderr.Result);
    }
}
