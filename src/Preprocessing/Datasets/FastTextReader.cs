// fastText supervised format: "__label__a __label__b some text". The first label wins and the others are
// dropped, because the models here are single-label; this is the documented choice, not a silent one.
namespace Pipeline.Preprocessing.Datasets;

/// <summary>Reads fastText-format classification files.</summary>
internal static class FastTextReader
{
    private const string FastTextPrefix = "__label__";

    public static void Read(string file, ErrorCollector errors, List<ClassificationExample> examples)
    {
        foreach (var line in SourceText.ReadTextLines(file, errors))
        {
            string? label = null;
            var rest = line.Text.AsSpan().TrimStart();
            while (rest.StartsWith(FastTextPrefix))
            {
                var end = rest.IndexOfAny(' ', '\t');
                var token = end < 0 ? rest : rest[..end];
                label ??= token[FastTextPrefix.Length..].ToString();
                rest = end < 0 ? [] : rest[end..].TrimStart();
            }
            if (string.IsNullOrEmpty(label))
            {
                errors.Report(file, line.Number, $"expected '{FastTextPrefix}<label> text'");
                continue;
            }
            ExampleCollector.Add(file, line.Number, rest.ToString(), label, null, errors, examples);
        }
    }
}
