// Karpathy split JSON (dataset_coco.json, dataset_flickr8k.json, dataset_flickr30k.json):
//   {"images":[{"filename","filepath"?,"split","sentences":[{"raw","tokens"}]}]}
// Each image carries its own split and its pre-tokenized sentences; "filepath" (COCO's train2014/val2014)
// is a folder under the image root.
using System.Text.Json;

namespace Pipeline.Preprocessing.Datasets;

/// <summary>Reads Karpathy split JSON into a <see cref="CaptionCollector"/>.</summary>
internal static class KarpathyCaptionReader
{
    public static void Read(CaptionCollector collector)
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
                // COCO-derived files carry "cocoid" (what COCO results refer to); others only "imgid".
                string? id = null;
                foreach (var key in new[] { "cocoid", "imgid" })
                    if (image.TryGetProperty(key, out var idValue) && idValue.TryGetInt64(out var number)) { id = number.ToString(System.Globalization.CultureInfo.InvariantCulture); break; }
                collector.Declare(fileName, folder, split.Value, line, id);
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
}
