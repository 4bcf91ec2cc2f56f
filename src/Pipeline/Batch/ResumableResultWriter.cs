// Append-only result file that makes batch jobs resumable. Every finished item is appended and flushed
// at once, so a crash or Ctrl-C loses at most the line being written; on open, a torn last line is cut
// off and the keys already present are loaded so the rerun skips exactly the finished items.
using System.Text;
using System.Text.Json;

namespace Pipeline.Batch;

/// <summary>Writes <see cref="ResultRecord"/>s to JSONL/CSV/TSV, appending to and resuming from an existing file.</summary>
public sealed class ResumableResultWriter : IDisposable
{
    private readonly FileStream stream;
    private readonly StreamWriter writer;
    private readonly string keyColumn;
    private readonly HashSet<string> done = new(StringComparer.Ordinal);
    private bool headerWritten;
    private readonly Lock gate = new();

    /// <summary>The output path.</summary>
    public string Path { get; }

    /// <summary>The format in use.</summary>
    public OutputFormat Format { get; }

    /// <summary>Keys found in the file when it was opened plus those written since.</summary>
    public IReadOnlySet<string> CompletedKeys => done;

    /// <summary>Opens (or creates) <paramref name="path"/>; <paramref name="keyColumn"/> names the field holding each record's key.</summary>
    public ResumableResultWriter(string path, string keyColumn, OutputFormat? format = null)
    {
        Path = path;
        this.keyColumn = keyColumn;
        Format = format ?? OutputFormats.FromPath(path);
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        LoadExisting();
        stream.Seek(0, SeekOrigin.End);
        writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = false };
    }

    private void LoadExisting()
    {
        if (stream.Length == 0) return;
        // Cut a torn final line (a crash mid-write) so the file stays well-formed.
        long end = stream.Length;
        stream.Seek(-1, SeekOrigin.End);
        if (stream.ReadByte() != '\n')
        {
            long pos = end - 1;
            while (pos > 0) { stream.Seek(pos - 1, SeekOrigin.Begin); if (stream.ReadByte() == '\n') break; pos--; }
            stream.SetLength(pos);
        }
        stream.Seek(0, SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.UTF8, false, 1 << 16, leaveOpen: true);
        string? line;
        bool first = true;
        int lineNumber = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            if (Format != OutputFormat.JsonLines && first) { first = false; headerWritten = true; continue; }
            first = false;
            var key = Format switch
            {
                OutputFormat.JsonLines => ReadJsonKey(line, lineNumber),
                OutputFormat.Csv => ReadFirstCsvField(line),
                _ => line.Split('\t')[0],
            };
            if (key is not null) done.Add(key);
        }
    }

    private string? ReadJsonKey(string line, int lineNumber)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.TryGetProperty(keyColumn, out var k) ? k.GetString() : null;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{Path}:{lineNumber}: existing output line is not valid JSON ({ex.Message}); fix or move the file before resuming.");
        }
    }

    private static string ReadFirstCsvField(string line)
    {
        if (!line.StartsWith('"')) { int comma = line.IndexOf(','); return comma < 0 ? line : line[..comma]; }
        var sb = new StringBuilder();
        for (int i = 1; i < line.Length; i++)
        {
            if (line[i] == '"')
            {
                if (i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else break;
            }
            else sb.Append(line[i]);
        }
        return sb.ToString();
    }

    /// <summary>True when <paramref name="key"/> is already in the output.</summary>
    public bool IsDone(string key) { lock (gate) return done.Contains(key); }

    /// <summary>Appends one record and flushes it to the operating system.</summary>
    public void Write(ResultRecord record)
    {
        lock (gate)
        {
            if (!headerWritten && Format != OutputFormat.JsonLines)
            {
                writer.Write(string.Join(Format == OutputFormat.Csv ? "," : "\t", record.Fields.Select(f => Escape(f.Key))));
                writer.Write('\n');
                headerWritten = true;
            }
            writer.Write(Format == OutputFormat.JsonLines ? ToJson(record) : string.Join(Format == OutputFormat.Csv ? "," : "\t", record.Fields.Select(f => Escape(Flat(f.Value)))));
            writer.Write('\n');
            writer.Flush();
            done.Add(record.Key);
        }
    }

    private static string ToJson(ResultRecord record)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (name, value) in record.Fields)
            {
                json.WritePropertyName(name);
                JsonSerializer.Serialize(json, value, value?.GetType() ?? typeof(object));
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Flat(object? value) => value switch
    {
        null => "",
        string s => s,
        float f => f.ToString("G7", System.Globalization.CultureInfo.InvariantCulture),
        double d => d.ToString("G9", System.Globalization.CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        System.Collections.IEnumerable e => JsonSerializer.Serialize(e),
        _ => value.ToString() ?? "",
    };

    private string Escape(string value)
    {
        // Newlines become spaces in both delimited formats: one record per physical line keeps resume exact.
        value = value.Replace('\n', ' ').Replace('\r', ' ');
        if (Format == OutputFormat.Tsv) return value.Replace('\t', ' ');
        return value.IndexOfAny([',', '"']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (gate) { writer.Flush(); writer.Dispose(); }
    }
}
