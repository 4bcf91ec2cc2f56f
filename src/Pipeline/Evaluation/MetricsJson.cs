// Writes evaluation results as JSON for `--metrics m.json`: one classification report, several
// named ones (our models beside the ML.NET baseline), or caption metrics. Files are written to a
// temporary sibling and moved into place, so a reader never sees half a file. Text is plain UTF-8 (a label
// "crème" stays "crème", not "cr\u00E8me"), as in every JSON file the CLI writes (docs/cli.md).
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pipeline.Evaluation.Captioning;
using Pipeline.Evaluation.Classification;

namespace Pipeline.Evaluation;

/// <summary>JSON writer for evaluation metrics files.</summary>
public static class MetricsJson
{
    /// <summary>
    /// File the train commands write the best model's test-split scores to, inside the model directory
    /// (ClassifierExperiment: classification reports; CaptionerExperiment: caption metrics per decoding setting).
    /// </summary>
    public const string TestMetricsFile = "test_metrics.json";

    private static readonly JsonSerializerOptions Classification = new(ClassificationReport.IndentedOptions) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions Captions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes one classification report.</summary>
    public static void Write(string path, ClassificationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        WriteAtomically(path, JsonSerializer.Serialize(report, Classification));
    }

    /// <summary>Writes several named classification reports as one object keyed by model name (in the given order).</summary>
    public static void Write(string path, IReadOnlyList<KeyValuePair<string, ClassificationReport>> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, _) in reports)
        {
            if (!names.Add(name)) throw new ArgumentException($"Model name '{name}' occurs twice.", nameof(reports));
        }
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            foreach (var (name, report) in reports)
            {
                writer.WritePropertyName(name);
                JsonSerializer.Serialize(writer, report, Classification);
            }
            writer.WriteEndObject();
        }
        WriteAtomically(path, Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>Writes caption metrics (corpus and per-image scores).</summary>
    public static void Write(string path, CaptionMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        WriteAtomically(path, JsonSerializer.Serialize(metrics, Captions));
    }

    private static void WriteAtomically(string path, string json)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        string temp = full + ".tmp";
        File.WriteAllText(temp, json + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temp, full, overwrite: true);
    }
}
