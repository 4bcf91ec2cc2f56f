// Image file discovery: one place that decides which extensions count as images and in which
// order files are listed, so loaders, the cache key and the benchmark all see the same list.
namespace Pipeline.Preprocessing.Images;

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
    public static IReadOnlyList<string> List(string folder, bool recursive = true)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Image folder '{folder}' does not exist.");
        var files = Directory.EnumerateFiles(Path.GetFullPath(folder), "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Where(IsImagePath)
            .ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
