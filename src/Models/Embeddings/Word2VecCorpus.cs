// A re-readable source of tokenized sentences for word2vec (Mikolov et al. 2013): a recipe for streaming the
// sentences rather than a list held in memory, so a corpus file is never loaded whole. Training reads it once
// (EncodedCorpusFile caches the ids); callers may read it again, e.g. to count a vocabulary themselves. The
// tokenizer is a delegate because this assembly sits below the text preprocessing one; the CLI passes
// WordTokenizer.Tokenize.
using System.Text;

namespace Pipeline.Models.Embeddings;

/// <summary>A source of tokenized sentences; each call to <see cref="ReadSentences"/> starts a fresh pass.</summary>
public sealed class Word2VecCorpus
{
    private readonly Func<IEnumerable<IReadOnlyList<string>>> _open;

    private Word2VecCorpus(string description, Func<IEnumerable<IReadOnlyList<string>>> open)
    {
        Description = description;
        _open = open;
    }

    /// <summary>Where the sentences come from (a path or "&lt;memory&gt;"), for messages.</summary>
    public string Description { get; }

    /// <summary>Streams the sentences from the start; each call begins a fresh pass.</summary>
    public IEnumerable<IReadOnlyList<string>> ReadSentences() => _open();

    /// <summary>Sentences already tokenized and held in memory (tests, small corpora).</summary>
    public static Word2VecCorpus FromSentences(IReadOnlyList<IReadOnlyList<string>> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        return new Word2VecCorpus("<memory>", () => sentences);
    }

    /// <summary>
    /// One sentence per line of a UTF-8 text file, split by <paramref name="tokenize"/>. When
    /// <paramref name="column"/> is set, lines are tab-separated and only that zero-based column is used
    /// (e.g. 1 for <c>label&lt;TAB&gt;text</c> files); lines with fewer columns are skipped.
    /// </summary>
    public static Word2VecCorpus FromTextFile(string path, Func<string, IReadOnlyList<string>> tokenize, int? column = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tokenize);
        if (column is < 0)
            throw new ArgumentOutOfRangeException(nameof(column), column, "Column must be ≥ 0.");
        if (!File.Exists(path))
            throw new FileNotFoundException($"Corpus file not found: {path}", path);
        return new Word2VecCorpus(path, () => Tokenize(ReadLines(path), tokenize, column));
    }

    /// <summary>
    /// One sentence per line from <paramref name="openLines"/> (called once per pass), split by <paramref name="tokenize"/>;
    /// <paramref name="column"/> as in <see cref="FromTextFile"/>. Lets callers supply a bounded, decompressing line reader.
    /// </summary>
    public static Word2VecCorpus FromLines(string description, Func<IEnumerable<string>> openLines, Func<string, IReadOnlyList<string>> tokenize, int? column = null)
    {
        ArgumentNullException.ThrowIfNull(openLines);
        ArgumentNullException.ThrowIfNull(tokenize);
        if (column is < 0)
            throw new ArgumentOutOfRangeException(nameof(column), column, "Column must be ≥ 0.");
        return new Word2VecCorpus(description, () => Tokenize(openLines(), tokenize, column));
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        while (reader.ReadLine() is { } line) yield return line;
    }

    private static IEnumerable<IReadOnlyList<string>> Tokenize(IEnumerable<string> lines, Func<string, IReadOnlyList<string>> tokenize, int? column)
    {
        foreach (var line in lines)
        {
            var text = line;
            if (column is { } index)
            {
                var fields = line.Split('\t');
                if (fields.Length <= index)
                    continue;
                text = fields[index];
            }
            var tokens = tokenize(text);
            if (tokens.Count > 0)
                yield return tokens;
        }
    }
}
