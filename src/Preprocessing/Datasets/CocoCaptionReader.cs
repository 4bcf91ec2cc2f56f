// COCO captions annotations JSON (captions_train2014.json): {"images":[{"id","file_name"}],
// "annotations":[{"image_id","caption"}]}. The file carries no split: the caller gives one or it comes
// from the file name (see CaptionDatasetLoader.SplitFromFileName).
using System.Text.Json;

namespace Pipeline.Preprocessing.Datasets;

/// <summary>Reads COCO captions annotations into a <see cref="CaptionCollector"/>.</summary>
internal static class CocoCaptionReader
{
    public static void Read(CaptionCollector collector, DatasetSplit split)
    {
        var names = new Dictionary<long, string>();
        // COCO writes "images" before "annotations", but JSON does not promise property order: annotations whose
        // image is not known yet wait here and are resolved once the whole file has been read.
        var pending = new List<(long ImageId, string Caption, int Line)>();
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
                collector.Declare(fileName, null, split, line, imageId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            },
            ["annotations"] = (annotation, line) =>
            {
                var caption = JsonArrayWalker.GetString(annotation, "caption");
                if (caption is null || !annotation.TryGetProperty("image_id", out var id) || !id.TryGetInt64(out var imageId))
                {
                    collector.Errors.Report(collector.File, line, "annotation needs a numeric \"image_id\" and a string \"caption\"");
                    return;
                }
                if (names.TryGetValue(imageId, out var fileName))
                    collector.Add(fileName, null, split, new CaptionReference(caption.Trim()), line);
                else
                    pending.Add((imageId, caption, line));
            },
        };
        JsonArrayWalker.Walk(collector.File, handlers);
        foreach (var (imageId, caption, line) in pending)
        {
            if (names.TryGetValue(imageId, out var fileName))
                collector.Add(fileName, null, split, new CaptionReference(caption.Trim()), line);
            else
                collector.Errors.Report(collector.File, line, $"annotation refers to image id {imageId}, which is not in \"images\"");
        }
    }
}
