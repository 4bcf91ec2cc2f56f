// Special file-system entries for tests of what readers refuse: FIFOs, made with mkfifo(3), which needs
// no privileges (so these tests also run, and can fail, as root). Pipeline.Tests compiles this same file.
using System.Runtime.InteropServices;

namespace Pipeline.Preprocessing.Tests;

internal static class SpecialFiles
{
    /// <summary>Creates a FIFO at <paramref name="path"/> (Linux/macOS) and returns the path.</summary>
    public static string MakeFifo(string path)
    {
        if (MkFifo(path, Convert.ToUInt32("644", 8)) != 0)
            throw new IOException($"mkfifo '{path}' failed (errno {Marshal.GetLastPInvokeError()}).");
        return path;
    }

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);
}
