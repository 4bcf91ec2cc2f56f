// Runs code on a thread that file permissions apply to, even when the test process runs as root (CI does).
// Root reads any file because its threads hold CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH; on Linux capabilities
// are per thread, so a dedicated thread drops both from its effective set with capset(2) and runs the action:
// there, open(2) of a mode-000 file fails with EACCES as it does for a normal user. The thread ends with the
// action, so no other code ever runs without the capabilities. For a non-root user the drop changes nothing.
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Pipeline.Preprocessing.Tests;

internal static class Unprivileged
{
    private const uint CapabilityVersion3 = 0x20080522;   // _LINUX_CAPABILITY_VERSION_3: two 32-bit data words
    private const int CapDacOverride = 1, CapDacReadSearch = 2;

    /// <summary>Runs <paramref name="action"/> on a new thread without the capabilities that bypass file permissions (Linux only).</summary>
    public static void Run(Action action)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("per-thread capabilities are a Linux feature.");
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                DropFileOverrides();
                action();
            }
            catch (Exception e) { failure = ExceptionDispatchInfo.Capture(e); }
        });
        thread.Start();
        thread.Join();
        failure?.Throw();
    }

    private static void DropFileOverrides()
    {
        var header = new CapHeader { Version = CapabilityVersion3, Pid = 0 };
        var data = new CapData[2];
        if (CapGet(ref header, data) != 0) throw new IOException($"capget failed (errno {Marshal.GetLastPInvokeError()}).");
        data[0].Effective &= ~((1u << CapDacOverride) | (1u << CapDacReadSearch));
        if (CapSet(ref header, data) != 0) throw new IOException($"capset failed (errno {Marshal.GetLastPInvokeError()}).");
        // Prove the drop took effect on this thread, so a test cannot pass by accident.
        var check = new CapData[2];
        if (CapGet(ref header, check) != 0 || (check[0].Effective & (1u << CapDacOverride)) != 0)
            throw new InvalidOperationException("CAP_DAC_OVERRIDE is still effective on the test thread.");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CapHeader { public uint Version; public int Pid; }

    [StructLayout(LayoutKind.Sequential)]
    private struct CapData { public uint Effective, Permitted, Inheritable; }

    [DllImport("libc", EntryPoint = "capget", SetLastError = true)]
    private static extern int CapGet(ref CapHeader header, [In, Out] CapData[] data);

    [DllImport("libc", EntryPoint = "capset", SetLastError = true)]
    private static extern int CapSet(ref CapHeader header, [In] CapData[] data);
}
