// The buffer pool's memory bound (issue 18, item 12): size classes, an idle budget tied to one step's
// working set, release of classes a step no longer uses, and the allocation limit used when building
// models from untrusted configurations. Runs in the serial collection: the pool is process-wide.
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Tensors;

[Collection(Pipeline.Models.Tests.Support.SerialCollection.Name)]
public sealed class BufferPoolTests
{
    [Fact]
    public void SizeClassesCoverEveryLengthAndAreAtMostAQuarterLarger()
    {
        var random = new Random(5);
        foreach (int length in Enumerable.Range(1, 300).Concat(Enumerable.Range(0, 2000).Select(_ => random.Next(1, 50_000_000))))
        {
            int size = BufferPool.SizeClass(length);
            Assert.True(size >= length, $"{length} → {size}");
            Assert.True(length <= 64 ? size - length < 16 : size <= length * 1.25, $"{length} → {size}");
            Assert.Equal(size, BufferPool.SizeClass(size));   // a class is its own class
        }
        Assert.Equal(0, BufferPool.SizeClass(0));
    }

    // One training-like step: a few tensors whose size follows the caption length T, as (N, T, V) logits do.
    private static void Step(int t)
    {
        using var scope = new TensorScope();
        var logits = Tensor.Full(0.5f, 32, t, 8000);   // factory: disposed explicitly
        var scaled = logits * 2f;
        var exp = Tensor.Exp(scaled);
        var sum = Tensor.Sum(exp, 2);
        _ = sum * 3f;
        logits.Dispose();
    }

    [Fact]
    public void StepsWithVariableShapesStopAllocatingAndKeepAboutOneStepIdle()
    {
        BufferPool.Trim();
        var random = new Random(11);
        int[] lengths = Enumerable.Range(0, 120).Select(_ => random.Next(8, 23)).ToArray();
        foreach (int t in lengths.Take(40)) Step(t);   // warm-up: every length appears
        long afterWarmUp = BufferPool.Allocations;
        long workingSet = BufferPool.WorkingSetElements;

        foreach (int t in lengths.Skip(40))
        {
            Step(t);
            Assert.True(BufferPool.IdleElements <= BufferPool.IdleBudget, $"idle {BufferPool.IdleElements} over budget {BufferPool.IdleBudget}");
        }

        Assert.Equal(afterWarmUp, BufferPool.Allocations);   // variable shapes, no fresh buffers
        // The largest step: four (32, T, 8000) tensors at T = 22, in classes (above the pool's 64 MiB floor); idle stays
        // near one such step, where exact-size buffers for every T seen would hold about ten.
        long largestStep = 4L * BufferPool.SizeClass(32 * 22 * 8000);
        Assert.InRange(workingSet, largestStep / 2, 2 * largestStep);
        Assert.True(BufferPool.IdleBudget <= Math.Max(BufferPool.MinimumIdleBudget, workingSet + workingSet / 4));
        Assert.True(BufferPool.IdleElements <= 3 * largestStep / 2, $"idle {BufferPool.IdleElements:N0} floats for a largest step of {largestStep:N0}");
    }

    [Fact]
    public void TensorsLeftToTheGcOrKeptForLongDoNotInflateTheBudget()
    {
        BufferPool.Trim();
        var leaked = new List<Tensor>();
        for (int i = 0; i < 20; i++)
        {
            using (new TensorScope())
            {
                var input = Tensor.Full(1f, 1_000_000);   // never disposed: stays rented
                leaked.Add(input);
                _ = input * 2f;                          // a transient op result of the same size
            }
        }
        // Twenty leaked megafloats are not twenty steps' working set: each step still needs about two buffers.
        Assert.InRange(BufferPool.WorkingSetElements, 1_000_000, 3L * BufferPool.SizeClass(1_000_000));
        foreach (var t in leaked) t.Dispose();
    }

    [Fact]
    public void AnAllocationLimitStopsARentBeforeItAllocates()
    {
        long before = BufferPool.Allocations;
        using (BufferPool.LimitAllocations(1_000, asked => new InsufficientMemoryException($"asked for {asked}")))
        {
            using var small = Tensor.Zeros(500);
            var error = Assert.Throws<InsufficientMemoryException>(() => Tensor.Zeros(10_000_000));
            Assert.Contains("asked for", error.Message);
        }
        Assert.True(BufferPool.Allocations - before <= 1);   // the 500-float tensor at most
        using var unlimited = Tensor.Zeros(10_000);          // the limit ended with its scope
    }
}
