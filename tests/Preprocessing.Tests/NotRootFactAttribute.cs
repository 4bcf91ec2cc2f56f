// A [Fact] for file-permission behaviour. Root ignores file permissions (CAP_DAC_OVERRIDE), and CI runs as
// root, so such a test cannot fail there: it is reported as skipped with the reason instead of passing
// without checking anything (xunit 2 has no run-time skip, so the check happens when the attribute is built).
// Root-proof ways a file cannot be read (a FIFO, a link to a device, a folder) are tested separately.
using System.Runtime.InteropServices;

namespace Pipeline.Preprocessing.Tests;

/// <summary>Fact that needs an unprivileged user on a Unix system.</summary>
public sealed class NotRootFactAttribute : FactAttribute
{
    public NotRootFactAttribute()
    {
        if (OperatingSystem.IsWindows())
            Skip = "Unix file permissions only.";
        else if (GetEffectiveUserId() == 0)
            Skip = "Running as root, which ignores file permissions: an unreadable file cannot be made (CI runs as root; run the tests as a normal user to cover this).";
    }

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();
}
