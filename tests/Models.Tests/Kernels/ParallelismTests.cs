// Parallelism.For and the kernels at several degrees of parallelism. Each test sets its degree with
// Parallelism.Scope, which applies to the calling thread only, so these tests run alongside the others
// without changing what they see (the process-wide default is never written here).

using Pipeline.Models.Kernels;

namespace Pipeline.Models.Tests.Kernels;

public class ParallelismTests
{
    [Fact]
    public void DegreeOfParallelismRejectsLessThanOne()
    {
        int saved = Parallelism.DegreeOfParallelism;
        Assert.True(saved >= 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.DegreeOfParallelism = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.DegreeOfParallelism = -3);
        Assert.Equal(saved, Parallelism.DegreeOfParallelism);
    }

    [Fact]
    public void ForRunsEveryIndexExactlyOnce()
    {
        foreach (int dop in new[] { 1, 2, 3 })
        {
            using var degree = Parallelism.Scope(dop);
            foreach (int count in new[] { 0, 1, 2, 17 })
            {
                var hits = new int[count];
                Parallelism.For(count, i => Interlocked.Increment(ref hits[i]));
                Assert.All(hits, h => Assert.Equal(1, h));
            }
        }
    }

    [Fact]
    public void ConcurrentAndNestedRegionsRunEveryIndexExactlyOnce()
    {
        // The worker team serves one region at a time: a region started while it is busy (from another
        // thread, or nested inside a region's body) must fall back to other helpers, never lose or repeat items.
        const int Callers = 4, Rounds = 50, Outer = 6, Inner = 9;
        var hits = new int[Callers, Rounds, Outer, Inner];
        var threads = Enumerable.Range(0, Callers).Select(caller => new Thread(() =>
        {
            using var degree = Parallelism.Scope(2);   // per thread: the scope belongs to the thread that opens it
            for (int round = 0; round < Rounds; round++)
                Parallelism.For(Outer, i => Parallelism.For(Inner, j => Interlocked.Increment(ref hits[caller, round, i, j])));
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        foreach (int h in hits) Assert.Equal(1, h);
    }

    [Fact]
    public void RegionsAfterAnIdlePauseStillComplete()
    {
        // Team threads block after spinning idle; the next region must wake them (or run without them).
        using var degree = Parallelism.Scope(3);
        for (int round = 0; round < 3; round++)
        {
            Thread.Sleep(5 + WorkerTeam.SpinMicroseconds / 1000);
            var hits = new int[40];
            Parallelism.For(hits.Length, i => Interlocked.Increment(ref hits[i]));
            Assert.All(hits, h => Assert.Equal(1, h));
        }
    }

    [Fact]
    public void ForPropagatesExceptions()
    {
        using var degree = Parallelism.Scope(2);
        var ex = Assert.Throws<InvalidOperationException>(() =>
            Parallelism.For(8, i => { if (i == 5) throw new InvalidOperationException("boom"); }));
        Assert.Equal("boom", ex.Message);
    }

    [Theory]
    [InlineData(false, false, 300, 200, 100)]
    [InlineData(true, true, 200, 300, 100)]
    [InlineData(false, true, 129, 1030, 40)]
    // Row-block path with shared packed B, crossing KC and NC (several parallel packing phases).
    [InlineData(false, false, 300, 2100, 300)]
    [InlineData(true, true, 260, 100, 520)]
    // C above 8 MiB: deep (KCLarge) slices.
    [InlineData(false, false, 1500, 1500, 600)]
    // Short, wide C: per-thread column strips.
    [InlineData(false, true, 20, 3000, 50)]
    [InlineData(true, false, 40, 1000, 300)]
    public void SgemmIsIdenticalForOneAndTwoThreads(bool ta, bool tb, int m, int n, int k)
    {
        // Each C element is produced by one thread with the same k-blocking either way, so the
        // results must be bitwise identical, not merely close.
        var random = new Random(41);
        float[] a = SgemmTests.RandomArray(random, m * k);
        float[] b = SgemmTests.RandomArray(random, k * n);
        float[] c1 = SgemmTests.RandomArray(random, m * n);
        float[] c2 = (float[])c1.Clone();
        int lda = ta ? m : k, ldb = tb ? k : n;

        using (Parallelism.Scope(1)) Sgemm.Multiply(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 0.25f, c1, n);
        using (Parallelism.Scope(2)) Sgemm.Multiply(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 0.25f, c2, n);
        Assert.Equal(c1, c2);
    }

    [Fact]
    public void BatchedIsIdenticalForOneAndTwoThreads()
    {
        const int m = 64, n = 96, k = 80, batch = 4;
        var random = new Random(43);
        float[] a = SgemmTests.RandomArray(random, batch * m * k);
        float[] b = SgemmTests.RandomArray(random, batch * k * n);
        float[] c1 = new float[batch * m * n], c2 = new float[batch * m * n];
        using (Parallelism.Scope(1)) Sgemm.MultiplyBatched(false, false, m, n, k, 1f, a, k, m * k, b, n, k * n, 0f, c1, n, m * n, batch);
        using (Parallelism.Scope(2)) Sgemm.MultiplyBatched(false, false, m, n, k, 1f, a, k, m * k, b, n, k * n, 0f, c2, n, m * n, batch);
        Assert.Equal(c1, c2);
    }

    [Fact]
    public void Im2ColAndCol2ImAreIdenticalForOneAndTwoThreads()
    {
        // 32 channels · 9 taps · 400 positions is above the kernels' parallel threshold.
        const int ch = 32, h = 20, w = 20;
        var random = new Random(47);
        float[] image = SgemmTests.RandomArray(random, ch * h * w);
        float[] cols1 = new float[ch * 9 * h * w], cols2 = new float[cols1.Length];
        float[] back1 = new float[image.Length], back2 = new float[image.Length];
        using (Parallelism.Scope(1))
        {
            Im2Col.Im2Col2d(image, ch, h, w, 3, 3, 1, 1, 1, 1, 1, 1, cols1);
            Im2Col.Col2Im2d(cols1, ch, h, w, 3, 3, 1, 1, 1, 1, 1, 1, back1);
        }
        using (Parallelism.Scope(2))
        {
            long before = Parallelism.ForkedRegionsOnCurrentThread;
            Im2Col.Im2Col2d(image, ch, h, w, 3, 3, 1, 1, 1, 1, 1, 1, cols2);
            Im2Col.Col2Im2d(cols2, ch, h, w, 3, 3, 1, 1, 1, 1, 1, 1, back2);
            Assert.Equal(2, Parallelism.ForkedRegionsOnCurrentThread - before);
        }
        Assert.Equal(cols1, cols2);
        Assert.Equal(back1, back2);
    }

    [Fact]
    public void ScopeAppliesToItsThreadOnlyNestsAndRestores()
    {
        int processDefault = Parallelism.DegreeOfParallelism;
        Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.Scope(0));
        using (Parallelism.Scope(3))
        {
            Assert.Equal(3, Parallelism.DegreeOfParallelism);
            int seenElsewhere = 0;
            var other = new Thread(() => seenElsewhere = Parallelism.DegreeOfParallelism);
            other.Start(); other.Join();
            Assert.Equal(processDefault, seenElsewhere);
            using (Parallelism.Scope(1))
            {
                Assert.Equal(1, Parallelism.DegreeOfParallelism);
                long before = Parallelism.ForkedRegionsOnCurrentThread;
                Parallelism.For(10, _ => { });
                Assert.Equal(before, Parallelism.ForkedRegionsOnCurrentThread);   // one worker: inline, no fork
            }
            Assert.Equal(3, Parallelism.DegreeOfParallelism);
            long start = Parallelism.ForkedRegionsOnCurrentThread;
            Parallelism.For(10, _ => { });
            Assert.Equal(start + 1, Parallelism.ForkedRegionsOnCurrentThread);
        }
        Assert.Equal(processDefault, Parallelism.DegreeOfParallelism);
    }
}
