// How a ResultRecord is written as text, in one place for every writer (the resumable result file, a
// stream such as stdout): JSON lines in plain UTF-8 — "crème", quotes as \" — not the \u00E8/\u0022
// escapes System.Text.Json's default encoder emits for HTML safety, which these files never need (they
// are data, not markup; control characters are still escaped, so a record stays one line); CSV with
// RFC 4180 quoting; TSV with backslash escapes (\t, \n, \r, \\). Both delimited encodings are exact, so a
// key such as "a\nb.png" reads back as itself.
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pipeline.Batch;

/// <summary>Formats <see cref="ResultRecord"/>s as JSON lines, CSV or TSV text.</summary>
public static class ResultRecordText
{
    /// <summary>
    /// Serializer settings of result values: plain UTF-8 (no \uXXXX for non-ASCII, quotes or '&lt;'), and a non-finite number
    /// (a NaN score from a broken model) written as "NaN"/"Infinity" instead of failing the record.
    /// </summary>
    public static JsonSerializerOptions JsonValues { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The header row of a CSV/TSV file whose records look like <paramref name="record"/> (no line end).</summary>
    public static string Header(ResultRecord record, OutputFormat format) =>
        string.Join(Delimiter(format), record.Fields.Select(f => Escape(f.Key, format)));

    /// <summary><paramref name="record"/> as one line of <paramref name="format"/> (no line end).</summary>
    public static string Line(ResultRecord record, OutputFormat format) => format == OutputFormat.JsonLines
        ? ToJson(record)
        : string.Join(Delimiter(format), record.Fields.Select(f => Escape(Flat(f.Value), format)));

    private static char Delimiter(OutputFormat format) => format == OutputFormat.Csv ? ',' : '\t';

    private static string ToJson(ResultRecord record)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            foreach (var (name, value) in record.Fields)
            {
                json.WritePropertyName(name);
                JsonSerializer.Serialize(json, value, value?.GetType() ?? typeof(object), JsonValues);
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Flat(object? value) => value switch
    {
        null => "",
        string s => s,
        float f => f.ToString("G7", CultureInfo.InvariantCulture),
        double d => d.ToString("G9", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable e => JsonSerializer.Serialize(e, JsonValues),
        _ => value.ToString() ?? "",
    };

    private static string Escape(string value, OutputFormat format)
    {
        // Exact encodings, so every key reads back as itself: backslash escapes in TSV, RFC 4180 quoting in CSV.
        if (format == OutputFormat.Tsv) return TsvEscaping.Escape(value);
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
