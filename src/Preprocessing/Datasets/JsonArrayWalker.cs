// Walks the top-level arrays of a large JSON object one element at a time, so a COCO-sized file
// (~80 MB) is held once as bytes and each element is parsed on its own instead of building one huge DOM.
// It also knows each element's line, which JsonDocument alone cannot tell.
using System.Text.Json;

namespace Pipeline.Preprocessing.Datasets;

/// <summary>Streams the elements of named top-level arrays of a JSON object to callbacks with their 1-based line.</summary>
internal static class JsonArrayWalker
{
    /// <summary>
    /// Reads <paramref name="file"/> and calls <paramref name="handlers"/>[name](element, line) for each element of
    /// each top-level array property it names. Syntax errors and invalid UTF-8 always throw
    /// <see cref="DatasetFormatException"/> with the line: past one, the rest of the file cannot be trusted.
    /// </summary>
    public static void Walk(string file, IReadOnlyDictionary<string, Action<JsonElement, int>> handlers)
    {
        var bytes = SourceText.ReadAllBytes(file);
        var invalidLine = SourceText.FindInvalidUtf8Line(bytes);
        if (invalidLine is { } line)
            throw new DatasetFormatException(new DatasetError(file, line, "invalid UTF-8; expected a UTF-8 JSON file"));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            WalkCore(bytes, file, handlers, seen);
        }
        catch (JsonException ex)
        {
            throw new DatasetFormatException(new DatasetError(file, (int)(ex.LineNumber ?? 0) + 1,
                $"malformed JSON at byte {(ex.BytePositionInLine ?? 0) + 1} of the line: {ex.Message}"), ex);
        }
        foreach (var name in handlers.Keys.Where(name => !seen.Contains(name)))
            throw new DatasetFormatException(new DatasetError(file, 0, $"missing top-level array \"{name}\""));
    }

    private static void WalkCore(byte[] bytes, string file, IReadOnlyDictionary<string, Action<JsonElement, int>> handlers, HashSet<string> seen)
    {
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        // Lines are counted incrementally between element starts, so the total cost stays linear in the file size.
        long countedUpTo = 0;
        var line = 1;
        Expect(ref reader, JsonTokenType.StartObject, file, bytes, "a JSON object at the top level");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (!handlers.TryGetValue(name, out var handler))
            {
                reader.Skip();
                continue;
            }
            seen.Add(name);
            if (reader.TokenType != JsonTokenType.StartArray)
                throw new DatasetFormatException(new DatasetError(file, SourceText.LineOfOffset(bytes, reader.TokenStartIndex), $"\"{name}\" must be an array"));
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = reader.TokenStartIndex;
                line += bytes.AsSpan((int)countedUpTo, (int)(start - countedUpTo)).Count((byte)'\n');
                countedUpTo = start;
                using var element = JsonDocument.ParseValue(ref reader);
                handler(element.RootElement, line);
            }
        }
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string file, byte[] bytes, string what)
    {
        if (!reader.Read() || reader.TokenType != type)
            throw new DatasetFormatException(new DatasetError(file, SourceText.LineOfOffset(bytes, reader.TokenStartIndex), $"expected {what}"));
    }

    /// <summary>A string property, or null when missing or not a string.</summary>
    public static string? GetString(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
