// Coarse per-phase timing for the `profile` mode: accumulates wall time per named phase (forward,
// backward, adam, or finer sections a workload marks) so a config slower than the reference shows
// where its time goes without an external profiler.
using System.Diagnostics;

namespace Pipeline.Bench.Workloads;

/// <summary>Accumulates elapsed milliseconds per phase name; Begin closes the previous phase.</summary>
internal sealed class PhaseTimer
{
    private readonly Dictionary<string, double> totals = new(StringComparer.Ordinal);
    private string? current;
    private long started;

    /// <summary>Ends the running phase (if any) and starts <paramref name="phase"/>.</summary>
    public void Begin(string phase)
    {
        End();
        current = phase;
        started = Stopwatch.GetTimestamp();
    }

    /// <summary>Ends the running phase.</summary>
    public void End()
    {
        if (current is null) return;
        totals[current] = totals.GetValueOrDefault(current) + Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        current = null;
    }

    /// <summary>Total milliseconds per phase, largest first.</summary>
    public IEnumerable<(string Phase, double Ms)> Totals() => totals.OrderByDescending(p => p.Value).Select(p => (p.Key, p.Value));
}
