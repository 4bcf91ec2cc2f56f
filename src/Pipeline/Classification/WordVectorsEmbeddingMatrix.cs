// Turns pre-trained word vectors (word2vec, Mikolov et al. 2013; GloVe) into the initial weights of a
// model's embedding layer for a given Vocabulary: the row of each token is its pre-trained vector when the
// file has one; other rows are drawn from N(0, σ²) with σ the standard deviation of the file's values, so
// unknown words start on the same scale as known ones (a fixed small scale would leave them near zero and
// a unit scale would make them dominate); <pad> is all zeros so padding contributes nothing. The coverage
// (share of regular tokens found) is returned because a low hit rate usually means a tokenization mismatch
// (case, contractions) rather than a bad file.
// Key: V = vocabulary size (specials included), D = vector dimensions.
using System.Globalization;
using Pipeline.Models.Embeddings;
using Pipeline.Models.Tensors;
using Pipeline.Preprocessing.Text;

namespace Pipeline.Classification;

/// <summary>Options of <see cref="WordVectorsEmbeddingMatrix.Build"/>.</summary>
/// <param name="Seed">Seed of the random rows.</param>
/// <param name="LowerCaseFallback">When a token is missing, also try its lower-case form (helps with cased files like GoogleNews).</param>
public sealed record EmbeddingMatrixOptions(ulong Seed = 1, bool LowerCaseFallback = true);

/// <summary>Initial embedding weights built from pre-trained vectors.</summary>
/// <param name="Weights">(V, D) row-major, row i for vocabulary id i.</param>
/// <param name="Rows">V, the vocabulary size.</param>
/// <param name="Dimensions">D.</param>
/// <param name="Found">Regular (non-special) tokens that got a pre-trained vector.</param>
/// <param name="RegularTokens">Number of regular tokens (V minus the special tokens).</param>
/// <param name="RandomStd">Standard deviation of the random rows.</param>
/// <param name="MissingSample">Up to 20 regular tokens without a vector, in id order (most frequent first), for diagnosis.</param>
public sealed record EmbeddingMatrix(float[] Weights, int Rows, int Dimensions, int Found, int RegularTokens, float RandomStd, IReadOnlyList<string> MissingSample)
{
    /// <summary>Share of regular tokens found in the vectors, in [0, 1] (1 when there are none).</summary>
    public double Coverage => RegularTokens == 0 ? 1 : (double)Found / RegularTokens;

    /// <summary>The weights as a (V, D) tensor (a copy).</summary>
    public Tensor ToTensor() => Tensor.FromArray(Weights, Rows, Dimensions);

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Rows}×{Dimensions} embedding matrix: {Found}/{RegularTokens} tokens found ({100 * Coverage:F1}%), others random N(0, {RandomStd:G3}²)");
}

/// <summary>Builds embedding-layer weights for a <see cref="Vocabulary"/> from <see cref="WordVectors"/>.</summary>
public static class WordVectorsEmbeddingMatrix
{
    private const int MissingSampleSize = 20;

    /// <summary>
    /// One row per vocabulary id: the pre-trained vector when found (exact token, then optionally lower-cased),
    /// zeros for &lt;pad&gt;, N(0, σ²) otherwise — including &lt;unk&gt;, &lt;start&gt;, &lt;end&gt; unless the
    /// file has vectors for those literal tokens.
    /// </summary>
    public static EmbeddingMatrix Build(Vocabulary vocabulary, WordVectors vectors, EmbeddingMatrixOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(vectors);
        options ??= new EmbeddingMatrixOptions();
        var dimensions = vectors.Dimensions;
        var weights = new float[(long)vocabulary.Count * dimensions];
        var std = StandardDeviation(vectors.Matrix);
        var generator = new Generator(options.Seed);
        var found = 0;
        var missing = new List<string>();
        var specials = Vocabulary.SpecialTokens.Count;

        for (var id = 0; id < vocabulary.Count; id++)
        {
            var row = weights.AsSpan(id * dimensions, dimensions);
            if (id == Vocabulary.PadId)
                continue; // zeros
            var token = vocabulary.GetToken(id);
            var source = vectors.IndexOf(token);
            if (source < 0 && options.LowerCaseFallback && id >= specials)
            {
                var lower = token.ToLowerInvariant();
                if (lower != token)
                    source = vectors.IndexOf(lower);
            }
            if (source >= 0)
            {
                vectors.GetRow(source).CopyTo(row);
                if (id >= specials)
                    found++;
                continue;
            }
            // Drawn in id order from one seeded generator, so the matrix is reproducible for a seed.
            for (var i = 0; i < row.Length; i++)
                row[i] = std * generator.NextNormal();
            if (id >= specials && missing.Count < MissingSampleSize)
                missing.Add(token);
        }
        return new EmbeddingMatrix(weights, vocabulary.Count, dimensions, found, vocabulary.Count - specials, std, missing);
    }

    // Population standard deviation of all values, in double so large matrices do not lose precision.
    private static float StandardDeviation(ReadOnlySpan<float> values)
    {
        if (values.Length == 0)
            return 0f;
        double sum = 0, sumSquares = 0;
        foreach (var value in values)
        {
            sum += value;
            sumSquares += (double)value * value;
        }
        var mean = sum / values.Length;
        return (float)Math.Sqrt(Math.Max(0, sumSquares / values.Length - mean * mean));
    }
}
