// A [Fact] that is skipped, with the reason, only when headless Chromium is not installed
// (xunit 2 has no run-time skip, so the check happens when the attribute is constructed).
namespace Pipeline.Tests.Reports;

/// <summary>Fact that needs /usr/bin/chromium (install with scripts/install-chromium.sh).</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(ChromiumPath))
            Skip = $"Chromium is not installed at {ChromiumPath}; run scripts/install-chromium.sh (CI does).";
    }
}
