// Wall-clock timing of workload steps and the order statistics the reports use. Median is the typical
// step; min is the step least disturbed by other tenants of a shared machine.
using System.Diagnostics;
using Pipeline.Bench.Workloads;

namespace Pipeline.Bench.Runner;

/// <summary>Times steps and summarises samples.</summary>
internal static class Timing
{
    /// <summary>Runs <paramref name="warmup"/> untimed steps then returns the time of each of <paramref name="iters"/> steps in ms.</summary>
    public static double[] Measure(IWorkload workload, int iters, int warmup)
    {
        for (int i = 0; i < warmup; i++) workload.Step();
        var times = new double[iters];
        for (int i = 0; i < iters; i++)
        {
            long start = Stopwatch.GetTimestamp();
            workload.Step();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return times;
    }

    /// <summary>Runs untimed steps until <paramref name="milliseconds"/> have passed (at least one); returns how many ran.</summary>
    public static int WarmUpFor(IWorkload workload, double milliseconds)
    {
        long start = Stopwatch.GetTimestamp();
        int steps = 0;
        do
        {
            workload.Step();
            steps++;
        }
        while (Stopwatch.GetElapsedTime(start).TotalMilliseconds < milliseconds);
        return steps;
    }

    /// <summary>Median of <paramref name="samples"/> (mean of the middle two for an even count, as Python's statistics.median).</summary>
    public static double Median(IReadOnlyList<double> samples)
    {
        if (samples.Count == 0) return double.NaN;
        var sorted = samples.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Smallest sample.</summary>
    public static double Min(IReadOnlyList<double> samples) => samples.Count == 0 ? double.NaN : samples.Min();
}
