// Reads pre-trained word vectors — word2vec text (Mikolov et al. 2013), GloVe (Pennington et al. 2014) or
// word2vec binary, auto-detected — into a WordVectors table. The files come from outside, often huge and
// sometimes damaged, so every problem is reported with the file and line: a wrong number of values,
// a non-numeric or non-finite value, dimensions that change between lines, a header whose count disagrees
// with the file, invalid UTF-8. Duplicate words are not fatal (real GloVe/fastText dumps contain a few):
// the first vector is kept and each duplicate is listed in the result's warnings.
using System.Globalization;

namespace Pipeline.Models.Embeddings;

/// <summary>Options of <see cref="WordVectorsReader"/>.</summary>
/// <param name="Format">The format, or <see cref="WordVectorsFormat.Auto"/> to detect it.</param>
/// <param name="MaxWords">Stop after this many vectors (files are sorted by frequency, so this keeps the most common words); null reads all.</param>
public sealed record WordVectorsReadOptions(WordVectorsFormat Format = WordVectorsFormat.Auto, int? MaxWords = null)
{
    /// <summary>Throws when an option is out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Format))
            throw new ArgumentOutOfRangeException(nameof(Format), Format, "Unknown word-vector format.");
        if (MaxWords is < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxWords), MaxWords, "Max words must be at least 1.");
    }
}

/// <summary>What <see cref="WordVectorsReader.Read"/> found.</summary>
/// <param name="Vectors">The vectors, in file order (first occurrence of each word).</param>
/// <param name="Format">The format that was read (detected or given).</param>
/// <param name="Warnings">Non-fatal problems ("file:line: duplicate word …"), in file order.</param>
public sealed record WordVectorsReadResult(WordVectors Vectors, WordVectorsFormat Format, IReadOnlyList<string> Warnings);

/// <summary>Reads word2vec text, GloVe and word2vec binary files with strict validation.</summary>
public static class WordVectorsReader
{
    /// <summary>Reads <paramref name="path"/>; malformed content throws <see cref="FormatException"/> naming the file and line.</summary>
    public static WordVectorsReadResult Read(string path, WordVectorsReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new WordVectorsReadOptions();
        options.Validate();
        if (!File.Exists(path))
            throw new FileNotFoundException($"Word-vector file not found: {path}", path);
        var format = options.Format == WordVectorsFormat.Auto ? WordVectorsFormatDetector.Detect(path) : options.Format;
        return format == WordVectorsFormat.Word2VecBinary
            ? WordVectorsBinaryReader.Read(path, options.MaxWords)
            : ReadText(path, format, options.MaxWords);
    }

    private static WordVectorsReadResult ReadText(string path, WordVectorsFormat format, int? maxWords)
    {
        using var reader = new WordVectorsLineReader(File.OpenRead(path), path);
        var collector = new WordVectorsCollector(path);
        int? declaredCount = null;
        var dimensions = 0;
        var dimensionsSource = "";
        var lines = 0; // vector lines seen, duplicates included (that is what a header counts)

        while (reader.TryReadLine(out var line))
        {
            if (format == WordVectorsFormat.Word2VecText && reader.LineNumber == 1)
            {
                if (!WordVectorsFormatDetector.TryParseHeader(line, out var count, out dimensions))
                    throw new FormatException($"{path}:1: expected the word2vec header 'count dimensions' (two integers, dimensions ≥ 1), found '{Shorten(line)}'.");
                declaredCount = count;
                dimensionsSource = "the header on line 1";
                continue;
            }
            if (string.IsNullOrWhiteSpace(line))
                continue; // blank lines (typically a trailing one) carry no vector
            if (maxWords is { } limit && collector.Count >= limit)
                break;
            lines++;
            if (declaredCount is { } declared && lines > declared)
                throw new FormatException($"{path}:{reader.LineNumber}: more vectors than the {declared} declared in the header on line 1.");

            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var word = fields[0];
            var values = fields.Length - 1;
            if (dimensions == 0)
            {
                // GloVe: the first vector line fixes the dimensions.
                if (values == 0)
                    throw new FormatException($"{path}:{reader.LineNumber}: '{Shorten(word)}' has no values; expected 'word v1 v2 …'.");
                dimensions = values;
                dimensionsSource = $"line {reader.LineNumber}";
            }
            if (values != dimensions)
                throw new FormatException($"{path}:{reader.LineNumber}: '{Shorten(word)}' has {values} values, expected {dimensions} (from {dimensionsSource}).");

            var vector = collector.Begin(word, reader.LineNumber, dimensions);
            for (var i = 0; i < dimensions; i++)
            {
                var token = fields[i + 1];
                if (!float.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
                    throw new FormatException($"{path}:{reader.LineNumber}: value {i + 1} of '{Shorten(word)}' is not a finite number: '{Shorten(token)}'.");
                vector[i] = value;
            }
            collector.Commit();
        }

        if (reader.LineNumber == 0)
            throw new FormatException($"{path}: the file is empty; expected word vectors.");
        if (declaredCount is { } expected && lines < expected && maxWords is null)
            throw new FormatException($"{path}: the header on line 1 declares {expected} vectors but the file has {lines} (truncated?).");
        if (collector.Count == 0)
            throw new FormatException($"{path}: no word vectors found.");
        return new WordVectorsReadResult(collector.Build(), format, collector.Warnings);
    }

    internal static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
