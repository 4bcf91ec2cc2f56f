// The schema check shared by the Pipeline ML.NET components: the input column must exist and hold text
// (an image path or a document). ML.NET reports schema problems with ArgumentOutOfRangeException on the
// schema argument; the message here names the component, the column, what it is and what was expected,
// and is raised from GetOutputSchema / Fit / Transform before any row is read or model loaded.
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Pipeline.MLNet;

internal static class InputColumn
{
    public static void Require(string component, DataViewSchema schema, string column, string meaning)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var found = schema.GetColumnOrNull(column);
        if (found is null)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"{component}: input column '{column}' ({meaning}) was not found; the input has {Describe(schema.Select(c => c.Name))}.");
        if (found.Value.Type is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"{component}: input column '{column}' must be text ({meaning}) but is {found.Value.Type}.");
    }

    public static void Require(string component, SchemaShape schema, string column, string meaning)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var matches = schema.Where(c => c.Name == column).ToArray();
        if (matches.Length == 0)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"{component}: input column '{column}' ({meaning}) was not found; the input has {Describe(schema.Select(c => c.Name))}.");
        var found = matches[^1];   // the last column of a name is the visible one
        if (found.Kind != SchemaShape.Column.VectorKind.Scalar || found.ItemType is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"{component}: input column '{column}' must be a text scalar ({meaning}) but is {found.Kind} of {found.ItemType}.");
    }

    private static string Describe(IEnumerable<string> names)
    {
        var list = names.Where(n => !n.StartsWith(ModelSettings.ReservedPrefix, StringComparison.Ordinal)).ToList();
        return list.Count == 0 ? "no columns" : "columns " + string.Join(", ", list.Select(n => $"'{n}'"));
    }
}
