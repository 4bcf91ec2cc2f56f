// The four classification input layouts, each turned into (text, label, id, line) examples:
//   Delimited: label<TAB>text (or CSV), or any column order when a header names "label" and "text";
//   fastText:  __label__a __label__b some text  → label "a" (the first label wins; the others are
//              dropped because the models here are single-label, and the choice is documented, not silent);
//   JSONL:     {"text": ..., "label": ...} per line, field names configurable (numeric labels become strings);
//   Folder:    root/<label>/*.txt, one example per file.
using System.Text.Json;

namespace Pipeline.Preprocessing.Datasets;

/// <summary>Readers for each <see cref="ClassificationFormat"/>.</summary>
internal static class ClassificationReaders
{
    private const string FastTextPrefix = "__label__";

    public static void ReadDelimited(string file, ClassificationLoadOptions options, ErrorCollector errors, List<ClassificationExample> examples)
    {
        var delimiter = options.Delimiter ?? DatasetFormatDetector.DelimiterFor(file);
        int labelColumn = 0, textColumn = 1, idColumn = -1, columns = 2;
        var first = true;
        foreach (var record in DelimitedParser.Parse(SourceText.ReadLines(file), delimiter, options.AllowQuoting))
        {
            if (record.Error is not null)
            {
                errors.Report(file, record.Line, record.Error);
                continue;
            }
            if (record.Fields is [""])
                continue;
            if (first)
            {
                first = false;
                var header = record.Fields.Select(f => f.Trim()).ToArray();
                var label = Array.FindIndex(header, h => h.Equals(options.LabelField, StringComparison.OrdinalIgnoreCase));
                var text = Array.FindIndex(header, h => h.Equals(options.TextField, StringComparison.OrdinalIgnoreCase));
                var isHeader = options.HasHeader ?? (label >= 0 && text >= 0);
                if (isHeader)
                {
                    if (label < 0 || text < 0)
                    {
                        throw new DatasetFormatException(new DatasetError(file, record.Line,
                            $"header must name a '{options.LabelField}' and a '{options.TextField}' column; found {string.Join(", ", header)}"));
                    }
                    (labelColumn, textColumn, columns) = (label, text, header.Length);
                    idColumn = Array.FindIndex(header, h => h.Equals(options.IdField, StringComparison.OrdinalIgnoreCase));
                    continue;
                }
            }
            if (record.Fields.Length != columns)
            {
                errors.Report(file, record.Line,
                    $"found {record.Fields.Length} fields; expected {columns} separated by '{DelimitedParser.Show(delimiter)}'");
                continue;
            }
            var id = idColumn >= 0 ? record.Fields[idColumn] : null;
            Add(file, record.Line, record.Fields[textColumn], record.Fields[labelColumn], id, errors, examples);
        }
    }

    public static void ReadFastText(string file, ErrorCollector errors, List<ClassificationExample> examples)
    {
        foreach (var line in SourceText.ReadLines(file))
        {
            if (line.Text is null)
            {
                errors.Report(file, line.Number, line.Error!);
                continue;
            }
            if (line.Text.Trim().Length == 0)
                continue;
            string? label = null;
            var rest = line.Text.AsSpan().TrimStart();
            while (rest.StartsWith(FastTextPrefix))
            {
                var end = rest.IndexOfAny(' ', '\t');
                var token = end < 0 ? rest : rest[..end];
                label ??= token[FastTextPrefix.Length..].ToString();
                rest = end < 0 ? [] : rest[end..].TrimStart();
            }
            if (string.IsNullOrEmpty(label))
            {
                errors.Report(file, line.Number, $"expected '{FastTextPrefix}<label> text'");
                continue;
            }
            Add(file, line.Number, rest.ToString(), label, null, errors, examples);
        }
    }

    public static void ReadJsonl(string file, ClassificationLoadOptions options, ErrorCollector errors, List<ClassificationExample> examples)
    {
        foreach (var line in SourceText.ReadLines(file))
        {
            if (line.Text is null)
            {
                errors.Report(file, line.Number, line.Error!);
                continue;
            }
            if (line.Text.Trim().Length == 0)
                continue;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line.Text);
            }
            catch (JsonException ex)
            {
                errors.Report(file, line.Number, $"malformed JSON at byte {(ex.BytePositionInLine ?? 0) + 1}: {ex.Message}", ex);
                continue;
            }
            using (document)
            {
                var root = document.RootElement;
                var text = JsonArrayWalker.GetString(root, options.TextField);
                var label = root.ValueKind == JsonValueKind.Object && root.TryGetProperty(options.LabelField, out var labelValue)
                    ? labelValue.ValueKind switch
                    {
                        JsonValueKind.String => labelValue.GetString(),
                        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => labelValue.GetRawText(),
                        _ => null,
                    }
                    : null;
                if (text is null || label is null)
                {
                    errors.Report(file, line.Number, $"expected an object with a string \"{options.TextField}\" and a string or number \"{options.LabelField}\"");
                    continue;
                }
                var id = root.TryGetProperty(options.IdField, out var idValue) && idValue.ValueKind is JsonValueKind.String or JsonValueKind.Number
                    ? idValue.ValueKind == JsonValueKind.String ? idValue.GetString() : idValue.GetRawText()
                    : null;
                Add(file, line.Number, text, label, id, errors, examples);
            }
        }
    }

    public static void ReadFolder(string root, ErrorCollector errors, List<ClassificationExample> examples)
    {
        // Ordinal order of folders and files keeps example order identical on every file system.
        var classes = Directory.GetDirectories(root).Order(StringComparer.Ordinal).ToArray();
        if (classes.Length == 0)
            throw new DatasetFormatException(new DatasetError(root, 0, "expected one sub-folder per class holding .txt files; found none"));
        foreach (var folder in classes)
        {
            var label = Path.GetFileName(folder);
            foreach (var file in Directory.GetFiles(folder, "*.txt").Order(StringComparer.Ordinal))
            {
                string text;
                try
                {
                    text = SourceText.StrictUtf8.GetString(File.ReadAllBytes(file)).TrimStart('\uFEFF');
                }
                catch (System.Text.DecoderFallbackException)
                {
                    var line = SourceText.FindInvalidUtf8Line(File.ReadAllBytes(file)) ?? 0;
                    errors.Report(file, line, "invalid UTF-8; expected UTF-8 text");
                    continue;
                }
                Add(file, 0, text, label, Path.GetFileNameWithoutExtension(file), errors, examples);
            }
        }
    }

    private static void Add(string file, int line, string text, string label, string? id, ErrorCollector errors, List<ClassificationExample> examples)
    {
        text = text.Trim();
        label = label.Trim();
        if (label.Length == 0)
        {
            errors.Report(file, line, "empty label; expected a class name");
            return;
        }
        if (text.Length == 0)
        {
            errors.Report(file, line, $"empty text for label '{label}'; expected non-empty text");
            return;
        }
        examples.Add(new ClassificationExample(text, label, id, file, line));
    }
}
