// TSV/CSV classification files: "label<TAB>text" without a header, or any column order when a header names
// the label and text columns (and optionally an id column). RFC 4180 quoting via DelimitedParser.
namespace Pipeline.Preprocessing.Datasets;

/// <summary>Reads TSV/CSV classification files.</summary>
internal static class DelimitedClassificationReader
{
    public static void Read(string file, ClassificationLoadOptions options, ErrorCollector errors, List<ClassificationExample> examples)
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
            ExampleCollector.Add(file, record.Line, record.Fields[textColumn], record.Fields[labelColumn], id, errors, examples);
        }
    }
}
