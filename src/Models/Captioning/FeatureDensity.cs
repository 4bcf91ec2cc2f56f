// How familiar an image looks to the encoder: a Gaussian fitted to the average-pooled encoder features
// of the training images (the 512-d vector an ImageNet ResNet's classifier reads), scored by the
// Mahalanobis distance d²(x) = (x − μ)ᵀ Σ⁻¹ (x − μ) (Lee et al. 2018, "A Simple Unified Framework for
// Detecting Out-of-Distribution Samples"). Images unlike anything in training (shapes on a flat
// background, noise, screenshots, for a photo model) land far from μ even when the decoder still writes a
// fluent, confident-sounding caption, which is why the caption's own log-probability is a poor guard.
// d² is turned into a confidence by calibration on held-out in-domain images (the validation split):
//   confidence(x) = (1 + #{validation images with d² ≥ d²(x)}) / (1 + n)
// i.e. the share of held-out photos that look at least as unusual — about uniform on in-domain images,
// near 1/(n+1) far outside. Σ is shrunk toward its mean variance (Σ + α·tr(Σ)/F·I) so 512 dimensions
// estimated from a few thousand images stay well-conditioned.
// Saved as domain.safetensors beside the model: mean (F), whitening W = L⁻¹ with Σ = L·Lᵀ (F, F), and
// the sorted calibration distances (n).
// Shape key: N = images, F = feature channels.
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Captioning;

/// <summary>Gaussian density of pooled encoder features with a calibrated in-domain confidence.</summary>
public sealed class FeatureDensity
{
    /// <summary>File name inside a model directory.</summary>
    public const string FileName = "domain.safetensors";

    /// <summary>Shrinkage α toward the mean variance.</summary>
    public const double DefaultShrinkage = 0.1;

    /// <summary>Confidence below which a caption is flagged as unsure (1 % of held-out in-domain images fall below it).</summary>
    public const double UnsureBelow = 0.01;

    private readonly float[] mean;             // (F)
    private readonly float[] whitening;        // (F, F), lower triangular
    private readonly float[] calibration;      // (n) ascending

    private FeatureDensity(float[] mean, float[] whitening, float[] calibration)
    {
        this.mean = mean;
        this.whitening = whitening;
        this.calibration = calibration;
    }

    /// <summary>Feature dimension F.</summary>
    public int Dimension => mean.Length;

    /// <summary>Number of calibration images.</summary>
    public int CalibrationCount => calibration.Length;

    /// <summary>
    /// Fits μ and the shrunk Σ on <paramref name="training"/> (N·F pooled features, row-major) and calibrates on
    /// <paramref name="validation"/> (M·F). Accumulates in double precision.
    /// </summary>
    public static FeatureDensity Fit(ReadOnlySpan<float> training, ReadOnlySpan<float> validation, int dimension, double shrinkage = DefaultShrinkage)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (training.Length % dimension != 0 || validation.Length % dimension != 0)
            throw new ArgumentException($"feature density: inputs are not whole rows of {dimension} features.");
        int n = training.Length / dimension, f = dimension;
        if (n < 2) throw new ArgumentException("feature density: at least two training images are needed.");
        if (validation.Length == 0) throw new ArgumentException("feature density: calibration needs validation images.");
        if (!(shrinkage >= 0 && shrinkage <= 1)) throw new ArgumentOutOfRangeException(nameof(shrinkage), shrinkage, "must be in [0, 1]");

        var mu = new double[f];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < f; j++) mu[j] += training[i * f + j];
        for (int j = 0; j < f; j++) mu[j] /= n;
        var cov = new double[f * f];
        var centred = new double[f];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < f; j++) centred[j] = training[i * f + j] - mu[j];
            for (int a = 0; a < f; a++)
            {
                double ca = centred[a];
                if (ca == 0) continue;
                for (int b = 0; b <= a; b++) cov[a * f + b] += ca * centred[b];
            }
        }
        double trace = 0;
        for (int a = 0; a < f; a++) trace += cov[a * f + a] / (n - 1);
        double ridge = shrinkage * trace / f + 1e-12;
        for (int a = 0; a < f; a++)
            for (int b = 0; b <= a; b++)
                cov[a * f + b] = (1 - shrinkage) * cov[a * f + b] / (n - 1) + (a == b ? ridge : 0);

        var lower = Cholesky(cov, f);
        var w = InvertLower(lower, f);
        var density = new FeatureDensity(mu.Select(v => (float)v).ToArray(), w.Select(v => (float)v).ToArray(), []);
        var distances = new float[validation.Length / f];
        for (int i = 0; i < distances.Length; i++) distances[i] = density.Distance(validation.Slice(i * f, f));
        Array.Sort(distances);
        return new FeatureDensity(density.mean, density.whitening, distances);
    }

    /// <summary>Mahalanobis distance d² of one pooled feature vector (F).</summary>
    public float Distance(ReadOnlySpan<float> features)
    {
        int f = mean.Length;
        if (features.Length != f) throw new ArgumentException($"feature density: expected {f} features, got {features.Length}.");
        Span<float> centred = f <= 2048 ? stackalloc float[f] : new float[f];
        System.Numerics.Tensors.TensorPrimitives.Subtract(features, mean, centred);
        double sum = 0;
        for (int a = 0; a < f; a++)
        {
            double y = System.Numerics.Tensors.TensorPrimitives.Dot(whitening.AsSpan(a * f, a + 1), centred[..(a + 1)]);
            sum += y * y;
        }
        return (float)sum;
    }

    /// <summary>The calibrated confidence of one pooled feature vector: the share of held-out in-domain images at least as far.</summary>
    public double Confidence(ReadOnlySpan<float> features)
    {
        float d = Distance(features);
        // First index with calibration[i] ≥ d: everything from there on is at least as unusual.
        int lo = 0, hi = calibration.Length;
        while (lo < hi) { int mid = (lo + hi) >>> 1; if (calibration[mid] < d) lo = mid + 1; else hi = mid; }
        return (1.0 + calibration.Length - lo) / (1.0 + calibration.Length);
    }

    /// <summary>Mean over regions of (N, R, F) features → N·F pooled rows.</summary>
    public static float[] Pool(Tensor regionFeatures)
    {
        ArgumentNullException.ThrowIfNull(regionFeatures);
        if (regionFeatures.Rank != 3) throw new ShapeMismatchException("feature_density", $"features {TensorShape.Format(regionFeatures.Shape)} are not (N, R, F)");
        int n = regionFeatures.Size(0), r = regionFeatures.Size(1), f = regionFeatures.Size(2);
        var pooled = new float[n * f];
        var data = regionFeatures.Data;
        for (int i = 0; i < n; i++)
        {
            var row = pooled.AsSpan(i * f, f);
            for (int k = 0; k < r; k++) System.Numerics.Tensors.TensorPrimitives.Add(row, data.Slice((i * r + k) * f, f), row);
            System.Numerics.Tensors.TensorPrimitives.Multiply(row, 1f / r, row);
        }
        return pooled;
    }

    /// <summary>Writes the density to <paramref name="path"/> (safetensors; replaced atomically).</summary>
    public void Save(string path)
    {
        int f = mean.Length;
        SafeTensors.Write(path, new Dictionary<string, Tensor>
        {
            ["mean"] = Tensor.FromArray(mean, f),
            ["whitening"] = Tensor.FromArray(whitening, f, f),
            ["calibration"] = Tensor.FromArray(calibration, calibration.Length),
        }, new Dictionary<string, string> { ["format"] = "pipeline-feature-density", ["format_version"] = "1" });
    }

    /// <summary>Reads a density written by <see cref="Save"/>, expecting <paramref name="dimension"/> features; <see cref="CheckpointFormatException"/> naming the problem otherwise.</summary>
    public static FeatureDensity Load(string path, int dimension)
    {
        var header = SafeTensors.ReadHeader(path);
        var shapes = header.Tensors.ToDictionary(t => t.Name, t => t.Shape.ToArray(), StringComparer.Ordinal);
        if (!shapes.TryGetValue("mean", out var m) || !m.SequenceEqual([dimension])
            || !shapes.TryGetValue("whitening", out var w) || !w.SequenceEqual([dimension, dimension])
            || !shapes.TryGetValue("calibration", out var c) || c.Length != 1 || c[0] < 1 || shapes.Count != 3)
            throw new CheckpointFormatException(path, null, $"expected tensors mean [{dimension}], whitening [{dimension}, {dimension}] and calibration [n ≥ 1] for {dimension} encoder features");
        var content = SafeTensors.Read(path);
        float[] Values(string name)
        {
            var values = content.Tensors[name].ToArray();
            if (values.Any(v => !float.IsFinite(v))) throw new CheckpointFormatException(path, name, "holds non-finite values");
            return values;
        }
        var calibration = Values("calibration");
        for (int i = 1; i < calibration.Length; i++)
            if (calibration[i] < calibration[i - 1]) throw new CheckpointFormatException(path, "calibration", "is not sorted ascending");
        return new FeatureDensity(Values("mean"), Values("whitening"), calibration);
    }

    /// <summary>Lower-triangular L with A = L·Lᵀ for symmetric positive definite A (lower triangle given).</summary>
    private static double[] Cholesky(double[] a, int f)
    {
        var l = new double[f * f];
        for (int i = 0; i < f; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = a[i * f + j];
                for (int k = 0; k < j; k++) s -= l[i * f + k] * l[j * f + k];
                if (i == j)
                {
                    if (!(s > 0)) throw new InvalidOperationException($"feature density: covariance is not positive definite at {i} (features constant or non-finite?).");
                    l[i * f + i] = Math.Sqrt(s);
                }
                else l[i * f + j] = s / l[j * f + j];
            }
        return l;
    }

    /// <summary>L⁻¹ of lower-triangular L (also lower triangular), by forward substitution per column.</summary>
    private static double[] InvertLower(double[] l, int f)
    {
        var inv = new double[f * f];
        for (int col = 0; col < f; col++)
        {
            inv[col * f + col] = 1 / l[col * f + col];
            for (int i = col + 1; i < f; i++)
            {
                double s = 0;
                for (int k = col; k < i; k++) s -= l[i * f + k] * inv[k * f + col];
                inv[i * f + col] = s / l[i * f + i];
            }
        }
        return inv;
    }
}
