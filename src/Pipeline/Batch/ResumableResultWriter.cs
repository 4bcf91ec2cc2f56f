// Append-only result file that makes batch jobs resumable. Every finished item is appended and flushed
// at once, so a crash or Ctrl-C loses at most the record being written. The file is opened through
// OutputFileGuard: locked against a second run, and read in full — every existing record recognised and
// its key put into the completion index — before a torn last record is cut, so a file that is not a
// results file of this job (a user's notes, an input image, a dataset) is refused untouched. The index
// (ICompletionIndex) decides what a key costs in memory: a string set for arbitrary keys, one bit per
// input position for ordinal keys.
//
// Formats: JSON lines; CSV with RFC 4180 quoting (a value with a comma, quote, CR or LF is quoted, and a
// record may then span physical lines); TSV with backslash escapes (\t, \n, \r, \\), one record per
// line. Both delimited encodings are exact, so a key such as "a\nb.png" reads back as itself and a rerun
// finds it.
using System.Text;
using System.Text.Json;
using Pipeline.Preprocessing.Files;

namespace Pipeline.Batch;

/// <summary>Writes <see cref="ResultRecord"/>s to JSONL/CSV/TSV, appending to and resuming from an existing file.</summary>
/// <remarks>
/// Holds an exclusive lock on the file for its lifetime (<see cref="OutputFileGuard"/>): a second writer on the same path,
/// in this process or another, fails with <see cref="OutputLockedException"/>.
/// </remarks>
public sealed class ResumableResultWriter : IDisposable
{
    private readonly OutputFileGuard guard;
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
    /// <exception cref="InvalidDataException">
    /// The existing file is not a results file of this job, or a record cannot be read or matched to a key (the message names
    /// file and line); the file is left untouched.
    /// </exception>
    /// <exception cref="OutputLockedException">Another writer holds the file.</exception>
    /// <exception cref="IOException">The path is a folder, FIFO or device.</exception>
    public ResumableResultWriter(string path, ICompletionIndex index, OutputFormat? format = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        Path = path;
        this.index = index;
        Format = format ?? OutputFormats.FromPath(path);
        guard = OutputFileGuard.Open(path, "output", Scan);
        writer = new StreamWriter(guard.Stream, new UTF8Encoding(false), bufferSize: 4096, leaveOpen: true) { AutoFlush = false };
    }

    /// <summary>
    /// Records that the results in this file are computed from <paramref name="inputPath"/> as it is now, or — when the file
    /// already holds results — checks that they were computed from this input (unchanged, or only appended to).
    /// Jobs whose keys are input positions must call it before any item is claimed.
    /// </summary>
    /// <exception cref="InvalidDataException">The input changed since the existing results were written (or their fingerprint is missing).</exception>
    public void BindInput(string inputPath) => InputFingerprint.Bind(Path, inputPath, ExistingRecords);

    // One pass over the existing file, one record in memory at a time: only the index grows. Returns the end of the last
    // complete record; throws (file untouched) when the content is not this job's.
    private ExistingContent Scan(IEnumerable<RawLine> lines)
    {
        long valid = 0;
        bool missingNewline = false;
        int keyField = -1;
        var pending = new StringBuilder();   // a CSV record whose quoted value continues on the next line
        int pendingLine = 0;
        foreach (var line in lines)
        {
            if (line.TooLong) throw Unrecognised(line.Number, valid, $"line {line.Number} is longer than {OutputFileGuard.MaxLineBytes:N0} bytes");
            string? text = OutputFileGuard.DecodeStrict(line.Bytes.Span);
            if (!line.Terminated)
            {
                // A complete JSON record that only lacks its '\n' is kept; anything else at the end is a torn write.
                if (Format == OutputFormat.JsonLines && text is not null && valid > 0 && TryReadJsonKey(text, out var lastKey) && lastKey is not null)
                {
                    index.AddExisting(lastKey, $"{Path}:{line.Number}");
                    ExistingRecords++;
                    valid = line.End;
                    missingNewline = true;
                }
                break;
            }
            if (text is null) throw Unrecognised(line.Number, valid, $"line {line.Number} is not valid UTF-8");
            if (Format == OutputFormat.JsonLines)
            {
                if (text.Length > 0)
                {
                    string? key = ReadJsonKey(text, line.Number, first: valid == 0);
                    index.AddExisting(key, $"{Path}:{line.Number}");
                    ExistingRecords++;
                }
                valid = line.End;
                continue;
            }
            if (pending.Length == 0 && text.Length == 0) { valid = line.End; continue; }
            if (pending.Length > 0) pending.Append('\n');
            else pendingLine = line.Number;
            pending.Append(text);
            var fields = SplitRecord(pending.ToString());
            if (fields is null)
            {
                if (pending.Length > OutputFileGuard.MaxLineBytes) throw Unrecognised(pendingLine, valid, $"the record at line {pendingLine} has an unclosed quote");
                continue;   // the quoted value goes on
            }
            pending.Clear();
            if (!headerWritten)
            {
                keyField = FindKeyField(fields, pendingLine);
                headerWritten = true;
            }
            else
            {
                index.AddExisting(keyField < fields.Count ? fields[keyField] : null, $"{Path}:{pendingLine}");
                ExistingRecords++;
            }
            valid = line.End;
        }
        return new ExistingContent(valid, missingNewline);
    }

    // Before any complete record was recognised, content that does not parse means "not our file"; after, it means damage.
    private InvalidDataException Unrecognised(int lineNumber, long validSoFar, string problem) => validSoFar == 0
        ? NotAResultsFile(lineNumber, problem)
        : new InvalidDataException($"{Path}:{lineNumber}: {problem}; the existing output is damaged — fix or move the file before resuming.");

    private InvalidDataException NotAResultsFile(int lineNumber, string problem) =>
        new($"{Path}:{lineNumber}: {problem}, so this is not a results file of this job; it was left untouched. Choose another output file, or move this one away.");

    private bool TryReadJsonKey(string line, out string? key)
    {
        key = null;
        try
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return false;
            key = KeyOf(doc.RootElement);
            return true;
        }
        catch (JsonException) { return false; }
    }

    private string? ReadJsonKey(string line, int lineNumber, bool first)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(line); }
        catch (JsonException ex)
        {
            if (first) throw NotAResultsFile(lineNumber, "the first line is not a JSON record");
            throw new InvalidDataException($"{Path}:{lineNumber}: existing output line is not valid JSON ({ex.Message}); fix or move the file before resuming.");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                if (first) throw NotAResultsFile(lineNumber, "the first line is not a JSON object");
                throw new InvalidDataException($"{Path}:{lineNumber}: existing output line is not a JSON object; fix or move the file before resuming.");
            }
            string? key = KeyOf(doc.RootElement);
            // The first record decides whether the file is ours: it must carry the key column. (An ordinal index names
            // the problem itself, with the hint about older versions.)
            if (first && key is null && index is not OrdinalCompletionIndex)
                throw NotAResultsFile(lineNumber, $"the first record has no '{index.KeyColumn}' field");
            return key;
        }
    }

    private string? KeyOf(JsonElement record)
    {
        if (!record.TryGetProperty(index.KeyColumn, out var k)) return null;
        return k.ValueKind switch
        {
            JsonValueKind.String => k.GetString(),
            JsonValueKind.Number => k.GetRawText(),   // ordinal keys are written as JSON numbers
            _ => null,
        };
    }

    private List<string>? SplitRecord(string record)
    {
        if (Format == OutputFormat.Csv) return DelimitedLine.Split(record, ',');
        return record.Split('\t').Select(TsvEscaping.Unescape).ToList();
    }

    private int FindKeyField(List<string> names, int lineNumber)
    {
        int field = names.IndexOf(index.KeyColumn);
        if (field < 0)
            throw new InvalidDataException(
                $"{Path}:{lineNumber}: the existing header has no '{index.KeyColumn}' column (found: {string.Join(", ", names)}), so finished rows cannot be recognised and this is not a results file of this job; it was left untouched — move the file aside or delete it and rerun.");
        return field;
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
                writer.Write(ResultRecordText.Header(record, Format));
                writer.Write('\n');
                headerWritten = true;
            }
            writer.Write(ResultRecordText.Line(record, Format));
            writer.Write('\n');
            writer.Flush();
            index.MarkDone(record.Key);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (gate)
        {
            writer.Flush();
            writer.Dispose();
            guard.Dispose();
        }
    }
}
