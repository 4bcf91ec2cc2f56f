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
}
