// Accumulates the vectors of a word-vector file (word2vec, Mikolov et al. 2013; GloVe) while it is read,
// shared by the text and binary readers: values go straight into one growing float buffer (no per-word
// arrays for files of millions of words), the first occurrence of a word wins and later ones become warnings.

namespace Pipeline.Models.Embeddings;

/// <summary>Accumulates vectors while reading, keeping the first occurrence of each word and noting duplicates.</summary>
/// <remarks>Positions are line numbers for text files and 1-based record numbers for binary ones (<paramref name="byRecord"/>).</remarks>
internal sealed class WordVectorsCollector(string source, bool byRecord = false)
{
    private readonly List<string> _words = [];
    private readonly Dictionary<string, int> _firstLine = new(StringComparer.Ordinal);
    private readonly List<string> _warnings = [];
    private float[] _values = new float[1024];
    private int _length;
    private int _dimensions;
    private string? _pendingWord;
    private bool _pendingIsDuplicate;

    public int Count => _words.Count;

    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Returns the span to fill with the vector of <paramref name="word"/> (scratch space for a duplicate).</summary>
    public Span<float> Begin(string word, int position, int dimensions)
    {
        _dimensions = dimensions;
        _pendingWord = word;
        _pendingIsDuplicate = !_firstLine.TryAdd(word, position);
        if (_pendingIsDuplicate)
        {
            var where = byRecord ? $"{source}: record {position}" : $"{source}:{position}";
            var first = byRecord ? $"record {_firstLine[word]}" : $"line {_firstLine[word]}";
            _warnings.Add($"{where}: duplicate word '{WordVectorsReader.Shorten(word)}' (first at {first}); kept the first vector.");
        }
        if (_length + dimensions > _values.Length)
            Array.Resize(ref _values, (int)Math.Min(Array.MaxLength, Math.Max((long)_values.Length * 2, _length + dimensions)));
        return _values.AsSpan(_length, dimensions);
    }

    /// <summary>Keeps the vector filled after <see cref="Begin"/> unless its word was a duplicate.</summary>
    public void Commit()
    {
        if (_pendingWord is null || _pendingIsDuplicate)
            return;
        _words.Add(_pendingWord);
        _length += _dimensions;
        _pendingWord = null;
    }

    public WordVectors Build() => new(_words, _values.AsSpan(0, _length).ToArray(), _dimensions);
}
