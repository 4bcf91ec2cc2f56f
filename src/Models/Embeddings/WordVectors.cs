// A table of word vectors — the result of word2vec training (Mikolov et al. 2013) or of reading a word2vec /
// GloVe file — with the two probes the paper uses to judge them: nearest neighbours by cosine similarity and
// analogies by vector offset ("king" − "man" + "woman" ≈ "queen", the 3CosAdd rule of §4 of the first paper).
// Key: V = number of words, D = dimensions; the matrix is (V, D) row-major.
using System.Numerics.Tensors;
using Tensor = Pipeline.Models.Tensors.Tensor;

namespace Pipeline.Models.Embeddings;

/// <summary>A word and its cosine similarity to a query.</summary>
public readonly record struct WordSimilarity(string Word, float Similarity);

/// <summary>Immutable words + (V, D) float matrix, with nearest-neighbour and analogy queries.</summary>
public sealed class WordVectors
{
    private readonly string[] _words;
    private readonly float[] _matrix; // (V, D)
    private readonly Dictionary<string, int> _rows;
    private float[]? _unitMatrix; // (V, D), rows scaled to unit length; built on the first similarity query

    /// <summary>
    /// Wraps <paramref name="words"/> and a (V, D) row-major <paramref name="matrix"/> (not copied — the
    /// caller hands over ownership). Words must be non-empty and distinct.
    /// </summary>
    public WordVectors(IReadOnlyList<string> words, float[] matrix, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        if (matrix.LongLength != (long)words.Count * dimensions)
            throw new ArgumentException($"Matrix has {matrix.LongLength} values; {words.Count} words × {dimensions} dimensions need {(long)words.Count * dimensions}.", nameof(matrix));
        _words = [.. words];
        _matrix = matrix;
        Dimensions = dimensions;
        _rows = new Dictionary<string, int>(_words.Length, StringComparer.Ordinal);
        for (var i = 0; i < _words.Length; i++)
        {
            if (string.IsNullOrEmpty(_words[i]))
                throw new ArgumentException($"Word {i} is empty.", nameof(words));
            if (!_rows.TryAdd(_words[i], i))
                throw new ArgumentException($"Word '{_words[i]}' appears twice (rows {_rows[_words[i]]} and {i}).", nameof(words));
        }
    }

    /// <summary>Number of words V.</summary>
    public int Count => _words.Length;

    /// <summary>Vector length D.</summary>
    public int Dimensions { get; }

    /// <summary>Words in row order.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>The (V, D) row-major matrix.</summary>
    public ReadOnlySpan<float> Matrix => _matrix;

    /// <summary>Whether <paramref name="word"/> has a vector.</summary>
    public bool Contains(string word) => _rows.ContainsKey(word);

    /// <summary>The row of <paramref name="word"/>, or -1.</summary>
    public int IndexOf(string word) => _rows.TryGetValue(word, out var row) ? row : -1;

    /// <summary>The vector in row <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> GetRow(int row)
    {
        if ((uint)row >= (uint)_words.Length)
            throw new ArgumentOutOfRangeException(nameof(row), row, $"Row must be in [0, {_words.Length}).");
        return _matrix.AsSpan(row * Dimensions, Dimensions);
    }

    /// <summary>The vector of <paramref name="word"/>; throws <see cref="KeyNotFoundException"/> when absent.</summary>
    public ReadOnlySpan<float> GetVector(string word) => GetRow(RowOf(word));

    /// <summary>The matrix as a (V, D) tensor (a copy).</summary>
    public Tensor ToTensor() => Tensor.FromArray(_matrix, _words.Length, Dimensions);

    /// <summary>The <paramref name="count"/> words most cosine-similar to <paramref name="word"/>, excluding itself.</summary>
    public IReadOnlyList<WordSimilarity> MostSimilar(string word, int count = 10)
    {
        var row = RowOf(word);
        return Nearest(UnitMatrix.AsSpan(row * Dimensions, Dimensions), count, [row]);
    }

    /// <summary>The <paramref name="count"/> words most cosine-similar to an arbitrary <paramref name="vector"/>.</summary>
    public IReadOnlyList<WordSimilarity> MostSimilar(ReadOnlySpan<float> vector, int count = 10)
    {
        if (vector.Length != Dimensions)
            throw new ArgumentException($"Query has {vector.Length} values; vectors have {Dimensions}.", nameof(vector));
        var unit = Normalized(vector);
        return Nearest(unit, count, []);
    }

    /// <summary>
    /// "<paramref name="a"/> is to <paramref name="b"/> as <paramref name="c"/> is to ?": the words closest to
    /// unit(b) − unit(a) + unit(c), excluding the three query words (3CosAdd).
    /// </summary>
    public IReadOnlyList<WordSimilarity> Analogy(string a, string b, string c, int count = 1)
    {
        int rowA = RowOf(a), rowB = RowOf(b), rowC = RowOf(c);
        var unit = UnitMatrix;
        var query = new float[Dimensions];
        TensorPrimitives.Subtract(unit.AsSpan(rowB * Dimensions, Dimensions), unit.AsSpan(rowA * Dimensions, Dimensions), query);
        TensorPrimitives.Add(query, unit.AsSpan(rowC * Dimensions, Dimensions), query);
        return Nearest(Normalized(query), count, [rowA, rowB, rowC]);
    }

    private int RowOf(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return _rows.TryGetValue(word, out var row) ? row : throw new KeyNotFoundException($"'{word}' is not among the {_words.Length} words.");
    }

    private float[] UnitMatrix
    {
        get
        {
            if (_unitMatrix is { } cached)
                return cached;
            var unit = new float[_matrix.Length];
            for (var row = 0; row < _words.Length; row++)
                Normalized(_matrix.AsSpan(row * Dimensions, Dimensions)).CopyTo(unit.AsSpan(row * Dimensions, Dimensions));
            // A race builds the same array twice; either copy is correct, so no lock is needed.
            return _unitMatrix = unit;
        }
    }

    private static float[] Normalized(ReadOnlySpan<float> vector)
    {
        var result = vector.ToArray();
        var norm = TensorPrimitives.Norm(vector);
        // An all-zero vector (e.g. <pad>) stays zero and so has similarity 0 to everything.
        if (norm > 0)
            TensorPrimitives.Divide(result, norm, result);
        return result;
    }

    // Cosine similarity is a dot product of unit vectors; keep the best `count` with a small sorted insertion
    // list, since count ≪ V.
    private List<WordSimilarity> Nearest(ReadOnlySpan<float> unitQuery, int count, int[] excluded)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var unit = UnitMatrix;
        var best = new List<(int Row, float Score)>(count + 1);
        for (var row = 0; row < _words.Length && count > 0; row++)
        {
            if (Array.IndexOf(excluded, row) >= 0)
                continue;
            var score = TensorPrimitives.Dot(unitQuery, unit.AsSpan(row * Dimensions, Dimensions));
            if (best.Count == count && score <= best[^1].Score)
                continue;
            var at = best.Count;
            while (at > 0 && best[at - 1].Score < score)
                at--;
            best.Insert(at, (row, score));
            if (best.Count > count)
                best.RemoveAt(best.Count - 1);
        }
        return best.ConvertAll(entry => new WordSimilarity(_words[entry.Row], entry.Score));
    }
}
