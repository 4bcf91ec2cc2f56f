// PLACEHOLDER until the real parallel driver lands from its branch: same API over Parallel.For.
namespace Pipeline.Models.Kernels;

/// <summary>Process-wide degree of parallelism for kernels and a parallel loop honouring it.</summary>
public static class Parallelism
{
    private static int degree = Environment.ProcessorCount;

    /// <summary>Maximum worker count (1 = run on the calling thread).</summary>
    public static int DegreeOfParallelism
    {
        get => degree;
        set => degree = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), "degree of parallelism must be ≥ 1");
    }

    /// <summary>Runs <paramref name="body"/>(i) for i in [0, count), in parallel when worthwhile.</summary>
    public static void For(int count, Action<int> body)
    {
        if (count <= 1 || degree == 1) { for (int i = 0; i < count; i++) body(i); return; }
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = degree }, body);
    }
}
