// One epoch of a training metrics log and its JSONL reader. The trainer appends one JSON object
// per epoch, e.g. {"epoch":1,"train_loss":2.31,"valid_loss":2.10,"valid_metric":0.41,"lr":0.001};
// the report draws loss and validation-metric curves from it. Fields other than the known ones
// (throughput, grad norm, ...) are kept in Extra rather than rejected, so the log can grow.
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Reports;

/// <summary>Metrics of one training epoch.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean training loss of the epoch.</param>
/// <param name="ValidLoss">Validation loss, if measured.</param>
/// <param name="ValidMetric">Validation metric (e.g. accuracy or CIDEr-D), if measured.</param>
/// <param name="MetricName">Name of <paramref name="ValidMetric"/>, if the log gives one.</param>
/// <param name="LearningRate">Learning rate at the end of the epoch, if logged.</param>
public sealed record TrainingLogEntry(
    [property: JsonPropertyName("epoch")] int Epoch,
    [property: JsonPropertyName("train_loss")] double TrainLoss,
    [property: JsonPropertyName("valid_loss")] double? ValidLoss = null,
    [property: JsonPropertyName("valid_metric")] double? ValidMetric = null,
    [property: JsonPropertyName("metric_name")] string? MetricName = null,
    [property: JsonPropertyName("lr")] double? LearningRate = null)
{
    /// <summary>Other numeric fields of the line (name → value), in file order.</summary>
    [JsonIgnore]
    public ImmutableDictionary<string, double> Extra { get; init; } = ImmutableDictionary<string, double>.Empty;
}

/// <summary>Reads a JSONL training log (one <see cref="TrainingLogEntry"/> object per line).</summary>
public static class TrainingLogReader
{
    private static readonly HashSet<string> KnownFields = new(StringComparer.Ordinal)
    {
        "epoch", "train_loss", "valid_loss", "valid_metric", "metric_name", "lr",
    };

    /// <summary>Reads the log at <paramref name="path"/>.</summary>
    /// <exception cref="FormatException">A line is not a JSON object, lacks epoch/train_loss, or epochs
    /// do not increase (the message names the file and line).</exception>
    public static IReadOnlyList<TrainingLogEntry> Read(string path)
    {
        using var reader = new StreamReader(path);
        return Read(reader, path);
    }

    /// <summary>Reads a log from <paramref name="reader"/>; <paramref name="source"/> names it in errors.</summary>
    public static IReadOnlyList<TrainingLogEntry> Read(TextReader reader, string source = "<memory>")
    {
        ArgumentNullException.ThrowIfNull(reader);
        var entries = new List<TrainingLogEntry>();
        int lineNumber = 0;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var entry = ParseLine(line, source, lineNumber);
            if (entries.Count > 0 && entry.Epoch <= entries[^1].Epoch)
                throw new FormatException($"{source}:{lineNumber}: epoch {entry.Epoch} does not follow epoch {entries[^1].Epoch}.");
            entries.Add(entry);
        }
        return entries;
    }

    private static TrainingLogEntry ParseLine(string line, string source, int lineNumber)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new FormatException($"{source}:{lineNumber}: expected a JSON object, got {root.ValueKind}.");
            if (!root.TryGetProperty("epoch", out var epoch) || epoch.ValueKind != JsonValueKind.Number)
                throw new FormatException($"{source}:{lineNumber}: missing numeric \"epoch\".");
            if (!root.TryGetProperty("train_loss", out var trainLoss) || trainLoss.ValueKind != JsonValueKind.Number)
                throw new FormatException($"{source}:{lineNumber}: missing numeric \"train_loss\".");

            var extra = ImmutableDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!KnownFields.Contains(property.Name) && property.Value.ValueKind == JsonValueKind.Number)
                    extra[property.Name] = property.Value.GetDouble();
            }
            return new TrainingLogEntry(
                epoch.GetInt32(),
                trainLoss.GetDouble(),
                OptionalNumber(root, "valid_loss"),
                OptionalNumber(root, "valid_metric"),
                root.TryGetProperty("metric_name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null,
                OptionalNumber(root, "lr"))
            { Extra = extra.ToImmutable() };
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{source}:{lineNumber}: invalid JSON: {ex.Message}", ex);
        }
    }

    private static double? OptionalNumber(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}
