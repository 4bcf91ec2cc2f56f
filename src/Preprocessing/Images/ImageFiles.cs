// Image file discovery: one place that decides which extensions count as images and in which
// order files are listed, so loaders, the cache key and the benchmark all see the same list.
//
// The walk is our own rather than Directory.EnumerateFiles(AllDirectories), which follows directory
// symlinks into cycles (`ln -s . self` lists every image again under self/, self/self/, …, until the path
// is too long). Each folder is identified by (device, inode) — FileSystemEntry — and entered once, so a
// link to the folder itself, to a parent or to a sibling already walked is skipped and reported. Entries
// that are not images are reported too instead of vanishing: other extensions (.tiff, .txt), files
// without an extension, FIFOs, devices, broken links and unreadable folders each come back with a reason.
using Pipeline.Preprocessing.Files;

namespace Pipeline.Preprocessing.Images;

/// <summary>A folder entry that was not listed as an image, and why.</summary>
/// <param name="Path">Full path of the entry.</param>
/// <param name="Reason">Why it was left out ("not an image extension (.tiff)", "a FIFO (named pipe), not a regular file", …).</param>
public sealed record SkippedFile(string Path, string Reason);

/// <summary>What a folder walk found: image files (sorted) and the entries left out.</summary>
/// <param name="Images">Full paths of image files, sorted ordinally.</param>
/// <param name="Skipped">Entries that are not images (or could not be walked), sorted by path.</param>
public sealed record ImageFolderListing(IReadOnlyList<string> Images, IReadOnlyList<SkippedFile> Skipped);

/// <summary>Lists image files in a stable (ordinal, path-sorted) order.</summary>
public static class ImageFiles
{
    /// <summary>File extensions (lower case, with dot) treated as images.</summary>
    public static IReadOnlySet<string> Extensions { get; } =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".jpe", ".png", ".bmp", ".gif", ".webp" };

    /// <summary>True when <paramref name="path"/> has an image extension.</summary>
    public static bool IsImagePath(string path) => Extensions.Contains(Path.GetExtension(path));

    /// <summary>Every image file under <paramref name="folder"/>, full paths sorted ordinally (culture-independent).</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static IReadOnlyList<string> List(string folder, bool recursive = true) => Scan(folder, recursive).Images;

    /// <summary>
    /// Walks <paramref name="folder"/> (and, with <paramref name="recursive"/>, its sub-folders, following symlinks but
    /// entering each folder once) and returns the image files plus every file-like entry that was left out, with the reason.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static ImageFolderListing Scan(string folder, bool recursive = true)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Image folder '{folder}' does not exist.");
        string root = Path.GetFullPath(folder);
        var images = new List<string>();
        var skipped = new List<SkippedFile>();
        var visited = new Dictionary<object, string>();   // folder identity → the path it was first walked under
        var pending = new Stack<string>();
        visited[IdentityOf(root, Stat(root))] = root;
        pending.Push(root);
        while (pending.Count > 0)
        {
            string current = pending.Pop();
            string[] entries;
            try { entries = Directory.GetFileSystemEntries(current); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                skipped.Add(new SkippedFile(current, $"the folder cannot be read ({e.Message})"));
                continue;
            }
            Array.Sort(entries, StringComparer.Ordinal);
            for (int i = entries.Length - 1; i >= 0; i--)   // pushed in reverse so folders are walked in name order
            {
                string entry = entries[i];
                var status = Stat(entry);
                switch (status.Kind)
                {
                    case FileKind.Regular:
                        if (IsImagePath(entry)) images.Add(entry);
                        else skipped.Add(new SkippedFile(entry, Path.GetExtension(entry) is { Length: > 0 } ext
                            ? $"not an image extension ({ext}; read: {string.Join(", ", Extensions)})"
                            : "no file extension, so not taken as an image"));
                        break;
                    case FileKind.Directory:
                        if (!recursive) break;
                        if (!FirstVisit(entry, IdentityOf(entry, status), out string? firstSeen))
                            skipped.Add(new SkippedFile(entry, $"a link back to '{firstSeen}', already walked (a folder cycle or a second link)"));
                        else pending.Push(entry);
                        break;
                    case FileKind.Missing:
                        skipped.Add(new SkippedFile(entry, "a broken symbolic link"));
                        break;
                    default:
                        skipped.Add(new SkippedFile(entry, $"{FileSystemEntry.Describe(status.Kind)}, not a regular file"));
                        break;
                }
            }
        }
        images.Sort(StringComparer.Ordinal);
        skipped.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return new ImageFolderListing(images, skipped);

        bool FirstVisit(string path, object identity, out string? firstSeen)   // false when already walked
        {
            if (visited.TryGetValue(identity, out firstSeen)) return false;
            visited[identity] = path;
            return true;
        }
    }

    private static FileStatus Stat(string path)
    {
        try { return FileSystemEntry.Stat(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return FileStatus.Missing; }
    }

    // The (device, inode) pair where the platform gives one; otherwise the fully resolved path.
    private static object IdentityOf(string path, FileStatus status) =>
        status.Identity is { } identity ? identity : ResolvedPath(path);

    private static string ResolvedPath(string path)
    {
        var info = new DirectoryInfo(path);
        var target = info.ResolveLinkTarget(returnFinalTarget: true);
        return Path.TrimEndingDirectorySeparator((target ?? info).FullName);
    }
}
