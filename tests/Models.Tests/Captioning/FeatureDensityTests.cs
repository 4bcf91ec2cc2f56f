// The in-domain confidence: Mahalanobis distances against a naive double-precision reference (explicit
// covariance, Gauss–Jordan inverse), the calibration formula, separation of shifted data, and the file
// round trip with its refusals.
using Pipeline.Models.Captioning;
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Captioning;

public sealed class FeatureDensityTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("density-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>N rows of F correlated Gaussian features (x = A·z + offset), seeded.</summary>
    private static float[] Sample(int n, int f, int seed, float offset = 0f)
    {
        var rng = new Random(seed);
        var mix = new Random(99);                                  // the same mixing matrix for every sample
        var a = Enumerable.Range(0, f * f).Select(_ => (float)(mix.NextDouble() - 0.5)).ToArray();
        var rows = new float[n * f];
        for (int i = 0; i < n; i++)
        {
            var z = Enumerable.Range(0, f).Select(_ => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble())).ToArray();
            for (int r = 0; r < f; r++)
            {
                double v = offset;
                for (int c = 0; c < f; c++) v += a[r * f + c] * z[c];
                rows[i * f + r] = (float)v;
            }
        }
        return rows;
    }

    [Fact]
    public void Distance_matches_a_naive_inverse_of_the_shrunk_covariance()
    {
        const int n = 200, f = 6;
        var train = Sample(n, f, seed: 1);
        var density = FeatureDensity.Fit(train, Sample(10, f, seed: 2), f, shrinkage: 0.2);

        // Reference: μ, unbiased Σ, Σ' = 0.8·Σ + 0.2·tr(Σ)/f·I, d² = (x−μ)ᵀ Σ'⁻¹ (x−μ).
        var mu = new double[f];
        for (int i = 0; i < n; i++) for (int j = 0; j < f; j++) mu[j] += train[i * f + j] / (double)n;
        var cov = new double[f, f];
        for (int i = 0; i < n; i++) for (int a = 0; a < f; a++) for (int b = 0; b < f; b++) cov[a, b] += (train[i * f + a] - mu[a]) * (train[i * f + b] - mu[b]) / (n - 1);
        double trace = Enumerable.Range(0, f).Sum(k => cov[k, k]);
        for (int a = 0; a < f; a++) for (int b = 0; b < f; b++) cov[a, b] = 0.8 * cov[a, b] + (a == b ? 0.2 * trace / f : 0);
        var inverse = Invert(cov, f);
        var probe = Sample(5, f, seed: 3, offset: 0.5f);
        for (int i = 0; i < 5; i++)
        {
            double expected = 0;
            for (int a = 0; a < f; a++) for (int b = 0; b < f; b++) expected += (probe[i * f + a] - mu[a]) * inverse[a, b] * (probe[i * f + b] - mu[b]);
            Assert.Equal(expected, density.Distance(probe.AsSpan(i * f, f)), expected * 1e-4 + 1e-5);
        }
    }

    [Fact]
    public void Confidence_is_the_calibrated_share_and_separates_shifted_data()
    {
        const int f = 8;
        var density = FeatureDensity.Fit(Sample(500, f, seed: 1), Sample(99, f, seed: 2), f);
        Assert.Equal(99, density.CalibrationCount);
        var held = Sample(300, f, seed: 4);
        var far = Sample(300, f, seed: 5, offset: 3f);
        var inDomain = Enumerable.Range(0, 300).Select(i => density.Confidence(held.AsSpan(i * f, f))).ToArray();
        var outside = Enumerable.Range(0, 300).Select(i => density.Confidence(far.AsSpan(i * f, f))).ToArray();
        Assert.InRange(inDomain.Average(), 0.4, 0.6);                                 // ≈ uniform on in-domain data
        Assert.True(outside.Count(c => c <= FeatureDensity.UnsureBelow) > 270, $"only {outside.Count(c => c <= FeatureDensity.UnsureBelow)} of 300 shifted rows flagged");
        Assert.All(inDomain.Concat(outside), c => Assert.InRange(c, 1.0 / 100, 1.0));
        // The mean itself is the least unusual point: every calibration image is at least as far.
        var mean = Enumerable.Range(0, f).Select(j => (float)Enumerable.Range(0, 500).Average(i => Sample(500, f, seed: 1)[i * f + j])).ToArray();
        Assert.Equal(1.0, density.Confidence(mean));
    }

    [Fact]
    public void Round_trips_and_refuses_a_file_for_another_encoder()
    {
        const int f = 4;
        var density = FeatureDensity.Fit(Sample(50, f, seed: 1), Sample(20, f, seed: 2), f);
        string path = Path.Combine(dir, FeatureDensity.FileName);
        density.Save(path);
        var loaded = FeatureDensity.Load(path, f);
        var x = Sample(1, f, seed: 7, offset: 1f);
        Assert.Equal(density.Distance(x), loaded.Distance(x));
        Assert.Equal(density.Confidence(x), loaded.Confidence(x));
        var error = Assert.Throws<CheckpointFormatException>(() => FeatureDensity.Load(path, 512));
        Assert.Contains("512", error.Message);
    }

    [Fact]
    public void Pool_averages_regions()
    {
        var features = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f], 2, 3, 2);     // (N 2, R 3, F 2)
        Assert.Equal([3f, 4f, 9f, 10f], FeatureDensity.Pool(features));
    }

    private static double[,] Invert(double[,] m, int f)
    {
        var a = (double[,])m.Clone();
        var inv = new double[f, f];
        for (int i = 0; i < f; i++) inv[i, i] = 1;
        for (int c = 0; c < f; c++)
        {
            double p = a[c, c];
            for (int k = 0; k < f; k++) { a[c, k] /= p; inv[c, k] /= p; }
            for (int r = 0; r < f; r++)
            {
                if (r == c) continue;
                double factor = a[r, c];
                for (int k = 0; k < f; k++) { a[r, k] -= factor * a[c, k]; inv[r, k] -= factor * inv[c, k]; }
            }
        }
        return inv;
    }
}
