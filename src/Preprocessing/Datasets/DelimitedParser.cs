// RFC 4180 parsing of TSV/CSV with line numbers. We use our own parser rather than ML.NET's
// LoadFromTextFile (hasHeader, allowQuoting) because, checked with ML.NET 5.0.1 on a bad TSV, it loads every
// defect silently: a row with a missing column gets an empty text, extra columns are dropped, invalid UTF-8
// becomes U+FFFD, and a quoted field spanning lines is split into two garbage rows, none with a line number.
// Here every malformed record is reported with file and line; ClassificationDataView (src/Pipeline/MLNet) hands
// the checked examples to ML.NET afterwards.
using System.Text;

namespace Pipeline.Preprocessing.Datasets;

/// <summary>One logical record: the line it starts on, its fields, or why it is malformed.</summary>
internal readonly record struct DelimitedRecord(int Line, string[] Fields, string? Error);

/// <summary>Splits lines into fields: delimiter-separated, with optional RFC 4180 quoting ("a ""b""", embedded newlines).</summary>
internal static class DelimitedParser
{
    /// <summary>Parses records; a quoted field may span lines, and its record carries the line it starts on.</summary>
    public static IEnumerable<DelimitedRecord> Parse(IEnumerable<SourceLine> lines, char delimiter, bool allowQuoting)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        var startLine = 0;
        var lastLine = 0;
        string? error = null;
        foreach (var line in lines)
        {
            lastLine = line.Number;
            if (!inQuotes)
            {
                startLine = line.Number;
                fields.Clear();
                field.Clear();
                error = null;
            }
            else
            {
                field.Append('\n');
            }
            if (line.Text is null)
            {
                // A bad line inside a quoted field spoils the whole record; resynchronize at the next line.
                inQuotes = false;
                yield return new DelimitedRecord(line.Number, [], line.Error);
                continue;
            }
            var text = line.Text;
            var i = 0;
            var fieldStart = !inQuotes;
            while (i < text.Length && error is null)
            {
                var c = text[i];
                if (inQuotes)
                {
                    if (c == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }
                        inQuotes = false;
                        i++;
                        if (i < text.Length && text[i] != delimiter)
                            error = $"unexpected character '{text[i]}' after a closing quote; expected '{Show(delimiter)}' or end of line";
                        continue;
                    }
                    field.Append(c);
                    i++;
                    continue;
                }
                if (c == delimiter)
                {
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStart = true;
                    i++;
                    continue;
                }
                if (c == '"' && allowQuoting && fieldStart && field.Length == 0)
                {
                    inQuotes = true;
                    fieldStart = false;
                    i++;
                    continue;
                }
                fieldStart = false;
                field.Append(c);
                i++;
            }
            if (inQuotes && error is null)
                continue;
            fields.Add(field.ToString());
            yield return new DelimitedRecord(startLine, [.. fields], error);
            inQuotes = false;
        }
        // An unclosed quote swallows the rest of the file, so the message says how much was lost.
        if (inQuotes)
            yield return new DelimitedRecord(startLine, [],
                $"unterminated quoted field: the quote opened here is never closed, so lines {startLine}-{lastLine} were read as one field; expected a closing '\"' (or load with quoting off)");
    }

    /// <summary>Readable name of a delimiter for messages.</summary>
    public static string Show(char delimiter) => delimiter == '\t' ? "\\t" : delimiter.ToString();
}
