// Detects collapsed word vectors: a set in which (nearly) every vector points the same way, so every
// nearest neighbour has cosine ≈ 1.00 and neighbours and analogies mean nothing. It happens to skip-gram /
// CBOW with negative sampling when training stops early on a small corpus: the first updates push every
// input vector along the same few directions (the output vectors of the most frequent context words), and
// only longer training separates the words again.
//
// The check samples the most frequent words (rows are in frequency order; words of one character are
// skipped, they are mostly punctuation), normalises them and measures
//   mean pairwise cosine     over all pairs of the sample        (healthy word2vec: ≈ 0.0–0.4)
//   median nearest-neighbour cosine of a sample word within the sample
// and calls the set collapsed when the mean pairwise cosine reaches MeanCosineLimit (0.8). Measured on SST-2
// train sentences (120k tokens, skip-gram, 100 dims): 0.99 after 2 epochs and 0.89 after 5 (every neighbour at
// 0.97–1.00, unrelated words), 0.27 after 20 (neighbours "film"–"movie" 0.75). Neighbours at
// cosine ≈ 1.00 alone are not enough: words a corpus uses interchangeably (the planted topics of the test
// corpus, "monday"/"tuesday") are legitimately that close; the neighbour cosine is reported for the message.
// Cost: S² · D for S ≤ 200 sample words.
using System.Globalization;
using System.Numerics.Tensors;

namespace Pipeline.Models.Embeddings;

/// <summary>What <see cref="VectorCollapse.Check"/> measured.</summary>
/// <param name="SampleSize">Words in the sample (the most frequent ones).</param>
/// <param name="MeanPairwiseCosine">Mean cosine over all pairs of sample words.</param>
/// <param name="MedianNeighbourCosine">Median, over sample words, of the cosine to their nearest other sample word.</param>
/// <param name="Collapsed">True when <paramref name="MeanPairwiseCosine"/> reaches <see cref="VectorCollapse.MeanCosineLimit"/>.</param>
public sealed record VectorCollapseReport(int SampleSize, double MeanPairwiseCosine, double MedianNeighbourCosine, bool Collapsed)
{
    /// <summary>A warning for people, with the likely cause and the fix; null when the vectors are not collapsed.</summary>
    public string? Warning => !Collapsed ? null : string.Create(CultureInfo.InvariantCulture,
        $"warning: the word vectors look collapsed: the {SampleSize} most frequent words have mean pairwise cosine {MeanPairwiseCosine:F2} " +
        $"(healthy vectors: below {VectorCollapse.MeanCosineLimit:F1}, usually 0.0-0.5) and their nearest neighbours are at cosine {MedianNeighbourCosine:F2}. " +
        $"Nearly every vector points the same way, so neighbours, analogies and classifiers initialised from them learn little. " +
        $"Likely cause: too little training for this corpus (too few epochs or too little text); the first updates move all words alike. " +
        $"Fix: train more epochs (e.g. --epochs 20 for a corpus of about 100k tokens), use more text, or lower the learning rate if more epochs do not help.");
}

/// <summary>Detects word-vector sets in which nearly every vector points the same way.</summary>
public static class VectorCollapse
{
    /// <summary>Mean pairwise cosine of the sample at or above which the set counts as collapsed.</summary>
    public const double MeanCosineLimit = 0.8;

    /// <summary>Default number of frequent words sampled.</summary>
    public const int DefaultSampleSize = 200;

    /// <summary>Measures the <paramref name="sampleSize"/> most frequent words of <paramref name="vectors"/> (rows in frequency order).</summary>
    /// <returns>The measures; with fewer than 3 usable words nothing can be said and <see cref="VectorCollapseReport.Collapsed"/> is false.</returns>
    public static VectorCollapseReport Check(WordVectors vectors, int sampleSize = DefaultSampleSize)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleSize, 3);
        int d = vectors.Dimensions;
        // Frequent words first; one-character tokens are mostly punctuation. All-zero rows (padding) carry no direction.
        var rows = Enumerable.Range(0, vectors.Count)
            .Where(r => vectors.Words[r].Length > 1 && TensorPrimitives.Norm(vectors.GetRow(r)) > 0)
            .Take(sampleSize).ToArray();
        if (rows.Length < 3) return new VectorCollapseReport(rows.Length, double.NaN, double.NaN, Collapsed: false);

        var unit = new float[rows.Length * d];                                   // (S, D)
        for (int i = 0; i < rows.Length; i++)
        {
            var row = vectors.GetRow(rows[i]);
            TensorPrimitives.Divide(row, TensorPrimitives.Norm(row), unit.AsSpan(i * d, d));
        }
        double sum = 0;
        var nearest = new double[rows.Length];
        Array.Fill(nearest, double.NegativeInfinity);
        for (int i = 0; i < rows.Length; i++)
        {
            var a = unit.AsSpan(i * d, d);
            for (int j = i + 1; j < rows.Length; j++)
            {
                double cosine = TensorPrimitives.Dot(a, unit.AsSpan(j * d, d));
                sum += cosine;
                nearest[i] = Math.Max(nearest[i], cosine);
                nearest[j] = Math.Max(nearest[j], cosine);
            }
        }
        double mean = sum / (rows.Length * (rows.Length - 1) / 2.0);
        Array.Sort(nearest);
        double median = nearest[nearest.Length / 2];
        return new VectorCollapseReport(rows.Length, mean, median, mean >= MeanCosineLimit);
    }
}
