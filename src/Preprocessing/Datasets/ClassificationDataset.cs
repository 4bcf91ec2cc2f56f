// The in-memory form of a text classification dataset, whatever file format it came from.
namespace Pipeline.Preprocessing.Datasets;

/// <summary>One labelled text.</summary>
/// <param name="Text">The text.</param>
/// <param name="Label">Its label (the first one for multi-label fastText lines).</param>
/// <param name="Id">An id from the source, or null.</param>
/// <param name="Source">File it came from (for error messages downstream).</param>
/// <param name="Line">1-based line (0 for folder datasets, where each file is one example).</param>
public sealed record ClassificationExample(string Text, string Label, string? Id = null, string Source = "", int Line = 0);

/// <summary>A loaded classification dataset plus the report of what was skipped.</summary>
/// <param name="Examples">Examples in file order.</param>
/// <param name="Format">The format it was read as.</param>
/// <param name="Report">Counts and skipped items.</param>
public sealed record ClassificationDataset(IReadOnlyList<ClassificationExample> Examples, ClassificationFormat Format, DatasetLoadReport Report)
{
    /// <summary>Distinct labels in ordinal order (computed on each call, so a copy made with <c>with</c> stays consistent).</summary>
    public IReadOnlyList<string> Labels => Examples.Select(e => e.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The examples at <paramref name="indices"/>, e.g. one side of a split.</summary>
    public ClassificationDataset Subset(IEnumerable<int> indices)
    {
        var examples = indices.Select(i => Examples[i]).ToArray();
        return new ClassificationDataset(examples, Format, new DatasetLoadReport(examples.Length, []));
    }
}

/// <summary>Immutable settings for <see cref="ClassificationDatasetLoader"/>.</summary>
/// <param name="Format">Force a format instead of detecting it.</param>
/// <param name="Policy">What to do with bad items.</param>
/// <param name="Delimiter">Field delimiter for delimited files; null: ',' for .csv, tab otherwise.</param>
/// <param name="HasHeader">Whether a delimited file has a header; null: detect (first row names a text and a label column).</param>
/// <param name="AllowQuoting">RFC 4180 quoting in delimited files.</param>
/// <param name="TextField">JSONL field / header column holding the text.</param>
/// <param name="LabelField">JSONL field / header column holding the label.</param>
/// <param name="IdField">JSONL field / header column holding an optional id.</param>
public sealed record ClassificationLoadOptions(
    ClassificationFormat Format = ClassificationFormat.Auto,
    ErrorPolicy Policy = ErrorPolicy.Fail,
    char? Delimiter = null,
    bool? HasHeader = null,
    bool AllowQuoting = true,
    string TextField = "text",
    string LabelField = "label",
    string IdField = "id");
