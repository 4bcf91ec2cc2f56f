// A [Fact] for Unix file-system behaviour (FIFOs, permissions, per-thread capabilities): reported as skipped on
// Windows, with the reason, instead of returning early and passing without checking anything.
namespace Pipeline.Preprocessing.Tests;

/// <summary>Fact that needs Linux (per-thread capabilities, mkfifo, /dev).</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "Linux file-system semantics only.";
    }
}
