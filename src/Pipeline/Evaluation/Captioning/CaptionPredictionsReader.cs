// Reads captions produced by any system for scoring: our own `pipeline caption` output (JSONL/CSV/TSV
// with an image column and a caption column) or a COCO results file ([{"image_id": 42, "caption": "..."}]).
// TSV values are unescaped the way ResumableResultWriter escapes them (\t, \n, \r, \\). Files are read through
// BoundedFile (regular files only, size-bounded, gzip decompressed) and JSON lines through BoundedLineReader.
using System.Text;
using System.Text.Json;
using Microsoft.VisualBasic.FileIO;
using Pipeline.Batch;
using Pipeline.Preprocessing.Files;

namespace Pipeline.Evaluation.Captioning;

/// <summary>One predicted caption and the key (image path, file name or numeric id) it belongs to.</summary>
public sealed record CaptionPrediction(string Key, string Caption);

/// <summary>Loads predicted captions from JSONL, CSV, TSV or COCO results JSON, with errors that name file and line.</summary>
public static class CaptionPredictionsReader
{
    private static readonly string[] KeyColumns = ["image", "image_id", "path", "file", "file_name", "filename", "id"];
    private static readonly string[] CaptionColumns = ["caption", "text", "prediction"];

    /// <summary>Reads <paramref name="path"/>; the format follows the extension (.json = COCO results, .jsonl, .csv, .tsv).</summary>
    public static IReadOnlyList<CaptionPrediction> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"predictions file not found: {path}", path);
        BoundedFile.RequireRegularFile(path, "predictions file");
        return Preprocessing.Datasets.DatasetFormatDetector.ContentExtension(path) switch
        {
            ".json" => ReadCocoResults(path),
            ".csv" => ReadDelimited(path, ","),
            ".tsv" or ".tab" => ReadDelimited(path, "\t"),
            _ => ReadJsonLines(path),
        };
    }

    private static IReadOnlyList<CaptionPrediction> ReadCocoResults(string path)
    {
        using var stream = Open(path);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(stream); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not valid JSON (line {e.LineNumber + 1}): {e.Message}"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{path}: expected a COCO results array [{{\"image_id\": ..., \"caption\": ...}}].");
            var list = new List<CaptionPrediction>();
            int index = 0;
            foreach (var item in doc.RootElement.EnumerateArray())
            {
                list.Add(FromObject(item, $"{path}: entry {index}"));
                index++;
            }
            return list;
        }
    }

    private static IReadOnlyList<CaptionPrediction> ReadJsonLines(string path)
    {
        var list = new List<CaptionPrediction>();
        using var stream = Open(path);
        foreach (var raw in BoundedLineReader.ReadLines(stream))
        {
            int lineNumber = raw.Number;
            if (raw.TooLong) throw new InvalidDataException($"{path}:{lineNumber}: {BoundedLineReader.DescribeTooLong(raw, BoundedLineReader.DefaultMaxLineBytes)}.");
            var line = Encoding.UTF8.GetString(raw.Bytes.Span);
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                list.Add(FromObject(doc.RootElement, $"{path}:{lineNumber}"));
            }
            catch (JsonException e) { throw new InvalidDataException($"{path}:{lineNumber}: not valid JSON: {e.Message}"); }
        }
        return list;
    }

    private static CaptionPrediction FromObject(JsonElement item, string where)
    {
        if (item.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{where}: expected an object with an image key and a caption.");
        string? key = null, caption = null;
        foreach (var name in KeyColumns)
            if (item.TryGetProperty(name, out var v)) { key = v.ValueKind == JsonValueKind.Number ? v.GetRawText() : v.GetString(); break; }
        foreach (var name in CaptionColumns)
            if (item.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String) { caption = v.GetString(); break; }
        if (string.IsNullOrEmpty(key)) throw new InvalidDataException($"{where}: no image key (expected one of {string.Join(", ", KeyColumns)}).");
        if (caption is null) throw new InvalidDataException($"{where}: no caption (expected one of {string.Join(", ", CaptionColumns)}).");
        return new CaptionPrediction(key, caption);
    }

    private static IReadOnlyList<CaptionPrediction> ReadDelimited(string path, string delimiter)
    {
        using var parser = new TextFieldParser(Open(path), Encoding.UTF8) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = delimiter == "," };
        parser.SetDelimiters(delimiter);
        var header = parser.ReadFields() ?? throw new InvalidDataException($"{path}: empty file; expected a header row.");
        int keyColumn = Array.FindIndex(header, h => KeyColumns.Contains(h.Trim().ToLowerInvariant()));
        int captionColumn = Array.FindIndex(header, h => CaptionColumns.Contains(h.Trim().ToLowerInvariant()));
        if (keyColumn < 0 || captionColumn < 0)
            throw new InvalidDataException($"{path}:1: header must name an image column ({string.Join("/", KeyColumns)}) and a caption column ({string.Join("/", CaptionColumns)}).");
        var list = new List<CaptionPrediction>();
        while (!parser.EndOfData)
        {
            long line = parser.LineNumber;
            string[]? fields;
            try { fields = parser.ReadFields(); }
            catch (MalformedLineException e) { throw new InvalidDataException($"{path}:{e.LineNumber}: malformed line: {e.Message}"); }
            if (fields is null || fields.Length == 1 && fields[0].Length == 0) continue;
            if (fields.Length <= Math.Max(keyColumn, captionColumn))
                throw new InvalidDataException($"{path}:{line}: {fields.Length} columns; expected at least {Math.Max(keyColumn, captionColumn) + 1}.");
            // TSV written by `pipeline caption` escapes tabs, line breaks and backslashes.
            list.Add(delimiter == "\t"
                ? new CaptionPrediction(TsvEscaping.Unescape(fields[keyColumn]), TsvEscaping.Unescape(fields[captionColumn]))
                : new CaptionPrediction(fields[keyColumn], fields[captionColumn]));
        }
        return list;
    }

    private static Stream Open(string path) => BoundedFile.OpenRead(path, BoundedFile.DefaultMaxTextBytes, "predictions file", decompressGzip: true);
}
