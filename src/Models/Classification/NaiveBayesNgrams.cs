// NB-weighted n-gram features as a linear branch of a text classifier, after Wang & Manning (2012),
// "Baselines and Bigrams: Simple, Good Sentiment and Topic Classification" (NBSVM), in the neural form
// where the Naive Bayes log-count ratios are a fixed prior and a per-feature weight is learned:
//   x̂_b ∈ {0,1}^G      which of the G table n-grams (orders 1..N of token ids) occur in sequence b
//   r[f, k] = log( (p_k[f] / ‖p_k‖₁) / (q_k[f] / ‖q_k‖₁) ),   p_k = α + Σ_{i: y_i = k} x̂_i,   q_k = α + Σ_{i: y_i ≠ k} x̂_i
//   logits_ng[b, k] = s(n_b) · Σ_{f: x̂_b[f] = 1} (β + w[f]) · r[f, k]                 (B, K)
// r is fitted once on the training set (one-vs-rest per class; for two classes r[·, 1] = −r[·, 0], the
// binary NB ratio) and frozen; w (G) starts at 0, so training starts from scaled multinomial NB (β·r, the
// NBSVM interpolation towards NB) and learns how much to trust each n-gram. The classifier adds these
// logits to its network's. In training, each present n-gram is dropped with probability p and the
// survivors are scaled by 1/(1−p) (dropout on the sparse input).
// Length: n_b = ‖x̂_b‖₁ is the number of table n-grams present and s(n) = 1/‖x̂_b‖ the normalisation
// (NgramNormalization): 1 (none, the plain sum), 1/√n (L2) or 1/n (L1, the mean). Without it, a text with
// ten times the n-grams of a sentence gets about ten times the logits — multinomial NB's over-confidence on
// long documents; an L2-normalised bag is what linear text classifiers (ML.NET's featurizer, NBSVM's
// liblinear inputs in practice) use for the same reason.
// Leave-one-out: ratios fitted on the training set leak each training text's label through the n-grams
// that only it contains (a singleton's ratio points at its own class), so the branch alone drives the
// training loss to ~0 within one epoch and the network stops learning. Given the training counts and the
// batch's targets, training therefore uses for text i the ratios of the table fitted without text i:
//   p_k ← p_k − [y_i = k]·x̂_i,  q_k ← q_k − [y_i ≠ k]·x̂_i   (and their L1 norms) — exact, from the counts,
// which are training-only state (not saved); evaluation always uses the full-table ratios r.
// The table is stored in the model: keys (G, N) holds each n-gram's token ids (0 = padding = "shorter
// n-gram"), sorted lexicographically, so a lookup is a binary search and the checkpoint needs no side file.
// Token ids are stored in float32, exact below 2²⁴.
// Shape key: B = batch, T = padded time, G = table n-grams, N = maximum order, K = classes.
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Classification;

/// <summary>The fitted n-gram table: sorted keys (G, N) and Naive Bayes log-count ratios (G, K).</summary>
/// <param name="Keys">Token ids of each n-gram, row-major (G·N), right-padded with 0, rows sorted lexicographically.</param>
/// <param name="Ratios">Log-count ratio of each n-gram for each class, row-major (G·K).</param>
/// <param name="Count">G, the number of n-grams.</param>
/// <param name="Order">N, the longest n-gram.</param>
/// <param name="DocumentCounts">Training texts of each class containing each n-gram (G·K), for leave-one-out ratios; null when unknown.</param>
/// <param name="Alpha">The smoothing α the ratios were computed with.</param>
public sealed record NgramTable(float[] Keys, float[] Ratios, int Count, int Order, int[]? DocumentCounts = null, float Alpha = 1f);

/// <summary>The NB-weighted n-gram branch (Wang &amp; Manning 2012) of a text classifier.</summary>
public sealed class NaiveBayesNgrams : Module
{
    /// <summary>Largest token id a key can hold exactly (float32 mantissa).</summary>
    public const int MaxTokenId = (1 << 24) - 1;

    /// <summary>Creates an empty table of <paramref name="count"/> n-grams up to <paramref name="order"/> for
    /// <paramref name="classes"/> classes; fill it with <see cref="Load"/> (or a checkpoint).</summary>
    public NaiveBayesNgrams(int count, int order, int classes, float scale, float dropout, NgramNormalization normalization = NgramNormalization.None)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (!(dropout >= 0f && dropout < 1f)) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "n-gram dropout must be in [0, 1)");
        if (!Enum.IsDefined(normalization)) throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "n-gram normalisation must be None, L2 or L1");
        Count = count; Order = order; Classes = classes; Scale = scale; Dropout = dropout; Normalization = normalization;
        Keys = RegisterBuffer("keys", Tensor.Zeros(count, order));                  // (G, N)
        Ratio = RegisterBuffer("ratio", Tensor.Zeros(count, classes));              // (G, K)
        Weight = RegisterParameter("weight", Tensor.Zeros(count));                  // (G)
    }

    /// <summary>G.</summary>
    public int Count { get; }
    /// <summary>N.</summary>
    public int Order { get; }
    /// <summary>K.</summary>
    public int Classes { get; }
    /// <summary>β, the weight every n-gram's ratio starts with.</summary>
    public float Scale { get; }
    /// <summary>Training-time drop probability of a present n-gram.</summary>
    public float Dropout { get; }
    /// <summary>How the sum over a text's n-grams is normalised by their number.</summary>
    public NgramNormalization Normalization { get; }

    /// <summary>s(n): the factor of a text's sum over its <paramref name="present"/> table n-grams (0 when there are none).</summary>
    public float LengthScale(int present) => present == 0 ? 0f : Normalization switch
    {
        NgramNormalization.L2 => 1f / MathF.Sqrt(present),
        NgramNormalization.L1 => 1f / present,
        _ => 1f,
    };
    /// <summary>Sorted n-gram keys (G, N).</summary>
    public Tensor Keys { get; }
    /// <summary>Frozen log-count ratios r (G, K).</summary>
    public Tensor Ratio { get; }
    /// <summary>Learned per-n-gram weight w (G).</summary>
    public Tensor Weight { get; }

    /// <summary>Copies a fitted table in (its size, order and classes must match).</summary>
    public void Load(NgramTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Count != Count || table.Order != Order || table.Ratios.Length != Count * Classes || table.Keys.Length != Count * Order)
            throw new ArgumentException($"n-gram table is {table.Count} × order {table.Order} with {table.Ratios.Length} ratios; the branch expects {Count} × order {Order} × {Classes} classes.", nameof(table));
        table.Keys.CopyTo(Keys.Data);
        table.Ratios.CopyTo(Ratio.Data);
        if (table.DocumentCounts is { } counts)
        {
            if (counts.Length != Count * Classes) throw new ArgumentException($"n-gram table has {counts.Length} document counts, expected {Count} × {Classes}.", nameof(table));
            documentCounts = counts;
            alpha = table.Alpha;
            // ‖p_k‖₁ and ‖q_k‖₁ of the full table.
            pNorms = new double[Classes]; qNorms = new double[Classes];
            for (int f = 0; f < Count; f++)
            {
                int total = 0;
                for (int k = 0; k < Classes; k++) total += counts[f * Classes + k];
                for (int k = 0; k < Classes; k++) { pNorms[k] += alpha + counts[f * Classes + k]; qNorms[k] += alpha + total - counts[f * Classes + k]; }
            }
        }
    }

    /// <summary>True when the training counts are known, so training can use leave-one-out ratios.</summary>
    public bool CanLeaveOneOut => documentCounts is not null;

    private int[]? documentCounts;
    private double[] pNorms = [], qNorms = [];
    private float alpha;

    /// <summary>
    /// Logits (B, K) of the table n-grams in each row of <paramref name="ids"/> (B, T) — ids past each length are
    /// ignored. See <see cref="Forward(TokenRows, Generator, int[])"/>.
    /// </summary>
    public Tensor Forward(int[] ids, int batchSize, int paddedLength, int[] lengths, Generator generator, int[]? targets = null) =>
        Forward(TokenRows.FromPadded(ids, batchSize, paddedLength, lengths), generator, targets);

    /// <summary>
    /// Logits (B, K) of the table n-grams in each of the B <paramref name="rows"/>. <paramref name="generator"/> draws the
    /// n-gram dropout when <see cref="Module.IsTraining"/>. In training, with the classes <paramref name="targets"/> (B)
    /// of training texts and the training counts loaded, each row uses the leave-one-out ratios of its own text.
    /// </summary>
    public Tensor Forward(TokenRows rows, Generator generator, int[]? targets = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int batchSize = rows.Count;
        if (targets is not null && targets.Length != batchSize) throw new ArgumentException($"{targets.Length} targets for {batchSize} rows.", nameof(targets));
        var (offsets, features) = Lookup(rows);
        var ratios = IsTraining && targets is not null && documentCounts is not null
            ? LeaveOneOutRatios(offsets, features, targets)
            : Gather(features);
        // s(n_b) counts the n-grams present before dropout, so dropout keeps each row's expected logits.
        var rowScales = new float[batchSize];
        for (int b = 0; b < batchSize; b++) rowScales[b] = LengthScale(offsets[b + 1] - offsets[b]);
        if (IsTraining && Dropout > 0f)
        {
            // Dropped features leave the lists; survivors are scaled by 1/(1−p) in the op.
            var keptFeatures = new List<int>(features.Length);
            var keptRatios = new List<float>(ratios.Length);
            var newOffsets = new int[batchSize + 1];
            for (int b = 0; b < batchSize; b++)
            {
                for (int j = offsets[b]; j < offsets[b + 1]; j++)
                {
                    if (generator.NextFloat() < Dropout) continue;
                    keptFeatures.Add(features[j]);
                    for (int k = 0; k < Classes; k++) keptRatios.Add(ratios[j * Classes + k]);
                }
                newOffsets[b + 1] = keptFeatures.Count;
            }
            (offsets, features, ratios) = (newOffsets, keptFeatures.ToArray(), keptRatios.ToArray());
            for (int b = 0; b < batchSize; b++) rowScales[b] /= 1f - Dropout;
        }
        return Logits(offsets, features, Weight, ratios, Classes, Scale, rowScales);
    }

    // The ratio rows r[f_j] of the listed features (nnz, K).
    private float[] Gather(int[] features)
    {
        var rows = new float[features.Length * Classes];
        var r = Ratio.Data;
        for (int j = 0; j < features.Length; j++) r.Slice(features[j] * Classes, Classes).CopyTo(rows.AsSpan(j * Classes, Classes));
        return rows;
    }

    // Ratios of the table fitted without each row's own text (see the file header), (nnz, K).
    private float[] LeaveOneOutRatios(int[] offsets, int[] features, int[] targets)
    {
        var counts = documentCounts!;
        var rows = new float[features.Length * Classes];
        for (int b = 0; b < offsets.Length - 1; b++)
        {
            int y = targets[b], present = offsets[b + 1] - offsets[b];
            if ((uint)y >= (uint)Classes) throw new ArgumentOutOfRangeException(nameof(targets), y, $"target of row {b} is outside [0, {Classes}).");
            for (int j = offsets[b]; j < offsets[b + 1]; j++)
            {
                int f = features[j], total = 0;
                for (int k = 0; k < Classes; k++) total += counts[f * Classes + k];
                for (int k = 0; k < Classes; k++)
                {
                    bool own = k == y;
                    int inClass = counts[f * Classes + k] - (own ? 1 : 0);
                    int rest = total - counts[f * Classes + k] - (own ? 0 : 1);
                    double pNorm = pNorms[k] - (own ? present : 0), qNorm = qNorms[k] - (own ? 0 : present);
                    rows[j * Classes + k] = (float)Math.Log((alpha + inClass) / pNorm / ((alpha + rest) / qNorm));
                }
            }
        }
        return rows;
    }

    /// <summary>
    /// The distinct table features of each row (binarized counts), as CSR lists: row b's feature ids are
    /// features[offsets[b] .. offsets[b + 1]), ascending.
    /// </summary>
    public (int[] Offsets, int[] Features) Lookup(TokenRows rows)
    {
        rows.Validate();
        int batchSize = rows.Count;
        var offsets = new int[batchSize + 1];
        var features = new List<int>();
        var row = new List<int>();
        Span<float> key = stackalloc float[Order];
        var keys = Keys.Data;
        for (int b = 0; b < batchSize; b++)
        {
            row.Clear();
            var ids = rows.Row(b);
            int length = ids.Length;
            for (int t = 0; t < length; t++)
            {
                for (int n = 1; n <= Order && t + n <= length; n++)
                {
                    key.Clear();
                    for (int j = 0; j < n; j++) key[j] = ids[t + j];
                    int f = Find(keys, key);
                    if (f >= 0) row.Add(f);
                }
            }
            row.Sort();
            for (int j = 0; j < row.Count; j++)
                if (j == 0 || row[j] != row[j - 1]) features.Add(row[j]);
            offsets[b + 1] = features.Count;
        }
        return (offsets, features.ToArray());
    }

    // Binary search of the sorted (G, N) keys; −1 when absent.
    private int Find(ReadOnlySpan<float> keys, ReadOnlySpan<float> key)
    {
        int low = 0, high = Count - 1;
        while (low <= high)
        {
            int mid = (low + high) >>> 1;
            int c = Compare(keys.Slice(mid * Order, Order), key);
            if (c == 0) return mid;
            if (c < 0) low = mid + 1; else high = mid - 1;
        }
        return -1;
    }

    private static int Compare(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        for (int i = 0; i < a.Length; i++)
            if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
        return 0;
    }

    /// <summary>
    /// The op: y[b, k] = c_b · Σ_{j ∈ row b} (β + w[f_j]) · R[j, k]  (B, K), rows as CSR lists of feature ids f_j with
    /// their ratio rows R (nnz, K) and a factor c_b per row (<paramref name="rowScales"/>, B: length normalisation
    /// and dropout rescaling). Backward: dw[f_j] += c_b · Σ_k dy[b, k] · R[j, k]  (ratios and factors are constants).
    /// </summary>
    internal static Tensor Logits(int[] offsets, int[] features, Tensor weight, float[] ratios, int classes, float scale, float[] rowScales)
    {
        int batch = offsets.Length - 1;
        if (ratios.Length != features.Length * classes) throw new ArgumentException($"{ratios.Length} ratios for {features.Length} features × {classes} classes.", nameof(ratios));
        if (rowScales.Length != batch) throw new ArgumentException($"{rowScales.Length} row factors for {batch} rows.", nameof(rowScales));
        var y = Tensor.Zeros(batch, classes);                                       // (B, K)
        var yd = y.Data; var w = weight.Data;
        for (int b = 0; b < batch; b++)
        {
            var dst = yd.Slice(b * classes, classes);
            float c = rowScales[b];
            for (int j = offsets[b]; j < offsets[b + 1]; j++)
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(ratios.AsSpan(j * classes, classes), c * (scale + w[features[j]]), dst, dst);
        }
        return y.Record("nb_ngram_logits", [weight], g =>
        {
            var gw = weight.GradBuffer(); var gd = g.Data;
            for (int b = 0; b < batch; b++)
            {
                var gRow = gd.Slice(b * classes, classes);
                float c = rowScales[b];
                for (int j = offsets[b]; j < offsets[b + 1]; j++)
                    gw[features[j]] += c * System.Numerics.Tensors.TensorPrimitives.Dot(gRow, ratios.AsSpan(j * classes, classes));
            }
        });
    }

    /// <summary>
    /// Fits the table on training sequences: every n-gram of orders 1..<paramref name="order"/> (token ids, no
    /// padding id inside) that occurs in at least <paramref name="minCount"/> sequences, the
    /// <paramref name="maxCount"/> most frequent kept (ties by key), with log-count ratios smoothed by α.
    /// </summary>
    public static NgramTable Fit(IReadOnlyList<int[]> sequences, IReadOnlyList<int> targets, int classes, int order,
        int minCount = 1, int maxCount = 1_000_000, float alpha = 1f, int paddingId = 0)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(targets);
        if (sequences.Count != targets.Count) throw new ArgumentException($"{sequences.Count} sequences but {targets.Count} targets.", nameof(targets));
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        if (!(alpha > 0f)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "smoothing must be > 0");

        // Document frequency of each n-gram per class (x̂ is binary: a repeated n-gram counts once per sequence).
        var counts = new Dictionary<NgramKey, int[]>();
        var seen = new HashSet<NgramKey>();
        for (int i = 0; i < sequences.Count; i++)
        {
            int y = targets[i];
            if ((uint)y >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(targets), y, $"target of sequence {i} is outside [0, {classes}).");
            var s = sequences[i];
            seen.Clear();
            for (int t = 0; t < s.Length; t++)
            {
                for (int n = 1; n <= order && t + n <= s.Length; n++)
                {
                    int id = s[t + n - 1];
                    if (id == paddingId) break;
                    if ((uint)id > MaxTokenId) throw new ArgumentOutOfRangeException(nameof(sequences), id, $"token id above {MaxTokenId} cannot be stored in an n-gram key.");
                    var key = NgramKey.Of(s.AsSpan(t, n), order);
                    if (!seen.Add(key)) continue;
                    if (!counts.TryGetValue(key, out var perClass)) counts[key] = perClass = new int[classes];
                    perClass[y]++;
                }
            }
        }
        var kept = counts.Where(p => p.Value.Sum() >= minCount)
            .OrderByDescending(p => p.Value.Sum()).ThenBy(p => p.Key).Take(maxCount)
            .OrderBy(p => p.Key).ToArray();
        if (kept.Length == 0) throw new ArgumentException($"no n-gram occurs in {minCount} or more training sequences.", nameof(sequences));

        int g = kept.Length;
        var keys = new float[g * order];
        for (int f = 0; f < g; f++) kept[f].Key.CopyTo(keys.AsSpan(f * order, order));
        // p_k = α + count in class k, q_k = α + count in the other classes; each normalised by its L1 norm over the table.
        var ratios = new float[g * classes];
        for (int k = 0; k < classes; k++)
        {
            double pNorm = 0, qNorm = 0;
            for (int f = 0; f < g; f++)
            {
                int inClass = kept[f].Value[k], total = kept[f].Value.Sum();
                pNorm += alpha + inClass; qNorm += alpha + (total - inClass);
            }
            for (int f = 0; f < g; f++)
            {
                int inClass = kept[f].Value[k], total = kept[f].Value.Sum();
                ratios[f * classes + k] = (float)Math.Log((alpha + inClass) / pNorm / ((alpha + total - inClass) / qNorm));
            }
        }
        var documentCounts = new int[g * classes];
        for (int f = 0; f < g; f++) kept[f].Value.CopyTo(documentCounts, f * classes);
        return new NgramTable(keys, ratios, g, order, documentCounts, alpha);
    }

    /// <summary>An n-gram of at most three token ids (more are not needed for sentences and keep the key a value type).</summary>
    private readonly record struct NgramKey(int A, int B, int C) : IComparable<NgramKey>
    {
        public static NgramKey Of(ReadOnlySpan<int> ids, int order)
        {
            if (order > 3) throw new ArgumentOutOfRangeException(nameof(order), order, "n-gram order must be at most 3.");
            return new NgramKey(ids[0], ids.Length > 1 ? ids[1] : 0, ids.Length > 2 ? ids[2] : 0);
        }

        public void CopyTo(Span<float> destination)
        {
            destination[0] = A;
            if (destination.Length > 1) destination[1] = B;
            if (destination.Length > 2) destination[2] = C;
        }

        public int CompareTo(NgramKey other) => A != other.A ? A.CompareTo(other.A) : B != other.B ? B.CompareTo(other.B) : C.CompareTo(other.C);
    }
}
