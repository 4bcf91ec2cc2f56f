// Streams the texts to classify out of a file (or standard input) with constant memory: plain text (one
// text per line), TSV/CSV with a header naming the text (and optionally id) column — or without a header,
// as training reads them: label<TAB>text, the text in column 1, or the 0-based column --text-column N —
// or JSON lines with text/id fields. Blank lines are skipped (they are not texts, and not errors).
// Lines are split on raw bytes and each is decoded with strict UTF-8 on its own, so one corrupt line
// becomes one error item (with its line number) instead of ending or garbling the whole run. The file is
// opened through BoundedFile (regular files only; gzip content is decompressed) and split by
// BoundedLineReader, so a line longer than the bound becomes one error item without being held in memory.
using System.Text;
using System.Text.Json;
using Pipeline.Batch;
using Pipeline.Preprocessing.Datasets;
using Pipeline.Preprocessing.Files;

namespace Pipeline.Classification;

/// <summary>Layout of a classify input file.</summary>
public enum ClassifyInputFormat
{
    /// <summary>From the extension: .tsv/.tab → TSV, .csv → CSV, .jsonl/.ndjson/.json → JSON lines, else plain lines.</summary>
    Auto,
    /// <summary>One text per line; the id is the 1-based line number.</summary>
    Lines,
    /// <summary>Tab-separated: a header row naming the text column, or none (label&lt;TAB&gt;text, or the text column given by position).</summary>
    Tsv,
    /// <summary>Comma-separated like <see cref="Tsv"/> (RFC 4180 quoting within one line).</summary>
    Csv,
    /// <summary>One JSON object per line.</summary>
    JsonLines,
}

/// <summary>One input item: its id (id column or line number) and text, or why it cannot be classified.</summary>
/// <param name="Key">The id written to the output: the id column/field when present, else the 1-based line number. Not necessarily unique; records are identified by <paramref name="LineNumber"/>.</param>
/// <param name="LineNumber">1-based physical line.</param>
/// <param name="Text">The text, when the line is usable.</param>
/// <param name="Error">Why the line is not usable (invalid UTF-8, empty text, malformed row), else null.</param>
public sealed record ClassifyInputLine(string Key, int LineNumber, string? Text, string? Error);

/// <summary>A run of whole lines of a classify input: <paramref name="Count"/> lines from byte <paramref name="Offset"/>, where line <paramref name="FirstLine"/> (1-based) starts.</summary>
public readonly record struct ClassifyInputRange(long Offset, int FirstLine, int Count)
{
    /// <summary>Every line of the file.</summary>
    public static ClassifyInputRange Whole => new(0, 1, int.MaxValue);
}

/// <summary>Reads classify inputs lazily, one line at a time.</summary>
public static class ClassifyInputReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The concrete format of <paramref name="path"/> under <paramref name="format"/>.</summary>
    public static ClassifyInputFormat Resolve(string path, ClassifyInputFormat format) => format != ClassifyInputFormat.Auto ? format
        : DatasetFormatDetector.ContentExtension(path) switch
        {
            ".tsv" or ".tab" => ClassifyInputFormat.Tsv,
            ".csv" => ClassifyInputFormat.Csv,
            ".jsonl" or ".ndjson" or ".json" => ClassifyInputFormat.JsonLines,
            _ => ClassifyInputFormat.Lines,
        };

    /// <summary>
    /// Enumerates the items of <paramref name="path"/>. A missing file or an unusable header throws at once; problems
    /// of single lines are returned as items with <see cref="ClassifyInputLine.Error"/> set.
    /// </summary>
    /// <remarks>
    /// Only regular files are read (a FIFO or device is refused at once), gzip content is decompressed, the input may hold at
    /// most <see cref="BoundedFile.DefaultMaxTextBytes"/> bytes, and a line longer than <paramref name="maxLineBytes"/> is one
    /// error item.
    /// </remarks>
    public static IEnumerable<ClassifyInputLine> Read(string path, ClassifyInputFormat format = ClassifyInputFormat.Auto, string textColumn = "text", string idColumn = "id",
        int maxLineBytes = BoundedLineReader.DefaultMaxLineBytes) =>
        Read(path, ClassifyInputRange.Whole, format, textColumn, idColumn, maxLineBytes);

    /// <summary>
    /// Enumerates the items of the lines in <paramref name="range"/> of <paramref name="path"/>, numbered as in the whole
    /// file (a TSV/CSV header is read from line 1 first when the range starts after it). Same errors and bounds as the whole-file form.
    /// </summary>
    public static IEnumerable<ClassifyInputLine> Read(string path, ClassifyInputRange range, ClassifyInputFormat format = ClassifyInputFormat.Auto, string textColumn = "text", string idColumn = "id",
        int maxLineBytes = BoundedLineReader.DefaultMaxLineBytes)
    {
        BoundedFile.RequireRegularFile(path);
        var resolved = Resolve(path, format);
        return ReadChecked(path, Lines(path, range, resolved is ClassifyInputFormat.Tsv or ClassifyInputFormat.Csv, maxLineBytes), range.FirstLine, resolved, textColumn, idColumn, maxLineBytes);
    }

    /// <summary>
    /// Enumerates the items of an open stream (standard input), read line by line as it arrives; <paramref name="name"/>
    /// names it in messages. <see cref="ClassifyInputFormat.Auto"/> means one text per line. Same line bound as for files.
    /// </summary>
    public static IEnumerable<ClassifyInputLine> Read(Stream stream, string name, ClassifyInputFormat format = ClassifyInputFormat.Auto, string textColumn = "text", string idColumn = "id",
        int maxLineBytes = BoundedLineReader.DefaultMaxLineBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var resolved = format == ClassifyInputFormat.Auto ? ClassifyInputFormat.Lines : format;
        return ReadChecked(name, BoundedLineReader.ReadLines(stream, maxLineBytes).Select(raw => (raw.Number, raw)), 1, resolved, textColumn, idColumn, maxLineBytes);
    }

    /// <summary>
    /// The raw lines of <paramref name="range"/> with their numbers in the whole file, preceded by the header line when the
    /// range starts after it. Plain files seek to the range's offset; gzip content is read from the start and skipped by number.
    /// </summary>
    private static IEnumerable<(int Number, RawLine Raw)> Lines(string path, ClassifyInputRange range, bool header, int maxLineBytes)
    {
        if (header && range.FirstLine > 1)
        {
            using var start = BoundedFile.OpenRead(path, BoundedFile.DefaultMaxTextBytes, "input", decompressGzip: true);
            foreach (var raw in BoundedLineReader.ReadLines(start, maxLineBytes)) { yield return (1, raw); break; }
        }
        bool seek = range.FirstLine > 1 && !BoundedFile.IsGzip(path);
        using var stream = BoundedFile.OpenRead(path, BoundedFile.DefaultMaxTextBytes, "input", decompressGzip: true, startOffset: seek ? range.Offset : 0);
        long last = (long)range.FirstLine + range.Count - 1;
        foreach (var raw in BoundedLineReader.ReadLines(stream, maxLineBytes))
        {
            long number = seek ? raw.Number + (long)range.FirstLine - 1 : raw.Number;
            if (number < range.FirstLine) continue;
            if (number > last) yield break;
            yield return ((int)number, raw);
        }
    }

    private static IEnumerable<ClassifyInputLine> ReadChecked(string path, IEnumerable<(int Number, RawLine Raw)> lines, int firstLine, ClassifyInputFormat format,
        string textColumn, string idColumn, int maxLineBytes)
    {
        bool delimited = format is ClassifyInputFormat.Tsv or ClassifyInputFormat.Csv;
        char delimiter = format == ClassifyInputFormat.Csv ? ',' : '\t';
        int textIndex = -1, idIndex = -1;
        foreach (var (number, raw) in lines)
        {
            if (raw.TooLong)
            {
                if (number == 1 && delimited)
                    throw new InvalidDataException($"{path}:1: the header is {raw.Length:N0} bytes long; lines longer than {maxLineBytes:N0} bytes are refused.");
                yield return new ClassifyInputLine(Key(number), number, null, BoundedLineReader.DescribeTooLong(raw, maxLineBytes));
                continue;
            }
            var line = TryDecode(raw.Bytes.Span);
            if (line is null)
            {
                if (number == 1 && delimited) throw new InvalidDataException($"{path}:1: the header is not valid UTF-8.");
                yield return new ClassifyInputLine(Key(number), number, null, $"line {number}: invalid UTF-8");
                continue;
            }
            if (number == 1) line = line.TrimStart('\uFEFF');
            line = line.TrimEnd('\r');
            // A blank line holds no text: it is passed over, not reported (its line number simply has no record).
            if (string.IsNullOrWhiteSpace(line) && !(number == 1 && delimited)) continue;
            if (number == 1 && delimited)
            {
                var first = DelimitedLine.Split(line, delimiter) ?? throw new InvalidDataException($"{path}:1: malformed first line.");
                bool header;
                (header, textIndex, idIndex) = Columns(path, first, textColumn, idColumn);
                // Without a header the first line is data — unless this read starts after it (a shard of the file).
                if (header || firstLine > 1) continue;
            }
            switch (format)
            {
                case ClassifyInputFormat.Lines:
                    yield return Item(Key(number), number, line);
                    break;
                case ClassifyInputFormat.Tsv or ClassifyInputFormat.Csv:
                    var fields = DelimitedLine.Split(line, delimiter);
                    if (fields is null || fields.Count <= Math.Max(textIndex, idIndex))
                    {
                        yield return new ClassifyInputLine(Key(number), number, null, $"line {number}: expected at least {Math.Max(textIndex, idIndex) + 1} fields");
                        break;
                    }
                    yield return Item(idIndex >= 0 && fields[idIndex].Length > 0 ? fields[idIndex] : Key(number), number, fields[textIndex]);
                    break;
                default:
                    yield return ParseJson(line, number, textColumn, idColumn);
                    break;
            }
        }
    }

    /// <summary>
    /// Reads the first line of a TSV/CSV input: a header when it names the text column (or, for a column given by its
    /// 0-based position, when it has a field named "text" or "label"); otherwise the file has no header and the text is
    /// the given position, or column 1 of a label&lt;TAB&gt;text file as training reads it.
    /// </summary>
    private static (bool Header, int Text, int Id) Columns(string path, List<string> first, string textColumn, string idColumn)
    {
        var names = first.Select(f => f.Trim()).ToList();
        int Named(string name) => names.FindIndex(h => h.Equals(name, StringComparison.OrdinalIgnoreCase));
        static int? Position(string column) => int.TryParse(column, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) ? p : null;
        if (Position(textColumn) is int text)
        {
            bool header = Named("text") >= 0 || Named("label") >= 0;
            return (header, text, Position(idColumn) ?? (header ? Named(idColumn) : -1));
        }
        if (Named(textColumn) is >= 0 and var named)
            return (true, named, Named(idColumn));
        if (names.Count == 2 && textColumn.Equals("text", StringComparison.OrdinalIgnoreCase))
            return (false, 1, -1);   // label<TAB>text without a header, the layout training reads
        throw new InvalidDataException($"{path}:1: the header has no '{textColumn}' column (found: {string.Join(", ", first)}); name it with --text-column NAME, or give its 0-based position (--text-column 1 for label<TAB>text files).");
    }

    private static string? TryDecode(ReadOnlySpan<byte> bytes)
    {
        try { return StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException) { return null; }
    }

    private static string Key(int lineNumber) => lineNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static ClassifyInputLine Item(string key, int number, string text) =>
        string.IsNullOrWhiteSpace(text) ? new ClassifyInputLine(key, number, null, $"line {number}: empty text") : new ClassifyInputLine(key, number, text, null);

    private static ClassifyInputLine ParseJson(string line, int number, string textField, string idField)
    {
        if (line.Length == 0) return new ClassifyInputLine(Key(number), number, null, $"line {number}: empty line");
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return new ClassifyInputLine(Key(number), number, null, $"line {number}: expected a JSON object");
            string key = root.TryGetProperty(idField, out var id) && id.ValueKind is JsonValueKind.String or JsonValueKind.Number ? id.ToString() : Key(number);
            if (!root.TryGetProperty(textField, out var text) || text.ValueKind != JsonValueKind.String)
                return new ClassifyInputLine(key, number, null, $"line {number}: no string field '{textField}'");
            return Item(key, number, text.GetString()!);
        }
        catch (JsonException e)
        {
            return new ClassifyInputLine(Key(number), number, null, $"line {number}: invalid JSON ({e.Message})");
        }
    }
}
