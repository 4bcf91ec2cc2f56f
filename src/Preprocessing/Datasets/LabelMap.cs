// Label ↔ class-index map fitted on training labels. At test time an unseen label cannot be given an index
// (the model has no output for it), so it is reported per policy instead of being mapped to a wrong class.
using System.Text.Json;

namespace Pipeline.Preprocessing.Datasets;

/// <summary>Labels of a dataset mapped to class indices; examples kept after mapping, with the skip report.</summary>
/// <param name="ExampleIndices">Indices (into the dataset's examples) of the examples that were kept.</param>
/// <param name="ClassIndices">Class index of each kept example, aligned with <paramref name="ExampleIndices"/>.</param>
/// <param name="Report">Unseen labels that were skipped.</param>
public sealed record EncodedLabels(int[] ExampleIndices, int[] ClassIndices, DatasetLoadReport Report);

/// <summary>Immutable label → class index map; classes in ordinal order of their names.</summary>
public sealed class LabelMap
{
    private readonly Dictionary<string, int> _indices;

    private LabelMap(string[] labels)
    {
        Labels = labels;
        _indices = new Dictionary<string, int>(labels.Length, StringComparer.Ordinal);
        for (var i = 0; i < labels.Length; i++)
        {
            if (!_indices.TryAdd(labels[i], i))
                throw new FormatException($"Label '{labels[i]}' appears twice in the label map.");
        }
    }

    /// <summary>Class names by index.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Fits the map on training labels (ordinal order, so indices do not depend on example order).</summary>
    public static LabelMap Fit(IEnumerable<string> labels) => new(labels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray());

    /// <summary>Fits the map on a training dataset.</summary>
    public static LabelMap Fit(ClassificationDataset training) => Fit(training.Examples.Select(e => e.Label));

    /// <summary>The class index of <paramref name="label"/>, or false when training never saw it.</summary>
    public bool TryGetIndex(string label, out int index) => _indices.TryGetValue(label, out index);

    /// <summary>Maps every example's label; an unseen label is reported with the example's file and line (per policy).</summary>
    public EncodedLabels Encode(ClassificationDataset dataset, ErrorPolicy policy)
    {
        var errors = new ErrorCollector(policy);
        var kept = new List<int>();
        var classes = new List<int>();
        for (var i = 0; i < dataset.Examples.Count; i++)
        {
            var example = dataset.Examples[i];
            if (!TryGetIndex(example.Label, out var index))
            {
                errors.Report(example.Source, example.Line,
                    $"label '{example.Label}' was not seen in training; expected one of {string.Join(", ", Labels)}");
                continue;
            }
            kept.Add(i);
            classes.Add(index);
        }
        return new EncodedLabels([.. kept], [.. classes], errors.ToReport(kept.Count));
    }

    /// <summary>Serializes as a JSON array of label names in index order.</summary>
    public string ToJson() => JsonSerializer.Serialize(Labels);

    /// <summary>Parses <see cref="ToJson"/> output; errors name <paramref name="source"/>.</summary>
    public static LabelMap FromJson(string json, string source = "<memory>")
    {
        try
        {
            var labels = JsonSerializer.Deserialize<string[]>(json) ?? throw new FormatException($"{source}: label map is null.");
            return new LabelMap(labels);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{source}: invalid label map JSON at line {ex.LineNumber + 1}: {ex.Message}", ex);
        }
    }
}
