// Writes dataset.json in the Karpathy split format used by COCO/Flickr captioning code, with a
// fixed property order and no indentation so the file is byte-identical for identical input.
using System.Text.Json;

namespace Pipeline.Preprocessing.Synthetic;

/// <summary>One image entry of a Karpathy-format dataset.</summary>
/// <param name="FileName">Image file name relative to the dataset folder.</param>
/// <param name="ImageId">Zero-based image id.</param>
/// <param name="Split">"train", "val" or "test".</param>
/// <param name="Captions">Reference captions.</param>
public sealed record KarpathyImage(string FileName, int ImageId, string Split, IReadOnlyList<SceneCaption> Captions);

/// <summary>Serialises <see cref="KarpathyImage"/>s as <c>{"dataset":..,"images":[..]}</c>.</summary>
public static class KarpathyDatasetWriter
{
    /// <summary>Writes the dataset to <paramref name="stream"/>; sentence ids run consecutively over all images.</summary>
    public static void Write(Stream stream, string datasetName, IEnumerable<KarpathyImage> images)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        w.WriteStartObject();
        w.WriteString("dataset", datasetName);
        w.WriteStartArray("images");
        int sentId = 0;
        foreach (var img in images)
        {
            w.WriteStartObject();
            w.WriteString("filename", img.FileName);
            w.WriteNumber("imgid", img.ImageId);
            w.WriteString("split", img.Split);
            w.WriteStartArray("sentids");
            for (int k = 0; k < img.Captions.Count; k++)
                w.WriteNumberValue(sentId + k);
            w.WriteEndArray();
            w.WriteStartArray("sentences");
            foreach (var c in img.Captions)
            {
                w.WriteStartObject();
                w.WriteStartArray("tokens");
                foreach (var t in c.Tokens)
                    w.WriteStringValue(t);
                w.WriteEndArray();
                w.WriteString("raw", c.Raw);
                w.WriteNumber("imgid", img.ImageId);
                w.WriteNumber("sentid", sentId++);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
