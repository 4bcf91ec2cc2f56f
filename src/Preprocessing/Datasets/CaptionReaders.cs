// The four caption file formats, each turned into CaptionCollector calls. They share one file because each
// is a short translation from a file layout to (image, caption, line); the common work lives in CaptionCollector.
//   Karpathy: {"images":[{"filename","filepath"?,"split","sentences":[{"raw","tokens"}]}]}
//   COCO:     {"images":[{"id","file_name"}],"annotations":[{"image_id","caption"}]}
//   Flickr:   1000268201_693b08cb0e.jpg#0<TAB>A child in a pink dress ...
//   Delimited: image<TAB>caption (or CSV), optional header, several lines per image.
using System.Text.Json;

namespace Pipeline.Preprocessing.Datasets;

/// <summary>Readers for each <see cref="CaptionFormat"/>.</summary>
internal static class CaptionReaders
{
    private static readonly string[] ImageColumnNames = ["image", "image_name", "filename", "file_name", "file", "img"];
    private static readonly string[] CaptionColumnNames = ["caption", "comment", "text", "sentence", "description"];

    public static void ReadKarpathy(CaptionCollector collector)
    {
        var handlers = new Dictionary<string, Action<JsonElement, int>>
        {
            ["images"] = (image, line) =>
            {
                var fileName = JsonArrayWalker.GetString(image, "filename");
                if (string.IsNullOrEmpty(fileName))
                {
                    collector.Errors.Report(collector.File, line, "image entry lacks a string \"filename\"");
                    return;
                }
                var splitName = JsonArrayWalker.GetString(image, "split");
                var split = splitName is null ? DatasetSplit.Unassigned : DatasetFormatDetector.ParseSplit(splitName);
                if (split is null)
                {
                    collector.Errors.Report(collector.File, line, $"image '{fileName}' has unknown split '{splitName}'; expected train, val, test or restval");
                    return;
                }
                if (!image.TryGetProperty("sentences", out var sentences) || sentences.ValueKind != JsonValueKind.Array)
                {
                    collector.Errors.Report(collector.File, line, $"image '{fileName}' lacks a \"sentences\" array");
                    return;
                }
                var folder = JsonArrayWalker.GetString(image, "filepath");
                collector.Declare(fileName, folder, split.Value, line);
                foreach (var sentence in sentences.EnumerateArray())
                {
                    var raw = JsonArrayWalker.GetString(sentence, "raw") ?? "";
                    string[]? tokens = null;
                    if (sentence.ValueKind == JsonValueKind.Object && sentence.TryGetProperty("tokens", out var tokenArray) && tokenArray.ValueKind == JsonValueKind.Array)
                        tokens = tokenArray.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!).ToArray();
                    collector.Add(fileName, folder, split.Value, new CaptionReference(raw, tokens), line);
                }
            },
        };
        JsonArrayWalker.Walk(collector.File, handlers);
    }

    public static void ReadCoco(CaptionCollector collector, DatasetSplit split)
    {
        var names = new Dictionary<long, string>();
        var handlers = new Dictionary<string, Action<JsonElement, int>>
        {
            ["images"] = (image, line) =>
            {
                var fileName = JsonArrayWalker.GetString(image, "file_name");
                if (fileName is null || !image.TryGetProperty("id", out var id) || !id.TryGetInt64(out var imageId))
                {
                    collector.Errors.Report(collector.File, line, "image entry needs a numeric \"id\" and a string \"file_name\"");
                    return;
                }
                if (!names.TryAdd(imageId, fileName))
                {
                    collector.Errors.Report(collector.File, line, $"duplicate image id {imageId}");
                    return;
                }
                collector.Declare(fileName, null, split, line);
            },
            ["annotations"] = (annotation, line) =>
            {
                var caption = JsonArrayWalker.GetString(annotation, "caption");
                if (caption is null || !annotation.TryGetProperty("image_id", out var id) || !id.TryGetInt64(out var imageId))
                {
                    collector.Errors.Report(collector.File, line, "annotation needs a numeric \"image_id\" and a string \"caption\"");
                    return;
                }
                // COCO lists "images" before "annotations"; an id not seen yet refers to no image in the file.
                if (!names.TryGetValue(imageId, out var fileName))
                {
                    collector.Errors.Report(collector.File, line, $"annotation refers to image id {imageId}, which is not in \"images\"");
                    return;
                }
                collector.Add(fileName, null, split, new CaptionReference(caption.Trim()), line);
            },
        };
        JsonArrayWalker.Walk(collector.File, handlers);
    }

    public static void ReadFlickr(CaptionCollector collector, DatasetSplit split)
    {
        foreach (var line in SourceText.ReadLines(collector.File))
        {
            if (line.Text is null)
            {
                collector.Errors.Report(collector.File, line.Number, line.Error!);
                continue;
            }
            if (line.Text.Trim().Length == 0)
                continue;
            var tab = line.Text.IndexOf('\t');
            var hash = tab < 0 ? -1 : line.Text.LastIndexOf('#', tab);
            if (tab < 0 || hash <= 0)
            {
                collector.Errors.Report(collector.File, line.Number, "expected 'image.jpg#N<TAB>caption'");
                continue;
            }
            collector.Add(line.Text[..hash], null, split, new CaptionReference(line.Text[(tab + 1)..].Trim()), line.Number);
        }
    }

    public static void ReadDelimited(CaptionCollector collector, DatasetSplit split)
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

    /// <summary>Applies Flickr-style split lists (one image name per line) to collected images.</summary>
    public static void ApplySplitLists(CaptionCollector collector, IReadOnlyDictionary<DatasetSplit, string> lists)
    {
        foreach (var (split, listFile) in lists)
        {
            foreach (var line in SourceText.ReadLines(listFile))
            {
                if (line.Text is null)
                {
                    collector.Errors.Report(listFile, line.Number, line.Error!);
                    continue;
                }
                var name = line.Text.Trim();
                if (name.Length > 0 && !collector.TrySetSplit(name, split))
                    collector.Errors.Report(listFile, line.Number, $"split list names image '{name}', which has no caption in {collector.File}");
            }
        }
    }
}
