// Quick runtime verification of the fast kernels against their naive references, for the
// `pipeline selfcheck` command (and anyone who wants to confirm a new CPU / runtime runs the
// SIMD paths correctly).
//
// It runs the blocked SGEMM on a handful of shapes chosen to hit the small path, the packed
// path with ragged edge tiles, k crossing a packing slice and all four transpose combinations,
// compares with SgemmReference, and checks that Col2Im is the adjoint of Im2Col on a padded,
// strided, dilated case. Each check reports its worst error and the tolerance it was held to.
// It is deterministic (fixed seed) and takes a few milliseconds.

namespace Pipeline.Models.Kernels;

/// <summary>Outcome of one self-check: the worst observed error and the bound it had to stay under.</summary>
/// <param name="Name">What was checked.</param>
/// <param name="MaxError">Largest absolute error seen.</param>
/// <param name="Tolerance">Bound the error was compared against.</param>
public readonly record struct KernelCheckResult(string Name, double MaxError, double Tolerance)
{
    /// <summary>True when <see cref="MaxError"/> is within <see cref="Tolerance"/>.</summary>
    public bool Passed => MaxError <= Tolerance;
}

/// <summary>Verifies <see cref="Sgemm"/> and <see cref="Im2Col"/> against naive references.</summary>
public static class KernelSelfCheck
{
    /// <summary>Runs every check and returns one result per check (in a fixed order).</summary>
    public static IReadOnlyList<KernelCheckResult> Run()
    {
        var results = new List<KernelCheckResult>();
        var random = new Random(20261123);
        foreach ((int m, int n, int k) in new[] { (7, 13, 5), (129, 65, 33), (70, 100, 300) })
        {
            foreach (bool ta in new[] { false, true })
            {
                foreach (bool tb in new[] { false, true })
                    results.Add(CheckSgemm(random, m, n, k, ta, tb));
            }
        }
        results.Add(CheckIm2ColAdjoint(random));
        return results;
    }

    private static KernelCheckResult CheckSgemm(Random random, int m, int n, int k, bool ta, bool tb)
    {
        float[] a = Fill(random, m * k), b = Fill(random, k * n), c = Fill(random, m * n);
        float[] expected = (float[])c.Clone();
        int lda = ta ? m : k, ldb = tb ? k : n;
        SgemmReference.Multiply(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 0.25f, expected, n);
        Sgemm.Multiply(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 0.25f, c, n);
        double worst = 0;
        for (int i = 0; i < c.Length; i++)
            worst = Math.Max(worst, Math.Abs((double)c[i] - expected[i]));
        // Values in [-1, 1]: float32 summation error of k products stays far below 1e-5 per term.
        return new KernelCheckResult($"sgemm {m}x{n}x{k} {(ta ? 'T' : 'N')}{(tb ? 'T' : 'N')}", worst, 1e-5 * (k + 1));
    }

    private static KernelCheckResult CheckIm2ColAdjoint(Random random)
    {
        const int ch = 3, h = 9, w = 11, kh = 3, kw = 2, sh = 2, sw = 1, ph = 1, pw = 2, dh = 2, dw = 1;
        int outH = Im2Col.OutputSize(h, kh, sh, ph, dh), outW = Im2Col.OutputSize(w, kw, sw, pw, dw);
        float[] x = Fill(random, ch * h * w), y = Fill(random, ch * kh * kw * outH * outW);
        float[] cols = new float[y.Length], back = new float[x.Length];
        Im2Col.Im2Col2d(x, ch, h, w, kh, kw, sh, sw, ph, pw, dh, dw, cols);
        Im2Col.Col2Im2d(y, ch, h, w, kh, kw, sh, sw, ph, pw, dh, dw, back);
        double lhs = 0, rhs = 0;
        for (int i = 0; i < cols.Length; i++)
            lhs += (double)cols[i] * y[i];
        for (int i = 0; i < x.Length; i++)
            rhs += (double)x[i] * back[i];
        return new KernelCheckResult("im2col/col2im adjoint", Math.Abs(lhs - rhs), 1e-4 * (1 + Math.Abs(lhs)));
    }

    private static float[] Fill(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
