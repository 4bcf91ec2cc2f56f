// How much CPU the machine actually gives us right now. The benchmark host is a virtual machine whose
// virtual cores are themselves scheduled on a shared host: at times two busy threads get the throughput
// of barely more than one core, and nothing inside the guest (load average, steal time) shows it. The
// probe runs one busy thread per core for a short window; each thread counts the wall time it was not
// running (gaps between consecutive clock reads longer than GapTicks), and the available cores are
// Σ (1 − gap share). Printed beside every configuration, so a row measured while the host was
// contended can be recognised as such.
using System.Diagnostics;

namespace Pipeline.Bench.Runner;

/// <summary>Measures the number of cores the process really gets over a short window.</summary>
internal static class CpuAvailability
{
    /// <summary>A pause longer than this (0.2 ms) means the thread was descheduled.</summary>
    private static readonly long GapTicks = Stopwatch.Frequency / 5000;

    /// <summary>Cores available to <paramref name="threads"/> busy threads over <paramref name="milliseconds"/> (at most <paramref name="threads"/>).</summary>
    public static double Probe(int threads, int milliseconds = 300)
    {
        var shares = new double[threads];
        long window = Stopwatch.Frequency * milliseconds / 1000;
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            long start = Stopwatch.GetTimestamp(), last = start, lost = 0;
            while (true)
            {
                long now = Stopwatch.GetTimestamp();
                if (now - last > GapTicks) lost += now - last;
                last = now;
                if (now - start >= window) break;
            }
            shares[t] = 1.0 - (double)lost / (last - start);
        }) { IsBackground = true }).ToArray();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();
        return Math.Round(shares.Sum(), 2);
    }
}
