// Library entry points for the HTML reports (the CLI's `pipeline evaluate --report` calls these).
// Each report is a single self-contained file, written to a temporary sibling first and moved
// into place so that a crash never leaves a truncated report behind.
using System.Text;

namespace Pipeline.Reports;

/// <summary>Writes the self-contained HTML reports.</summary>
public static class ReportWriter
{
    /// <summary>Writes the captioning report to <paramref name="path"/> (folders are created).</summary>
    public static void WriteCaptioningReport(string path, CaptioningReportData data) =>
        WriteAtomically(path, CaptioningReport.RenderHtml(data));

    /// <summary>Writes the classification report to <paramref name="path"/> (folders are created).</summary>
    public static void WriteClassificationReport(string path, ClassificationReportData data) =>
        WriteAtomically(path, ClassificationReportPage.RenderHtml(data));

    private static void WriteAtomically(string path, string html)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        string temp = full + ".tmp";
        File.WriteAllText(temp, html, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temp, full, overwrite: true);
    }
}
