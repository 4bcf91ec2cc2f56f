// How dataset readers report bad input. Every problem becomes a DatasetError naming the file and 1-based
// line; the ErrorPolicy decides whether the first one throws or all are skipped and listed in the report.
// Nothing is dropped silently: a skipped item always leaves an entry in DatasetLoadReport.Skipped.
namespace Pipeline.Preprocessing.Datasets;

/// <summary>What a reader does with a malformed item.</summary>
public enum ErrorPolicy
{
    /// <summary>Throw <see cref="DatasetFormatException"/> at the first bad item.</summary>
    Fail,

    /// <summary>Skip bad items and list each one in <see cref="DatasetLoadReport.Skipped"/>.</summary>
    Skip,
}

/// <summary>One problem found while reading a dataset.</summary>
/// <param name="File">The file (or folder) the problem is in.</param>
/// <param name="Line">1-based line number; 0 when the problem concerns the whole file.</param>
/// <param name="Message">What was wrong and what was expected.</param>
public sealed record DatasetError(string File, int Line, string Message)
{
    /// <summary>Formats as <c>file:line: message</c> (the form compilers use, so editors can jump to it).</summary>
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Message}" : $"{File}: {Message}";
}

/// <summary>Thrown under <see cref="ErrorPolicy.Fail"/>; the message names file, line and what was expected.</summary>
public sealed class DatasetFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="error"/>.</summary>
    public DatasetFormatException(DatasetError error, Exception? inner = null)
        : base(error.ToString(), inner)
    {
        Error = error;
    }

    /// <summary>The problem that stopped loading.</summary>
    public DatasetError Error { get; }
}

/// <summary>What a load produced: how many items were kept and which were skipped, with reasons.</summary>
/// <param name="Loaded">Items kept (images for caption datasets, examples for classification).</param>
/// <param name="Skipped">Every skipped item with its file, line and reason.</param>
public sealed record DatasetLoadReport(int Loaded, IReadOnlyList<DatasetError> Skipped)
{
    /// <summary>A one-line summary for logs.</summary>
    public override string ToString() => $"{Loaded} loaded, {Skipped.Count} skipped";
}

/// <summary>Collects errors and applies the policy; one per load.</summary>
internal sealed class ErrorCollector(ErrorPolicy policy)
{
    private readonly List<DatasetError> _errors = [];

    public ErrorPolicy Policy { get; } = policy;

    public IReadOnlyList<DatasetError> Errors => _errors;

    /// <summary>Records a bad item; throws under <see cref="ErrorPolicy.Fail"/>.</summary>
    public void Report(string file, int line, string message, Exception? inner = null)
    {
        var error = new DatasetError(file, line, message);
        if (Policy == ErrorPolicy.Fail)
            throw new DatasetFormatException(error, inner);
        _errors.Add(error);
    }

    public DatasetLoadReport ToReport(int loaded) => new(loaded, _errors.ToArray());
}
