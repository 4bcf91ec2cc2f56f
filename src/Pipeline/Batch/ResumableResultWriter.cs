// Append-only result file that makes batch jobs resumable. Every finished item is appended and flushed
// at once, so a crash or Ctrl-C loses at most the line being written; on open, a torn last line is cut
// off and the key of every record already present goes into the completion index, so the rerun skips
// exactly the finished items. The index (ICompletionIndex) decides what a key costs in memory: a string
// set for arbitrary keys, one bit per input position for ordinal keys.
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Pipeline.Batch;

/// <summary>Writes <see cref="ResultRecord"/>s to JSONL/CSV/TSV, appending to and resuming from an existing file.</summary>
public sealed class ResumableResultWriter : IDisposable
{
    private readonly FileStream stream;
    private readonly StreamWriter writer;
    private readonly ICompletionIndex index;
    private bool headerWritten;
    private readonly Lock gate = new();

    /// <summary>The output path.</summary>
    public string Path { get; }

    /// <summary>The format in use.</summary>
    public OutputFormat Format { get; }

    /// <summary>Records found in the file when it was opened (what a rerun will skip).</summary>
    public long ExistingRecords { get; private set; }

    /// <summary>Opens (or creates) <paramref name="path"/>, keying records by arbitrary strings in <paramref name="keyColumn"/> (a <see cref="KeySetCompletionIndex"/>).</summary>
    public ResumableResultWriter(string path, string keyColumn, OutputFormat? format = null)
        : this(path, new KeySetCompletionIndex(keyColumn), format)
    {
    }

    /// <summary>Opens (or creates) <paramref name="path"/>; <paramref name="index"/> (empty) receives the keys already in the file.</summary>
    /// <exception cref="InvalidDataException">An existing record cannot be read or matched to a key (the message names file and line).</exception>
    public ResumableResultWriter(string path, ICompletionIndex index, OutputFormat? format = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        Path = path;
        this.index = index;
        Format = format ?? OutputFormats.FromPath(path);
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            TornLine.Cut(stream);
            LoadExisting();
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        stream.Seek(0, SeekOrigin.End);
        writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = false };
    }

    // One pass over the file, one line in memory at a time: only the index grows.
    private void LoadExisting()
    {
        if (stream.Length == 0) return;
        stream.Seek(0, SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.UTF8, false, 1 << 16, leaveOpen: true);
        string? line;
        int keyField = -1;
        int lineNumber = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            string? key;
            if (Format == OutputFormat.JsonLines) key = ReadJsonKey(line, lineNumber);
            else if (!headerWritten)
            {
                keyField = FindKeyField(line, lineNumber);
                headerWritten = true;
                continue;
            }
            else key = ReadDelimitedKey(line, lineNumber, keyField);
            index.AddExisting(key, $"{Path}:{lineNumber}");
            ExistingRecords++;
        }
    }

    private string? ReadJsonKey(string line, int lineNumber)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            if (!doc.RootElement.TryGetProperty(index.KeyColumn, out var k)) return null;
            return k.ValueKind switch
            {
                JsonValueKind.String => k.GetString(),
                JsonValueKind.Number => k.GetRawText(),   // ordinal keys are written as JSON numbers
                _ => null,
            };
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{Path}:{lineNumber}: existing output line is not valid JSON ({ex.Message}); fix or move the file before resuming.");
        }
    }

    private char Delimiter => Format == OutputFormat.Csv ? ',' : '\t';

    private int FindKeyField(string header, int lineNumber)
    {
        var names = DelimitedLine.Split(header, Delimiter)
            ?? throw new InvalidDataException($"{Path}:{lineNumber}: the existing header is malformed; fix or move the file before resuming.");
        int field = names.IndexOf(index.KeyColumn);
        if (field < 0)
            throw new InvalidDataException(
                $"{Path}:{lineNumber}: the existing header has no '{index.KeyColumn}' column (found: {string.Join(", ", names)}), so finished rows cannot be recognised; move the file aside or delete it and rerun.");
        return field;
    }

    private string? ReadDelimitedKey(string line, int lineNumber, int keyField)
    {
        var fields = DelimitedLine.Split(line, Delimiter)
            ?? throw new InvalidDataException($"{Path}:{lineNumber}: existing output row has an unclosed quote; fix or move the file before resuming.");
        return keyField < fields.Count ? fields[keyField] : null;
    }

    /// <summary>True when <paramref name="key"/> is already in the output.</summary>
    public bool IsDone(string key) { lock (gate) return index.IsDone(key); }

    /// <summary>
    /// Takes <paramref name="key"/> on for the current run: false when it is already in the output or was already taken
    /// (a duplicate input). <see cref="BatchRunner{TItem}"/> calls this once per input item.
    /// </summary>
    public bool TryClaim(string key) { lock (gate) return index.TryClaim(key); }

    /// <summary>Appends one record and flushes it to the operating system.</summary>
    public void Write(ResultRecord record)
    {
        lock (gate)
        {
            if (!headerWritten && Format != OutputFormat.JsonLines)
            {
                writer.Write(string.Join(Delimiter, record.Fields.Select(f => Escape(f.Key))));
                writer.Write('\n');
                headerWritten = true;
            }
            writer.Write(Format == OutputFormat.JsonLines ? ToJson(record) : string.Join(Delimiter, record.Fields.Select(f => Escape(Flat(f.Value)))));
            writer.Write('\n');
            writer.Flush();
            index.MarkDone(record.Key);
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
        float f => f.ToString("G7", CultureInfo.InvariantCulture),
        double d => d.ToString("G9", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
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
