// Square SGEMM throughput benchmark for Pipeline.Models.Kernels.Sgemm.
//
// For each size n it multiplies two random n×n matrices (C = A·B, beta 0) with the engine's
// current DegreeOfParallelism: a few warm-up calls let tiered compilation reach the optimised
// kernels and the pack buffers reach their steady-state size, then N timed runs report the
// median (typical) and minimum (least disturbed by the other tenants of a shared machine)
// wall time and the GFLOPS (2·n³ flops per call) of each, plus the CPU time per call summed
// over all threads (on a shared machine, wall time includes time slices lost to others).

using System.Diagnostics;
using Pipeline.Models.Kernels;

namespace Pipeline.Bench;

/// <summary>Times square single-precision GEMM at several sizes and prints one line per size.</summary>
public static class SgemmBenchmark
{
    /// <summary>Runs the benchmark; options: --sizes a,b,c  --shape MxNxK  --runs N  --threads T  --series on.</summary>
    public static int Run(ReadOnlySpan<string> options)
    {
        int[] sizes = [256, 512, 1024, 2048];
        int runs = 0;
        printSeries = false;
        (int M, int N, int K)? shape = null;
        for (int i = 0; i + 1 < options.Length; i += 2)
        {
            switch (options[i])
            {
                case "--sizes": sizes = options[i + 1].Split(',').Select(int.Parse).ToArray(); break;
                case "--runs": runs = int.Parse(options[i + 1]); break;
                case "--shape":
                    // Only this one m x n x k problem: handy for isolating packing or edge costs.
                    int[] mnk = options[i + 1].Split('x').Select(int.Parse).ToArray();
                    shape = (mnk[0], mnk[1], mnk[2]);
                    break;
                case "--threads": Parallelism.DegreeOfParallelism = int.Parse(options[i + 1]); break;
                // Every run's time in order: streaks of slow runs show scheduling trouble that a median hides.
                case "--series": printSeries = options[i + 1] is "on" or "1" or "true"; break;
                default: Console.Error.WriteLine($"unknown option {options[i]}"); return 2;
            }
        }

        Console.WriteLine($"sgemm: {Environment.ProcessorCount} cores, DegreeOfParallelism={Parallelism.DegreeOfParallelism}");
        if (shape is { } s)
        {
            Measure(s.M, s.N, s.K, runs > 0 ? runs : 15);
            return 0;
        }
        foreach (int n in sizes)
        {
            // Enough repetitions for a stable median without making 2048 take long.
            int count = runs > 0 ? runs : n <= 512 ? 50 : n <= 1024 ? 15 : 7;
            Measure(n, n, n, count);
        }
        return 0;
    }

    private static bool printSeries;

    private static void Measure(int m, int n, int k, int runs)
    {
        var random = new Random(1234);
        float[] a = RandomMatrix(random, m * k);
        float[] b = RandomMatrix(random, k * n);
        float[] c = new float[m * n];

        for (int w = 0; w < 3; w++)
            Sgemm.Multiply(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);

        double[] ms = new double[runs];
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        TimeSpan cpuStart = process.TotalProcessorTime;
        for (int r = 0; r < runs; r++)
        {
            long start = Stopwatch.GetTimestamp();
            Sgemm.Multiply(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
            ms[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        process.Refresh();
        if (printSeries)
            Console.WriteLine("series: " + string.Join(' ', ms.Select(t => t.ToString("F2", System.Globalization.CultureInfo.InvariantCulture))));
        double cpuMs = (process.TotalProcessorTime - cpuStart).TotalMilliseconds / runs;
        Array.Sort(ms);
        double median = ms[runs / 2];
        double min = ms[0];
        double flops = 2.0 * m * n * k;
        string label = m == n && n == k ? $"{n,5}^3" : $"{m}x{n}x{k}";
        Console.WriteLine($"sgemm {label}: median {median,9:F3} ms ({flops / median / 1e6,6:F1} GFLOPS)  min {min,9:F3} ms ({flops / min / 1e6,6:F1} GFLOPS)  cpu {cpuMs,9:F3} ms/run  runs {runs}");
    }

    private static float[] RandomMatrix(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
