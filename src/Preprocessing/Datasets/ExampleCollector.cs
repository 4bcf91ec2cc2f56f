// The last check every classification reader applies before keeping an example: trimmed, non-empty text
// and label, otherwise reported with file and line under the error policy.
namespace Pipeline.Preprocessing.Datasets;

/// <summary>Validates and keeps classification examples.</summary>
internal static class ExampleCollector
{
    public static void Add(string file, int line, string text, string label, string? id, ErrorCollector errors, List<ClassificationExample> examples)
    {
        text = text.Trim();
        label = label.Trim();
        if (label.Length == 0)
        {
            errors.Report(file, line, "empty label; expected a class name");
            return;
        }
        if (text.Length == 0)
        {
            errors.Report(file, line, $"empty text for label '{label}'; expected non-empty text");
            return;
        }
        examples.Add(new ClassificationExample(text, label, id, file, line));
    }
}
