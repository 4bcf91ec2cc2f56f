// Streams the texts to classify out of a file with constant memory: plain text (one text per line),
// TSV/CSV with a header naming the text (and optionally id) column, or JSON lines with text/id fields.
// Lines are split on raw bytes and each is decoded with strict UTF-8 on its own, so one corrupt line
// becomes one error item (with its line number) instead of ending or garbling the whole run.
using System.Text;
using System.Text.Json;
using Pipeline.Batch;

namespace Pipeline.Classification;

/// <summary>Layout of a classify input file.</summary>
public enum ClassifyInputFormat
{
    /// <summary>From the extension: .tsv/.tab → TSV, .csv → CSV, .jsonl/.ndjson/.json → JSON lines, else plain lines.</summary>
    Auto,
    /// <summary>One text per line; the id is the 1-based line number.</summary>
    Lines,
    /// <summary>Tab-separated with a header row.</summary>
    Tsv,
    /// <summary>Comma-separated with a header row (RFC 4180 quoting within one line).</summary>
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
        : Path.GetExtension(path).ToLowerInvariant() switch
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
    public static IEnumerable<ClassifyInputLine> Read(string path, ClassifyInputFormat format = ClassifyInputFormat.Auto, string textColumn = "text", string idColumn = "id") =>
        Read(path, ClassifyInputRange.Whole, format, textColumn, idColumn);

    /// <summary>
    /// Enumerates the items of the lines in <paramref name="range"/> of <paramref name="path"/>, numbered as in the whole
    /// file (a TSV/CSV header is read from line 1 first when the range starts after it). Same errors as the whole-file form.
    /// </summary>
    public static IEnumerable<ClassifyInputLine> Read(string path, ClassifyInputRange range, ClassifyInputFormat format = ClassifyInputFormat.Auto, string textColumn = "text", string idColumn = "id")
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"input file not found: {path}", path);
        format = Resolve(path, format);
        char delimiter = format == ClassifyInputFormat.Csv ? ',' : '\t';
        int textIndex = -1, idIndex = -1;
        var lines = SplitLines(path, range.Offset, range.FirstLine).Take(range.Count);
        if (range.FirstLine > 1 && format is ClassifyInputFormat.Tsv or ClassifyInputFormat.Csv)
            lines = SplitLines(path, 0, 1).Take(1).Concat(lines);
        foreach (var (number, bytes) in lines)
        {
            var line = TryDecode(bytes.Span);
            if (line is null)
            {
                if (number == 1 && format is ClassifyInputFormat.Tsv or ClassifyInputFormat.Csv) throw new InvalidDataException($"{path}:1: the header is not valid UTF-8.");
                yield return new ClassifyInputLine(Key(number), number, null, $"line {number}: invalid UTF-8");
                continue;
            }
            if (number == 1) line = line.TrimStart('\uFEFF');
            line = line.TrimEnd('\r');
            switch (format)
            {
                case ClassifyInputFormat.Lines:
                    yield return Item(Key(number), number, line);
                    break;
                case ClassifyInputFormat.Tsv or ClassifyInputFormat.Csv when number == 1:
                    var header = DelimitedLine.Split(line, delimiter) ?? throw new InvalidDataException($"{path}:1: malformed header.");
                    textIndex = header.FindIndex(h => h.Trim().Equals(textColumn, StringComparison.OrdinalIgnoreCase));
                    idIndex = header.FindIndex(h => h.Trim().Equals(idColumn, StringComparison.OrdinalIgnoreCase));
                    if (textIndex < 0) throw new InvalidDataException($"{path}:1: the header has no '{textColumn}' column (found: {string.Join(", ", header)}); use --text-column.");
                    break;
                case ClassifyInputFormat.Tsv or ClassifyInputFormat.Csv:
                    if (line.Length == 0) { yield return new ClassifyInputLine(Key(number), number, null, $"line {number}: empty line"); break; }
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

    // Raw lines split on '\n' from 64 KiB reads, starting at byte `offset` (the start of line `firstNumber`); only the
    // current line is held (plus the read buffer).
    private static IEnumerable<(int Number, ReadOnlyMemory<byte> Bytes)> SplitLines(string path, long offset, int firstNumber)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        stream.Seek(offset, SeekOrigin.Begin);
        var buffer = new byte[1 << 16];
        var pending = new MemoryStream();
        int number = firstNumber - 1, read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            int start = 0;
            while (start < read)
            {
                int newline = Array.IndexOf(buffer, (byte)'\n', start, read - start);
                if (newline < 0) { pending.Write(buffer, start, read - start); break; }
                ReadOnlyMemory<byte> line;
                if (pending.Length == 0) line = buffer.AsMemory(start, newline - start);
                else
                {
                    pending.Write(buffer, start, newline - start);
                    line = pending.ToArray();
                    pending.SetLength(0);
                }
                yield return (++number, line);
                start = newline + 1;
            }
        }
        if (pending.Length > 0) yield return (++number, pending.ToArray());
    }
}
