// Special file-system entries for tests of what readers and writers refuse: FIFOs (made with mkfifo(3),
// which needs no privileges) and symlinks to devices.
using System.Runtime.InteropServices;

namespace Pipeline.Tests.Support;

internal static class SpecialFiles
{
    /// <summary>Creates a FIFO at <paramref name="path"/> (Linux/macOS).</summary>
    public static string MakeFifo(string path)
    {
        if (MkFifo(path, Convert.ToUInt32("644", 8)) != 0)
            throw new IOException($"mkfifo '{path}' failed (errno {Marshal.GetLastPInvokeError()}).");
        return path;
    }

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);
}
