// `run NAME[,NAME..] [--iters N] [--warmup W] [--threads T] [--profile]`: our side only, no reference.
// Prints each configuration's parameter count beside the reference's, its median/min step time, the CPU
// time per step summed over threads (less sensitive than wall time to other tenants of a shared
// machine) and, with --profile, the per-phase totals (forward / backward / adam) of the timed steps.
using Pipeline.Bench.Workloads;
using Pipeline.Models.Kernels;

namespace Pipeline.Bench.Runner;

/// <summary>Measures our workloads alone.</summary>
internal static class RunCommand
{
    public static int Run(ReadOnlySpan<string> args)
    {
        if (args.Length == 0) { Console.Error.WriteLine("usage: run NAME[,NAME..]|all [--iters N] [--warmup W] [--threads T] [--profile]"); return 2; }
        var names = args[0] == "all" ? WorkloadCatalog.All.ToArray() : args[0].Split(',');
        int iters = 10, warmup = 2;
        bool profile = false;
        for (int i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--iters": iters = int.Parse(args[++i]); break;
                case "--warmup": warmup = int.Parse(args[++i]); break;
                case "--threads": Parallelism.DegreeOfParallelism = int.Parse(args[++i]); break;
                case "--profile": profile = true; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        foreach (var name in names)
        {
            var workload = WorkloadCatalog.Create(name);
            var expected = ReferenceParameters.For(name);
            for (int i = 0; i < warmup; i++) workload.Step();
            var train = WorkloadCatalog.TrainStepOf(workload);
            var phases = profile && train is not null ? new PhaseTimer() : null;
            if (train is not null) train.Phases = phases;
            using var self = System.Diagnostics.Process.GetCurrentProcess();
            var cpuStart = self.TotalProcessorTime;
            var times = Timing.Measure(workload, iters, 0);
            self.Refresh();
            double cpuPerStep = (self.TotalProcessorTime - cpuStart).TotalMilliseconds / iters;
            if (train is not null) train.Phases = null;
            Console.WriteLine($"{name}: params {workload.ParameterCount:N0} (reference {(expected is null ? "-" : expected.Value.ToString("N0"))}{(expected is null || expected == workload.ParameterCount ? "" : " MISMATCH")})  "
                + $"median {Timing.Median(times):F2} ms  min {Timing.Min(times):F2} ms  cpu {cpuPerStep:F1} ms/step  "
                + string.Join("  ", workload.Figures(Timing.Median(times), Timing.Min(times)).Select(f => $"{f.Key} {f.Value:F1}")));
            if (phases is not null)
                Console.WriteLine("  phases (ms/step): " + string.Join(", ", phases.Totals().Select(p => $"{p.Phase} {p.Ms / iters:F2}")));
        }
        return 0;
    }
}
