namespace Pipeline.Batch;

/// <summary>One finished item: its key (an image path, a line id) and the named values written for it.</summary>
/// <param name="Key">Identifies the input; a rerun skips keys already present in the output.</param>
/// <param name="Fields">Column name → value (string, number, bool, arrays/objects for JSON lines), key column first.</param>
public sealed record ResultRecord(string Key, IReadOnlyList<KeyValuePair<string, object?>> Fields);
