// Splits one CSV or TSV line into fields. Quotes (RFC 4180: a field that starts with '"', '""' inside for a
// quote) are honoured for CSV only: TSV values never contain tabs or newlines here, so they are never quoted.
// A record is one physical line (writers in this project replace newlines inside values with spaces), which
// keeps streaming and resuming line-based.
using System.Text;

namespace Pipeline.Batch;

/// <summary>Field splitting of single CSV/TSV lines, shared by the classify input reader and the resumable writer.</summary>
internal static class DelimitedLine
{
    /// <summary>The fields of <paramref name="line"/>, or null when a quoted CSV field is not closed on the line.</summary>
    public static List<string>? Split(string line, char delimiter)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c != '"') current.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"' && current.Length == 0 && delimiter == ',') quoted = true;
            else if (c == delimiter) { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        if (quoted) return null;
        fields.Add(current.ToString());
        return fields;
    }
}
