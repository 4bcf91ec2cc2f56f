// The "steady state allocates nothing" measurement: after warm-up (pools filled, JIT done), run N
// steps and count what they allocated. Three views: fresh float buffers the BufferPool had to allocate
// (the big tensors), managed bytes allocated by all threads (tensor headers, closures, graph nodes,
// small index arrays) and garbage collections per generation.
using Pipeline.Bench.Workloads;
using Pipeline.Models.Tensors;

namespace Pipeline.Bench.Runner;

/// <summary>Allocation and GC counts over a number of steps.</summary>
internal sealed record AllocationStats(string Name, int Steps, long PoolMisses, long AllocatedBytes, long ThreadAllocatedBytes, int Gen0, int Gen1, int Gen2)
{
    /// <summary>Managed bytes allocated per step (all threads).</summary>
    public double BytesPerStep => Steps == 0 ? 0 : (double)AllocatedBytes / Steps;

    /// <summary>Runs <paramref name="warmup"/> steps, then measures <paramref name="steps"/> steps of <paramref name="workload"/>.</summary>
    public static AllocationStats Measure(IWorkload workload, int steps, int warmup)
    {
        for (int i = 0; i < warmup; i++) workload.Step();
        return MeasureTimed(workload, steps, null);
    }

    /// <summary>Measures <paramref name="steps"/> steps, appending each step's time (ms) to <paramref name="times"/> when given.</summary>
    public static AllocationStats MeasureTimed(IWorkload workload, int steps, List<double>? times)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        int g0 = GC.CollectionCount(0), g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
        long pool = BufferPool.Allocations;
        long total = GC.GetTotalAllocatedBytes(precise: true);
        long thread = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < steps; i++)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            workload.Step();
            times?.Add(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return new AllocationStats(workload.Name, steps,
            BufferPool.Allocations - pool,
            GC.GetTotalAllocatedBytes(precise: true) - total,
            GC.GetAllocatedBytesForCurrentThread() - thread,
            GC.CollectionCount(0) - g0, GC.CollectionCount(1) - g1, GC.CollectionCount(2) - g2);
    }
}
