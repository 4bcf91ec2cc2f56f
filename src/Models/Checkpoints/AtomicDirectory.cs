// Crash-safe replacement of a whole folder whose files must agree with each other (a training checkpoint:
// weights, optimizer state and trainer state of one step). AtomicFile makes each file whole, but a kill
// between two files leaves weights of step N beside trainer state of step N−1. So the new content is
// written into a fresh sibling folder ("last.20250101T120000123-1a2b3c4d"), and the name the readers use
// ("last") is a symbolic link switched to it by a single rename(2) of a new link over the old one — the
// one atomic step. A reader (or a resumed run) sees the old folder or the new one, never a mixture; the
// folder the link left is deleted afterwards, and versions a crash left behind are swept on the next save.
// A real folder at the path (written by an older version) is moved aside once and becomes the first
// version. Where symbolic links are unavailable (Windows without developer mode) the switch falls back to
// two renames, which is not atomic.
using System.Runtime.InteropServices;

namespace Pipeline.Models.Checkpoints;

/// <summary>Writes a folder as one unit: a new sibling folder switched in by one atomic rename of a symlink.</summary>
public static class AtomicDirectory
{
    /// <summary>
    /// Replaces the folder at <paramref name="path"/> with what <paramref name="write"/> puts into the (empty) folder it is
    /// given. Afterwards <paramref name="path"/> is a symbolic link to that folder; until the switch, readers see the previous content.
    /// </summary>
    public static void Write(string path, Action<string> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string parent = Path.GetDirectoryName(full)!;
        string name = Path.GetFileName(full);
        Directory.CreateDirectory(parent);

        string version = Path.Combine(parent, $"{name}.{DateTime.UtcNow:yyyyMMdd'T'HHmmssfff}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(version);
        try { write(version); }
        catch
        {
            TryDelete(version);
            throw;
        }
        // The folder the link points at now (a real folder from an older version is swept below instead).
        string? previous = new DirectoryInfo(full).LinkTarget is null ? null : CurrentTarget(full);
        Switch(full, version);
        if (previous is not null && previous != version) TryDelete(previous);
        SweepStaleVersions(parent, name, keep: version);
    }

    /// <summary>The folder <paramref name="path"/> currently resolves to (the link's target, or the path itself when it is a real folder); null when absent.</summary>
    public static string? CurrentTarget(string path)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var info = new DirectoryInfo(full);
        if (info.LinkTarget is { } target) return Path.GetFullPath(target, Path.GetDirectoryName(full)!);
        return info.Exists ? full : null;
    }

    private static void Switch(string full, string version)
    {
        string parent = Path.GetDirectoryName(full)!;
        var existing = new DirectoryInfo(full);
        bool realFolder = existing.Exists && existing.LinkTarget is null;
        if (OperatingSystem.IsWindows())
        {
            // No unprivileged symlinks: two renames (not atomic; a crash in between leaves only the version folder).
            if (existing.Exists) Directory.Move(full, full + ".old-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.Move(version, full);
            return;
        }
        if (realFolder)
        {
            // Written by an older version: it becomes a version folder, and the link takes its name below.
            string aside = Path.Combine(parent, $"{Path.GetFileName(full)}.legacy-{Guid.NewGuid().ToString("N")[..8]}");
            Directory.Move(full, aside);
        }
        string link = Path.Combine(parent, $".{Path.GetFileName(full)}.link-{Guid.NewGuid():N}");
        File.CreateSymbolicLink(link, Path.GetFileName(version));   // relative: the folder can be moved or copied as a whole
        if (Rename(link, full) != 0)
        {
            int error = Marshal.GetLastPInvokeError();
            File.Delete(link);
            throw new IOException($"cannot switch '{full}' to '{version}' (rename failed, errno {error}).");
        }
    }

    // Version folders of this name other than the current one: left by a crash between writing and switching.
    private static void SweepStaleVersions(string parent, string name, string keep)
    {
        var ours = new System.Text.RegularExpressions.Regex(
            "^" + System.Text.RegularExpressions.Regex.Escape(name) + @"\.([0-9]{8}T[0-9]{9}-[0-9a-f]{8}|legacy-[0-9a-f]{8})$");
        foreach (var folder in Directory.EnumerateDirectories(parent, name + ".*"))
        {
            if (folder == keep || !ours.IsMatch(Path.GetFileName(folder)) || new DirectoryInfo(folder).LinkTarget is not null) continue;
            TryDelete(folder);
        }
        foreach (var link in Directory.EnumerateFileSystemEntries(parent, "." + name + ".link-*")) TryDelete(link);
    }

    private static void TryDelete(string path)
    {
        try
        {
            var info = new DirectoryInfo(path);
            if (info.LinkTarget is not null || File.Exists(path)) File.Delete(path);
            else if (info.Exists) info.Delete(recursive: true);
        }
        catch (IOException) { /* best effort: a leftover folder costs disk, never correctness */ }
        catch (UnauthorizedAccessException) { }
    }

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);
}
