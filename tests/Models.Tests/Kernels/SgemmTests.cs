// Tests of the blocked SGEMM against the naive double-accumulator reference: odd shapes,
// shapes straddling every blocking boundary (MR, NR, KC, MC, NC), all transpose combinations,
// padded leading dimensions, alpha/beta handling, every kernel family this CPU supports, and
// the argument validation messages.

using Pipeline.Models.Kernels;

namespace Pipeline.Models.Tests.Kernels;

public class SgemmTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 7, 13, 5 }, { 129, 65, 33 }, { 3, 1, 200 }, { 1, 77, 9 },
        // Large enough for the packed path, with ragged MR (6/12) and NR (16/32) edges.
        { 37, 45, 29 }, { 64, 64, 64 }, { 13, 33, 300 },
        // k needs several KC slices (beta applied by the first slice only), m crosses MC = 240.
        { 250, 40, 513 }, { 245, 17, 257 },
        // n crosses NC = 2048.
        { 3, 2100, 20 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesReference_AllTransposes(int m, int n, int k)
    {
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (var kind in SupportedKinds())
                    CheckAgainstReference(kind, ta, tb, m, n, k, alpha: 1f, beta: 0f, pad: 0, seed: m * 31 + n * 7 + k);
    }

    [Fact]
    public void EdgeTilesOfEveryShapeMatchReference()
    {
        // Partial tiles run the smallest covering edge kernel (4, 8 or 12 rows × 16 or 32 columns on AVX-512),
        // reading a corner of the zero-padded packed panels: cover every row remainder of MR = 12 and column
        // remainders on both sides of 16, with and without beta (the scratch tile is merged into C). k = 120 keeps
        // even 13×33 above SmallProblem, so every case takes the packed path.
        foreach (int m in new[] { 13, 16, 17, 20, 21, 23, 24, 64, 100 })
            foreach (int n in new[] { 33, 40, 48, 49, 63, 100 })
                foreach (var kind in SupportedKinds())
                {
                    CheckAgainstReference(kind, false, false, m, n, 120, alpha: 1f, beta: 0f, pad: 0, seed: m * 131 + n);
                    CheckAgainstReference(kind, true, true, m, n, 120, alpha: 0.5f, beta: 0.75f, pad: 3, seed: m * 17 + n);
                }
    }

    [Theory]
    [InlineData(0, 5, 7)]
    [InlineData(5, 0, 7)]
    [InlineData(5, 7, 0)]
    [InlineData(0, 0, 0)]
    public void ZeroSizedDimensions(int m, int n, int k)
    {
        // k == 0 leaves C = beta·C; m or n == 0 touches nothing.
        CheckAgainstReference(SgemmMicroKernels.Best, false, false, m, n, k, alpha: 2f, beta: 0.5f, pad: 0, seed: 3);
        CheckAgainstReference(SgemmMicroKernels.Best, true, true, m, n, k, alpha: 2f, beta: 0f, pad: 0, seed: 4);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void PaddedLeadingDimensionsAlphaBeta(bool ta, bool tb)
    {
        foreach (var kind in SupportedKinds())
        {
            CheckAgainstReference(kind, ta, tb, 7, 13, 5, alpha: -1.5f, beta: 0.75f, pad: 3, seed: 11);
            CheckAgainstReference(kind, ta, tb, 50, 70, 300, alpha: 0.5f, beta: -2f, pad: 5, seed: 12);
            CheckAgainstReference(kind, ta, tb, 50, 70, 300, alpha: 1f, beta: 1f, pad: 1, seed: 13);
        }
    }

    [Fact]
    public void AlphaZeroOnlyScalesC()
    {
        CheckAgainstReference(SgemmMicroKernels.Best, false, false, 40, 40, 40, alpha: 0f, beta: 3f, pad: 0, seed: 14);
    }

    [Fact]
    public void BetaZeroIgnoresNaNInC()
    {
        foreach (var kind in SupportedKinds())
        {
            foreach ((int m, int n, int k) in new[] { (5, 6, 7), (70, 90, 300), (30, 30, 0) })
            {
                var random = new Random(21);
                float[] a = RandomArray(random, m * k);
                float[] b = RandomArray(random, k * n);
                float[] c = Enumerable.Repeat(float.NaN, m * n).ToArray();
                float[] expected = new float[m * n];
                int lda = Math.Max(1, k);
                SgemmReference.Multiply(false, false, m, n, k, 1f, a, lda, b, n, 0f, expected, n);
                Sgemm.MultiplyWith(kind, false, false, m, n, k, 1f, a, lda, b, n, 0f, c, n);
                Assert.All(c, v => Assert.False(float.IsNaN(v)));
                AssertClose(expected, c, k, $"{kind} {m}x{n}x{k}");
            }
        }
    }

    [Fact]
    public void BatchedMatchesPerItemReference()
    {
        const int m = 20, n = 30, k = 40, batch = 5;
        var random = new Random(31);
        float[] a = RandomArray(random, batch * m * k);
        float[] b = RandomArray(random, k * n); // stride 0: one B shared by every item
        float[] c = RandomArray(random, batch * m * n);
        float[] expected = (float[])c.Clone();
        for (int i = 0; i < batch; i++)
        {
            SgemmReference.Multiply(false, false, m, n, k, 2f, a.AsSpan(i * m * k), k, b, n, 0.5f,
                expected.AsSpan(i * m * n), n);
        }
        Sgemm.MultiplyBatched(false, false, m, n, k, 2f, a, k, m * k, b, n, 0, 0.5f, c, n, m * n, batch);
        AssertClose(expected, c, k, "batched");
    }

    [Fact]
    public void ValidationMessagesNameArgumentAndValues()
    {
        float[] a = new float[12], b = new float[16], c = new float[12];
        var ex = Assert.Throws<ArgumentException>(() => Sgemm.Multiply(false, false, 3, 4, 4, 1f, a, 3, b, 4, 0f, c, 4));
        Assert.Equal("lda", ex.ParamName);
        Assert.Contains("at least 4", ex.Message);
        Assert.Contains("was 3", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => Sgemm.Multiply(false, false, 3, 4, 5, 1f, a, 5, b, 4, 0f, c, 4));
        Assert.Equal("a", ex.ParamName);
        Assert.Contains("at least 15", ex.Message);
        Assert.Contains("length was 12", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => Sgemm.Multiply(false, true, 3, 4, 4, 1f, a, 4, b, 3, 0f, c, 4));
        Assert.Equal("ldb", ex.ParamName);

        ex = Assert.Throws<ArgumentException>(() => Sgemm.Multiply(false, false, 3, 4, 4, 1f, a, 4, b, 4, 0f, c.AsSpan(1), 4));
        Assert.Equal("c", ex.ParamName);
        Assert.Contains("11", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => Sgemm.Multiply(false, false, -1, 4, 4, 1f, a, 4, b, 4, 0f, c, 4));
        Assert.Equal("m", ex.ParamName);

        ex = Assert.Throws<ArgumentException>(() => SgemmReference.Multiply(false, false, 3, 4, 4, 1f, a, 4, b, 4, 0f, c, 3));
        Assert.Equal("ldc", ex.ParamName);

        ex = Assert.Throws<ArgumentException>(() => Sgemm.MultiplyBatched(false, false, 2, 2, 2, 1f, a, 2, 4, b, 2, 4, 0f, c, 2, 0, 3));
        Assert.Equal("strideC", ex.ParamName);
    }

    [Fact]
    public void SelfCheckPasses()
    {
        var results = KernelSelfCheck.Run();
        Assert.NotEmpty(results);
        Assert.All(results, r => Assert.True(r.Passed, $"{r.Name}: error {r.MaxError} > {r.Tolerance}"));
    }

    internal static IEnumerable<SgemmKernelKind> SupportedKinds() =>
        Enum.GetValues<SgemmKernelKind>().Where(SgemmMicroKernels.IsSupported);

    internal static void CheckAgainstReference(SgemmKernelKind kind, bool ta, bool tb, int m, int n, int k,
        float alpha, float beta, int pad, int seed)
    {
        var random = new Random(seed);
        int aRows = ta ? k : m, aCols = ta ? m : k;
        int bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = Math.Max(1, aCols) + pad, ldb = Math.Max(1, bCols) + pad, ldc = Math.Max(1, n) + pad;
        float[] a = RandomArray(random, aRows * lda);
        float[] b = RandomArray(random, bRows * ldb);
        float[] c = RandomArray(random, m * ldc);
        float[] expected = (float[])c.Clone();
        SgemmReference.Multiply(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);
        Sgemm.MultiplyWith(kind, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        AssertClose(expected, c, k, $"{kind} ta={ta} tb={tb} {m}x{n}x{k} alpha={alpha} beta={beta} pad={pad}");
    }

    internal static float[] RandomArray(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    internal static void AssertClose(float[] expected, float[] actual, int k, string context)
    {
        // Inputs are in [-1, 1], so each sum has k terms of magnitude <= 1 and its float32 rounding
        // error grows roughly like sqrt(k)·eps (blocked/FMA summation order differs from the double
        // reference). 1e-5·(k+1) absolute plus 1e-5 relative is a generous but still tight bound.
        float absTol = 1e-5f * (k + 1);
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            float tol = absTol + 1e-5f * Math.Abs(e);
            if (!(Math.Abs(e - a) <= tol))
                Assert.Fail($"{context}: element {i} expected {e} but got {a} (tolerance {tol})");
        }
    }
}
