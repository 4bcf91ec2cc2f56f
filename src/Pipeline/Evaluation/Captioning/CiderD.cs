// CIDEr-D (Vedantam, Zitnick & Parikh 2015, "CIDEr: Consensus-based Image Description Evaluation",
// sec. 4 and the "-D" variant of sec. 7.1) as computed by the COCO caption toolkit:
//   g_n(s)[w] = tf(w, s) * idf(w),  tf = RAW count of n-gram w in s,
//   idf(w)    = log(N) - log(max(1, df(w)))
//               N = number of evaluated images, df(w) = number of images whose reference set
//               contains w (document frequency over the EVALUATED set's references).
//   CIDEr-D_n(c, S) = 10/|S| * sum_j  exp(-(l_c - l_j)^2 / (2 sigma^2)) *
//                     < min(g_n(c), g_n(s_j)), g_n(s_j) > / (||g_n(c)|| ||g_n(s_j)||),  sigma = 6
//   CIDEr-D(c, S)   = mean over n = 1..4 of CIDEr-D_n.
// The dot product is skipped (stays 0) when either norm is 0, which is what makes a single-image
// corpus score 0: with N = 1 every reference n-gram has df = 1, so idf = log 1 - log 1 = 0, and
// n-grams absent from the references get idf = log 1 - log(max(1, 0)) = 0 as well.
// Length l is the toolkit's: the number of BIGRAMS of the caption (tokens - 1 for non-empty
// captions); the difference l_c - l_j therefore equals the token-length difference except when one
// caption is empty and the other has one token.
using System.Collections.Immutable;

namespace Pipeline.Evaluation.Captioning;

/// <summary>Result of <see cref="CiderD.Compute"/>.</summary>
/// <param name="Corpus">Mean of the per-image CIDEr-D scores.</param>
/// <param name="PerImage">CIDEr-D per sample, in input order.</param>
public sealed record CiderDResult(double Corpus, ImmutableArray<double> PerImage);

/// <summary>
/// CIDEr-D with document frequencies from the evaluated set's references, σ = 6 Gaussian length
/// penalty, clipped candidate tf-idf and the ×10 scale, as in the COCO caption toolkit.
/// </summary>
public static class CiderD
{
    /// <summary>Maximum n-gram order.</summary>
    public const int MaxOrder = 4;

    /// <summary>Standard deviation of the Gaussian length penalty.</summary>
    public const double DefaultSigma = 6.0;

    /// <summary>Scale factor the toolkit applies so scores are comparable to the other metrics.</summary>
    public const double Scale = 10.0;

    // A caption's tf-idf vectors (one per order), their L2 norms and its toolkit "length".
    private sealed record Vectors(Dictionary<string, double>[] Weights, double[] Norms, int Length);

    /// <summary>
    /// Document frequency of every n-gram: the number of samples whose reference set contains it
    /// (an n-gram repeated inside one image's references counts once).
    /// </summary>
    public static IReadOnlyDictionary<string, int> DocumentFrequency(IReadOnlyList<EvaluationSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var sample in samples)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var reference in sample.References)
            {
                foreach (var order in NGrams.Count(reference, MaxOrder)) seen.UnionWith(order.Keys);
            }
            foreach (string gram in seen) df[gram] = df.TryGetValue(gram, out int c) ? c + 1 : 1;
        }
        return df;
    }

    /// <summary>Per-image CIDEr-D for every sample (df computed over these samples) and their mean.</summary>
    public static CiderDResult Compute(IReadOnlyList<EvaluationSample> samples, double sigma = DefaultSigma)
    {
        ArgumentNullException.ThrowIfNull(samples);
        foreach (var sample in samples) sample.Validate();
        if (samples.Count == 0) return new CiderDResult(0, ImmutableArray<double>.Empty);

        var df = DocumentFrequency(samples);
        double logN = Math.Log(samples.Count);
        var perImage = ImmutableArray.CreateBuilder<double>(samples.Count);
        foreach (var sample in samples)
        {
            var cand = ToVectors(sample.Candidate, df, logN);
            var perOrder = new double[MaxOrder];
            foreach (var reference in sample.References)
            {
                var refVec = ToVectors(reference, df, logN);
                var sim = Similarity(cand, refVec, sigma);
                for (int n = 0; n < MaxOrder; n++) perOrder[n] += sim[n];
            }
            // Mean over orders, mean over references, then the x10 scale.
            double score = perOrder.Average() / sample.References.Count * Scale;
            perImage.Add(score);
        }
        return new CiderDResult(perImage.Sum() / samples.Count, perImage.MoveToImmutable());
    }

    private static Vectors ToVectors(IReadOnlyList<string> tokens, IReadOnlyDictionary<string, int> df, double logN)
    {
        var counts = NGrams.Count(tokens, MaxOrder);
        var weights = new Dictionary<string, double>[MaxOrder];
        var norms = new double[MaxOrder];
        for (int n = 0; n < MaxOrder; n++)
        {
            weights[n] = new Dictionary<string, double>(counts[n].Count, StringComparer.Ordinal);
            double sq = 0;
            foreach (var (gram, tf) in counts[n])
            {
                double idf = logN - Math.Log(Math.Max(1.0, df.TryGetValue(gram, out int d) ? d : 0));
                double w = tf * idf;
                weights[n][gram] = w;
                sq += w * w;
            }
            norms[n] = Math.Sqrt(sq);
        }
        // Toolkit length = total bigram count (see file header).
        int length = Math.Max(0, tokens.Count - 1);
        return new Vectors(weights, norms, length);
    }

    private static double[] Similarity(Vectors cand, Vectors reference, double sigma)
    {
        double delta = cand.Length - reference.Length;
        double penalty = Math.Exp(-(delta * delta) / (2 * sigma * sigma));
        var val = new double[MaxOrder];
        for (int n = 0; n < MaxOrder; n++)
        {
            double dot = 0;
            foreach (var (gram, wc) in cand.Weights[n])
            {
                // "-D" clipping: the candidate weight may not exceed the reference's.
                if (reference.Weights[n].TryGetValue(gram, out double wr)) dot += Math.Min(wc, wr) * wr;
            }
            // Guard: a zero norm (empty caption or all-zero idf) leaves the term at 0, never NaN.
            if (cand.Norms[n] != 0 && reference.Norms[n] != 0) dot /= cand.Norms[n] * reference.Norms[n];
            val[n] = dot * penalty;
        }
        return val;
    }
}
