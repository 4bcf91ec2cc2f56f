// Plain TSV/CSV captions beside an image folder: "image<TAB>caption", several lines per image, an optional
// header naming the image and caption columns (then in any order), RFC 4180 quoting.
namespace Pipeline.Preprocessing.Datasets;

/// <summary>Reads TSV/CSV caption files into a <see cref="CaptionCollector"/>.</summary>
internal static class DelimitedCaptionReader
{
    private static readonly string[] ImageColumnNames = ["image", "image_name", "filename", "file_name", "file", "img"];
    private static readonly string[] CaptionColumnNames = ["caption", "comment", "text", "sentence", "description"];

    public static void Read(CaptionCollector collector, DatasetSplit split)
    {
        var delimiter = DatasetFormatDetector.DelimiterFor(collector.File);
        int imageColumn = 0, captionColumn = 1, columns = 2;
        var first = true;
        foreach (var record in DelimitedParser.Parse(SourceText.ReadLines(collector.File), delimiter, allowQuoting: true))
        {
            if (record.Error is not null)
            {
                collector.Errors.Report(collector.File, record.Line, record.Error);
                continue;
            }
            if (record.Fields is [""])
                continue;
            if (first)
            {
                first = false;
                var header = record.Fields.Select(f => f.Trim().ToLowerInvariant()).ToArray();
                var image = Array.FindIndex(header, ImageColumnNames.Contains);
                var caption = Array.FindIndex(header, CaptionColumnNames.Contains);
                if (image >= 0 && caption >= 0)
                {
                    (imageColumn, captionColumn, columns) = (image, caption, header.Length);
                    continue;
                }
            }
            if (record.Fields.Length != columns)
            {
                collector.Errors.Report(collector.File, record.Line,
                    $"found {record.Fields.Length} fields; expected {columns} ('image{DelimitedParser.Show(delimiter)}caption')");
                continue;
            }
            collector.Add(record.Fields[imageColumn].Trim(), null, split, new CaptionReference(record.Fields[captionColumn].Trim()), record.Line);
        }
    }
}
