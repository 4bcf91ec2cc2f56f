// `ab SPEC SPEC.. [--iters N] [--rounds R] [--threads T]`: in-process A/B alternation of several workloads,
// for development on a shared machine. Rounds of N steps of each side in turn, so background load hits
// every side alike; prints per-side medians and mins (wall and CPU time per step) and each side's ratio to
// the first. A spec is a configuration name (ours) or ort:NAME (ONNX Runtime, resnet18_b* only); NAME@layers
// runs ours with the fused ResNet inference path switched off (layer by layer, as before it existed), NAME@direct
// with its Winograd convolutions switched off (every convolution on the direct kernel), NAME@gemm with the blocked
// training convolutions switched off (Functional.Conv2d on the im2col GEMM in both directions, as before them).
using System.Diagnostics;
using Pipeline.Bench.Workloads;
using Pipeline.Models.Kernels;

namespace Pipeline.Bench.Runner;

/// <summary>Alternates workloads in one process.</summary>
internal static class AbCommand
{
    public static int Run(ReadOnlySpan<string> args)
    {
        var specs = new List<string>();
        int iters = 3, rounds = 5, threads = Environment.ProcessorCount;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--iters": iters = int.Parse(args[++i]); break;
                case "--rounds": rounds = int.Parse(args[++i]); break;
                case "--threads": threads = int.Parse(args[++i]); break;
                default: specs.Add(args[i]); break;
            }
        }
        if (specs.Count == 0) { Console.Error.WriteLine("usage: ab SPEC [SPEC..] [--iters N] [--rounds R] [--threads T]; SPEC = NAME | ort:NAME | NAME@layers | NAME@direct | NAME@gemm"); return 2; }
        Parallelism.DegreeOfParallelism = threads;
        var workloads = specs.Select(s => Create(s, threads)).ToList();
        foreach (var w in workloads) { w.Step(); w.Step(); }
        var wall = workloads.Select(_ => new List<double>()).ToList();
        var cpu = workloads.Select(_ => new List<double>()).ToList();
        using var self = Process.GetCurrentProcess();
        for (int round = 0; round < rounds; round++)
            for (int k = 0; k < workloads.Count; k++)
            {
                Thread.Sleep(50);
                workloads[k].Step();
                self.Refresh();
                var cpuStart = self.TotalProcessorTime;
                wall[k].AddRange(Timing.Measure(workloads[k], iters, 0));
                self.Refresh();
                cpu[k].Add((self.TotalProcessorTime - cpuStart).TotalMilliseconds / iters);
            }
        Console.WriteLine($"load {MachineInfo.LoadAverage():F1}, threads {threads}, {rounds} rounds × {iters} steps; {Pipeline.Models.Kernels.CpuProfile.Current}");
        for (int k = 0; k < workloads.Count; k++)
            Console.WriteLine($"{specs[k],-28} median {Timing.Median(wall[k]),9:F2} ms  min {Timing.Min(wall[k]),9:F2} ms  cpu/step {Timing.Median(cpu[k]),9:F2} ms"
                + (k == 0 ? "" : $"  ratio median {Timing.Median(wall[k]) / Timing.Median(wall[0]):F3}  min {Timing.Min(wall[k]) / Timing.Min(wall[0]):F3}  cpu {Timing.Median(cpu[k]) / Timing.Median(cpu[0]):F3}"));
        foreach (var w in workloads) (w as IDisposable)?.Dispose();
        return 0;
    }

    private static IWorkload Create(string spec, int threads)
    {
        if (spec.EndsWith("@direct", StringComparison.Ordinal))
            return new Toggled(Create(spec[..^"@direct".Length], threads), () => Pipeline.Models.Nn.ConvNetInference.WinogradEnabled = false, () => Pipeline.Models.Nn.ConvNetInference.WinogradEnabled = true);
        if (spec.EndsWith("@gemm", StringComparison.Ordinal))
            return new Toggled(Create(spec[..^"@gemm".Length], threads), () => Pipeline.Models.Nn.BlockedConvolution.Enabled = false, () => Pipeline.Models.Nn.BlockedConvolution.Enabled = true);
        if (spec.EndsWith("@layers", StringComparison.Ordinal))
            return new Toggled(Create(spec[..^"@layers".Length], threads), () => Pipeline.Models.Nn.ConvNetInference.Enabled = false, () => Pipeline.Models.Nn.ConvNetInference.Enabled = true);
        if (spec.StartsWith("ort:", StringComparison.Ordinal))
        {
            string name = spec[4..];
            if (!name.StartsWith("resnet18_b", StringComparison.Ordinal)) throw new ArgumentException($"ort: only resnet18_bN, got {name}");
            return new OnnxRuntimeResNet(int.Parse(name["resnet18_b".Length..]), threads);
        }
        return WorkloadCatalog.Create(spec);
    }

    /// <summary>A workload run with an engine switch set for the duration of each step.</summary>
    private sealed class Toggled(IWorkload inner, Action set, Action reset) : IWorkload
    {
        public string Name => inner.Name;
        public long ParameterCount => inner.ParameterCount;
        public void Step()
        {
            set();
            try { inner.Step(); }
            finally { reset(); }
        }
        public IReadOnlyDictionary<string, double> Figures(double medianMs, double minMs) => inner.Figures(medianMs, minMs);
    }
}
