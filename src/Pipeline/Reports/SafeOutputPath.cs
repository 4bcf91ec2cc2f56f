// Output file names derived from input names (image ids, model names) must stay inside the output
// folder the user chose: an id like "../../etc/x" or "C:\x" must not write elsewhere. Names are
// reduced to a safe character set, and the combined path is checked against the folder anyway.
using System.Text;

namespace Pipeline.Reports;

/// <summary>Builds file paths from untrusted names that cannot escape an output folder.</summary>
public static class SafeOutputPath
{
    private const int MaxNameLength = 120;

    /// <summary>
    /// Reduces <paramref name="name"/> to letters, digits, '-', '_' and '.' (others become '_'),
    /// with no leading dots, no ".." runs and at most 120 characters; never empty.
    /// </summary>
    public static string SanitizeFileName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var builder = new StringBuilder(Math.Min(name.Length, MaxNameLength));
        foreach (char c in name)
        {
            if (builder.Length == MaxNameLength) break;
            bool safe = char.IsAsciiLetterOrDigit(c) || c is '-' or '_' || (c == '.' && builder.Length > 0 && builder[^1] != '.');
            builder.Append(safe ? c : '_');
        }
        string result = builder.ToString().TrimEnd('.');
        // "_" rather than "" so that a name made only of unsafe characters still yields a file.
        return result.Length == 0 ? "_" : result;
    }

    /// <summary>
    /// The path of a file named after <paramref name="name"/> (sanitized) with <paramref name="extension"/>
    /// inside <paramref name="folder"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The resolved path would leave the folder (cannot happen
    /// after sanitizing; checked so that a future change to the rules cannot silently break it).</exception>
    public static string Combine(string folder, string name, string extension)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string root = Path.GetFullPath(folder);
        string file = SanitizeFileName(name) + (extension.StartsWith('.') ? extension : "." + extension);
        string full = Path.GetFullPath(Path.Combine(root, file));
        string rootWithSeparator = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        if (!full.StartsWith(rootWithSeparator, StringComparison.Ordinal))
            throw new InvalidOperationException($"Output name '{name}' resolves to '{full}', outside '{root}'.");
        return full;
    }
}
