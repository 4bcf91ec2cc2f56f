// TSV values cannot hold tabs or line breaks, so the writer escapes them the way PostgreSQL's text format
// and most TSV tools do: \t, \n, \r and \\ (a backslash is doubled so the encoding is exact). Unescaping
// inverts it, so a key such as "a\nb.png" survives a write and a resume unchanged.
using System.Text;

namespace Pipeline.Batch;

/// <summary>Reversible escaping of TSV values.</summary>
public static class TsvEscaping
{
    /// <summary>Replaces tab, LF, CR and backslash with \t, \n, \r and \\.</summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.AsSpan().IndexOfAny("\t\n\r\\") < 0) return value;
        var builder = new StringBuilder(value.Length + 8);
        foreach (char c in value)
        {
            builder.Append(c switch
            {
                '\t' => @"\t",
                '\n' => @"\n",
                '\r' => @"\r",
                '\\' => @"\\",
                _ => null,
            });
            if (c is not ('\t' or '\n' or '\r' or '\\')) builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary>Inverse of <see cref="Escape"/>; a backslash before any other character is kept as it is.</summary>
    public static string Unescape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Contains('\\')) return value;
        var builder = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c != '\\' || i + 1 == value.Length) { builder.Append(c); continue; }
            char next = value[i + 1];
            char? decoded = next switch { 't' => '\t', 'n' => '\n', 'r' => '\r', '\\' => '\\', _ => null };
            if (decoded is { } d) { builder.Append(d); i++; }
            else builder.Append(c);
        }
        return builder.ToString();
    }
}
