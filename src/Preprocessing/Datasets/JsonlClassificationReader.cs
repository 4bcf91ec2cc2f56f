// JSON Lines classification files: one object per line with text and label fields (names configurable);
// numeric or boolean labels become their JSON text ("5", "true").
using System.Text.Json;

namespace Pipeline.Preprocessing.Datasets;

/// <summary>Reads JSONL classification files.</summary>
internal static class JsonlClassificationReader
{
    public static void Read(string file, ClassificationLoadOptions options, ErrorCollector errors, List<ClassificationExample> examples)
    {
        foreach (var line in SourceText.ReadTextLines(file, errors))
        {
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
                ExampleCollector.Add(file, line.Number, text, label, id, errors, examples);
            }
        }
    }
}
