// How a Pipeline ML.NET component remembers its settings (model directory, beam size) inside a saved
// ML.NET model. ML.NET 5's model-file API for custom components (ModelSaveContext writers, loadable-class
// registration) is internal, and a CustomMapping saves nothing but its contract name. So the settings are
// written as a constant column by ML.NET's own Expression transform, which does save its expression:
//     Expression("__Pipeline.Settings", "x => \"<base64 JSON>\"", input)
// The mapping reads the column on every row; decoding is cached, so this costs a dictionary lookup.
// Base64 keeps quotes and backslashes of arbitrary paths out of the expression language.
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace Pipeline.MLNet;

/// <summary>Settings of one Pipeline ML.NET component as stored in a model.</summary>
/// <param name="ModelDirectory">Absolute path of the model directory.</param>
/// <param name="BeamSize">Beam width (captioning only; 1 = greedy).</param>
internal sealed record ModelSettings(string ModelDirectory, int BeamSize = 1)
{
    /// <summary>Prefix of the temporary columns the components add and drop again.</summary>
    public const string ReservedPrefix = "__Pipeline.";

    /// <summary>Name of the constant settings column.</summary>
    public const string Column = ReservedPrefix + "Settings";

    private static readonly ConcurrentDictionary<string, ModelSettings> Decoded = new(StringComparer.Ordinal);

    /// <summary>The Expression-transform lambda producing the encoded settings on every row.</summary>
    public string ToExpression() => $"x => \"{Encode()}\"";

    /// <summary>Base64 of the JSON form.</summary>
    public string Encode() => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(this));

    /// <summary>Decodes (cached) the value of the settings column.</summary>
    public static ModelSettings Decode(string encoded) => Decoded.GetOrAdd(encoded, static e =>
    {
        try
        {
            return JsonSerializer.Deserialize<ModelSettings>(Encoding.UTF8.GetString(Convert.FromBase64String(e)))
                ?? throw new InvalidDataException("Pipeline ML.NET settings column is empty");
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            throw new InvalidDataException($"Pipeline ML.NET settings column is corrupt ({ex.Message}); was the model file edited?", ex);
        }
    });
}
