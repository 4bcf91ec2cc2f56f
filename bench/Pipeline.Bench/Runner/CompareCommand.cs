// `compare`: our engine and the PyTorch reference side by side in one run. Both sides run on the same
// machine at the same time slot: for each configuration we warm both up, then alternate rounds of
// "ours N steps, reference N steps (tuned env), reference N steps (default env)" so background load
// hits every side alike. Per-step times of all rounds are pooled; median and min are reported with
// ratio = ours / tuned reference (median). Results go to stdout (one JSON object per config), to an
// optional JSON-lines file, and to the Markdown report (docs/BENCHMARKS.md).
using System.Text.Json;
using Pipeline.Bench.Workloads;
using Pipeline.Models.Kernels;

namespace Pipeline.Bench.Runner;

/// <summary>Runs the side-by-side comparison.</summary>
internal static class CompareCommand
{
    public static int Run(ReadOnlySpan<string> args)
    {
        CompareOptions options;
        try { options = CompareOptions.Parse(args); }
        catch (ArgumentException e) { Console.Error.WriteLine(e.Message); Console.Error.WriteLine(Usage); return 2; }

        var report = new ReportData { Options = options, Machine = MachineInfo.Collect() };
        Parallelism.DegreeOfParallelism = options.Threads;
        // The PyTorch side reads the pretrained ResNet-18 from .npy files written here (it has no ONNX reader).
        string? resnetDirectory = null;
        var resnetBatches = options.Configs.Where(c => c.StartsWith(ResNetPrefix, StringComparison.Ordinal)).Select(c => int.Parse(c[ResNetPrefix.Length..], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        if (resnetBatches.Length > 0)
        {
            resnetDirectory = Path.Combine(Path.GetTempPath(), $"pipeline-bench-resnet18-{Environment.ProcessId}");
            ResNetExport.Write(resnetDirectory, resnetBatches);
            Environment.SetEnvironmentVariable(ResNetExport.DirectoryVariable, resnetDirectory);
        }
        try
        {
            return Compare(options, report);
        }
        finally
        {
            if (resnetDirectory is not null) Directory.Delete(resnetDirectory, recursive: true);
        }
    }

    private const string ResNetPrefix = "resnet18_b";

    private static int Compare(CompareOptions options, ReportData report)
    {
        // The default-environment reference runs in its own later pass: its OpenMP/OpenBLAS workers spin
        // after every request, and alive beside the alternation they would slow whichever side runs next.
        bool defaultPass = options.ReferenceEnv == "both";
        using (var servers = ServerSet.Start(defaultPass ? options with { ReferenceEnv = "tuned" } : options, options.Threads))
        {
            report.ReferenceInfo = servers.Tuned?.Info() ?? servers.Default?.Info();
            foreach (var config in options.Configs)
            {
                var (results, allocations) = CompareOne(config, options, servers, options.Rounds, measureAllocations: true);
                foreach (var r in results)
                {
                    var line = JsonSerializer.Serialize(r);
                    Console.WriteLine(line);
                    report.Results.Add(r);
                }
                if (allocations is not null) report.Allocations.Add(allocations);
            }
            if (options.Memory && servers.Tuned is not null)
            {
                Console.Error.WriteLine("memory: captioner_train × 100 steps in fresh processes (ours, then the reference)");
                report.OursMemory = MemoryProbe.Run("captioner_train", 100, options.Threads);
                report.ReferenceMemory = servers.Tuned.Run("memory_captioner_train100", 1, 0);
                Console.WriteLine(JsonSerializer.Serialize(new { name = "memory_captioner_train100", ours_peak_rss_mb = report.OursMemory.PeakRssMb, reference_peak_rss_mb = report.ReferenceMemory.Value.GetProperty("extra").GetProperty("peak_rss_mb").GetDouble() }));
            }
        }

        if (defaultPass)
        {
            using var fallback = ReferenceServer.Start(options.RepoRoot, "default", options.Threads);
            report.DefaultReferenceInfo = fallback.Info();
            for (int i = 0; i < report.Results.Count; i++)
            {
                var r = report.Results[i];
                fallback.Run(r.ReferenceName, 1, options.Warmup);
                var times = new List<double>();
                for (int round = 0; round < options.Rounds; round++)
                {
                    times.AddRange(fallback.Run(r.ReferenceName, options.ItersFor(r.Name.StartsWith("sgemm_", StringComparison.Ordinal) ? r.Name[..r.Name.LastIndexOf('_')] : r.Name), RoundWarmup)
                        .GetProperty("extra").GetProperty("times_ms").EnumerateArray().Select(e => e.GetDouble()));
                    Thread.Sleep(SettleMs);
                }
                double median = Timing.Median(times);
                report.Results[i] = r with
                {
                    DefaultMedianMs = Round(median), DefaultMinMs = Round(Timing.Min(times)),
                    RatioDefault = Round(r.OursMedianMs / median),
                };
                Console.WriteLine(JsonSerializer.Serialize(new { name = r.Name, env = "default", reference_default_median_ms = Round(median), ratio_default = Round(r.OursMedianMs / median) }));
            }
        }

        if (options.Scaling)
        {
            // One thread on both sides (a second reference server: its thread count is fixed at start-up).
            Parallelism.DegreeOfParallelism = 1;
            using var single = ServerSet.Start(options with { ReferenceEnv = "tuned" }, 1);
            foreach (var config in options.Configs.Where(c => c is not ("sgemm_256" or "sgemm_512" or "sgemm_2048")))
            {
                var (results, _) = CompareOne(config, options, single, Math.Max(1, options.Rounds - 1), measureAllocations: false);
                foreach (var r in results)
                {
                    Console.WriteLine(JsonSerializer.Serialize(r));
                    report.SingleThread.Add(r);
                }
            }
            Parallelism.DegreeOfParallelism = options.Threads;
        }

        if (options.CaptionModel is not null)
        {
            Console.Error.WriteLine($"caption-e2e: `pipeline caption` vs PyTorch + PIL on {options.CaptionCount} photos of {options.CaptionPhotos}");
            report.CaptionEndToEnd = CaptionEndToEnd.Measure(options.RepoRoot, options.CaptionModel, options.CaptionPhotos!, options.CaptionCount, 3, 3, options.Threads, null);
            Console.WriteLine(JsonSerializer.Serialize(report.CaptionEndToEnd));
        }
        foreach (var file in options.Previous)
            report.PreviousRuns.Add((Path.GetFileNameWithoutExtension(file), File.ReadLines(file).Where(l => l.Trim().Length > 0)
                .Select(l => JsonSerializer.Deserialize<ComparisonResult>(l)!).Where(r => r.Threads == options.Threads).ToList()));

        if (options.JsonPath is not null)
        {
            // Final records only (with the default-env figures merged in); single-thread ones have "threads": 1.
            File.WriteAllLines(options.JsonPath, report.Results.Concat(report.SingleThread).Select(r => JsonSerializer.Serialize(r)));
            Console.Error.WriteLine($"wrote {options.JsonPath}");
        }
        if (options.OutMarkdown is not null)
        {
            File.WriteAllText(options.OutMarkdown, MarkdownReport.Render(report));
            Console.Error.WriteLine($"wrote {options.OutMarkdown}");
        }
        return 0;
    }

    private const string Usage = "usage: compare [--configs LIST|all|models|sgemm] [--threads 2] [--iters N] [--rounds R] [--warmup W] "
        + "[--reference-env tuned|default|both] [--out docs/BENCHMARKS.md] [--json results.jsonl] [--scaling] [--no-memory] [--alloc-steps N] [--load-note TEXT]";

    /// <summary>Alternates ours and the reference(s) for one configuration; sgemm yields one result per library.</summary>
    private static (List<ComparisonResult> Results, AllocationStats? Allocations) CompareOne(string config, CompareOptions options, ServerSet servers, int rounds, bool measureAllocations)
    {
        double loadBefore = MachineInfo.LoadAverage();
        double coresBefore = CpuAvailability.Probe(Environment.ProcessorCount);
        var workload = WorkloadCatalog.Create(config);
        // ResNet-18 has a second other side, ONNX Runtime, in this process; it alternates with ours the same way.
        using var ort = config.StartsWith(ResNetPrefix, StringComparison.Ordinal)
            ? new OnnxRuntimeResNet(int.Parse(config[ResNetPrefix.Length..], System.Globalization.CultureInfo.InvariantCulture), Parallelism.DegreeOfParallelism)
            : null;
        string[] referenceNames = config.StartsWith("sgemm_", StringComparison.Ordinal) ? [config + "_numpy", config + "_torch"] : [config];
        int iters = options.ItersFor(config);

        for (int i = 0; i < options.Warmup; i++) workload.Step();
        Timing.WarmUpFor(workload, InitialWarmupMs);       // tiered JIT: let the background recompilation of hot methods finish
        for (int i = 0; i < options.Warmup && ort is not null; i++) ort.Step();
        foreach (var server in servers.All)
            foreach (var name in referenceNames) server.Run(name, 1, options.Warmup);   // setup + warm-up, discarded

        var ours = new List<double>();
        var onnx = new List<double>();
        var theirs = servers.All.SelectMany(s => referenceNames.Select(n => (s.Environment, n))).ToDictionary(k => k, _ => new List<double>());
        var lastRecord = new Dictionary<(string, string), JsonElement>();
        for (int round = 0; round < rounds; round++)
        {
            // The reference processes are frozen while ours runs (see ReferenceServer.Pause); ours is idle during theirs.
            foreach (var server in servers.All) server.Pause();
            int warmupSteps;
            try
            {
                warmupSteps = Timing.WarmUpFor(workload, RoundWarmupMs);
                ours.AddRange(Timing.Measure(workload, iters, 0));
                if (ort is not null)
                {
                    Thread.Sleep(SettleMs);
                    for (int i = 0; i < warmupSteps; i++) ort.Step();
                    onnx.AddRange(Timing.Measure(ort, iters, 0));
                }
            }
            finally { foreach (var server in servers.All) server.Resume(); }
            foreach (var server in servers.All)
                foreach (var name in referenceNames)
                {
                    Thread.Sleep(SettleMs);
                    var record = server.Run(name, iters, warmupSteps);          // the same number of untimed steps as ours
                    theirs[(server.Environment, name)].AddRange(record.GetProperty("extra").GetProperty("times_ms").EnumerateArray().Select(e => e.GetDouble()));
                    lastRecord[(server.Environment, name)] = record;
                    Thread.Sleep(SettleMs);
                }
        }
        double loadAfter = MachineInfo.LoadAverage();
        double coresAfter = CpuAvailability.Probe(Environment.ProcessorCount);

        AllocationStats? allocations = null;
        if (measureAllocations && !config.StartsWith("sgemm_", StringComparison.Ordinal))
        {
            int steps = WorkloadCatalog.TrainStepOf(workload) is not null ? options.AllocSteps
                : config.StartsWith(ResNetPrefix, StringComparison.Ordinal) ? Math.Min(5, options.AllocSteps) : Math.Min(20, options.AllocSteps);
            allocations = AllocationStats.Measure(workload, steps, 0);
        }

        var results = new List<ComparisonResult>();
        double oursMedian = Timing.Median(ours), oursMin = Timing.Min(ours);
        var primaryEnv = servers.Tuned is not null ? "tuned" : "default";
        foreach (var name in referenceNames)
        {
            var tuned = theirs[(primaryEnv, name)];
            List<double>? fallback = servers.Default is not null && servers.Tuned is not null ? theirs[("default", name)] : null;
            double refMedian = Timing.Median(tuned), refMin = Timing.Min(tuned);
            var refFigures = ReferenceFigures(lastRecord[(primaryEnv, name)], refMedian, refMin, config);
            results.Add(new ComparisonResult
            {
                Name = config.StartsWith("sgemm_", StringComparison.Ordinal) ? name : config,
                ReferenceName = name,
                Threads = Parallelism.DegreeOfParallelism,
                Iterations = ours.Count,
                OursMedianMs = Round(oursMedian), OursMinMs = Round(oursMin),
                ReferenceMedianMs = Round(refMedian), ReferenceMinMs = Round(refMin),
                DefaultMedianMs = fallback is null ? null : Round(Timing.Median(fallback)),
                DefaultMinMs = fallback is null ? null : Round(Timing.Min(fallback)),
                Ratio = Round(oursMedian / refMedian), RatioMin = Round(oursMin / refMin),
                RatioDefault = fallback is null ? null : Round(oursMedian / Timing.Median(fallback)),
                OursFigures = workload.Figures(oursMedian, oursMin).ToDictionary(p => p.Key, p => Round(p.Value)),
                ReferenceFigures = refFigures,
                OursParameters = workload.ParameterCount,
                ReferenceParameters = ReferenceParameters.For(config),
                Environment = primaryEnv,
                OpenBlasCore = lastRecord[(primaryEnv, name)].GetProperty("extra").TryGetProperty("openblas_core", out var core) ? core.GetString() : null,
                LoadBefore = loadBefore, LoadAfter = loadAfter, CoresBefore = coresBefore, CoresAfter = coresAfter,
                OrtMedianMs = ort is null ? null : Round(Timing.Median(onnx)),
                OrtMinMs = ort is null ? null : Round(Timing.Min(onnx)),
                RatioOrt = ort is null ? null : Round(oursMedian / Timing.Median(onnx)),
                RatioOrtMin = ort is null ? null : Round(oursMin / Timing.Min(onnx)),
                OrtOptions = ort?.Options,
                OrtTimes = ort is null ? null : onnx.Select(Round).ToList(),
                OursTimes = ours.Select(Round).ToList(),
                ReferenceTimes = tuned.Select(Round).ToList(),
            });
        }
        return (results, allocations);
    }

    // Throughput of the reference recomputed from the pooled median, so both sides use the same statistic.
    private static Dictionary<string, double> ReferenceFigures(JsonElement record, double median, double min, string config)
    {
        var figures = new Dictionary<string, double>();
        var extra = record.GetProperty("extra");
        if (extra.TryGetProperty("m", out var m))
        {
            double n = m.GetDouble();
            figures["gflops"] = Round(2 * n * n * n / median / 1e6);
            figures["gflops_best"] = Round(2 * n * n * n / min / 1e6);
        }
        if (extra.TryGetProperty("images_per_s", out _)) figures["images_per_s"] = Round(extra.GetProperty("batch").GetDouble() / (median / 1000));
        if (extra.TryGetProperty("docs_per_s", out _)) figures["docs_per_s"] = Round(extra.GetProperty("batch").GetDouble() / (median / 1000));
        return figures;
    }

    private static double Round(double value) => Math.Round(value, 3);

    /// <summary>
    /// Untimed time of our side before a configuration's first round. The bench runs with .NET's default tiered JIT, as
    /// `pipeline` does: methods start unoptimised and are recompiled in the background once hot (30 calls, then a
    /// 100 ms batching delay, then the compile itself), which takes well under two seconds of steps.
    /// </summary>
    private const double InitialWarmupMs = 2000;

    /// <summary>
    /// Untimed steps at the start of every round, on both sides: the side that just waited through the other's
    /// round starts with cold caches and parked threads, which is a cost of the alternation, not of either engine.
    /// </summary>
    private const int RoundWarmup = 1;

    /// <summary>
    /// Minimum untimed time at the start of each of our rounds (at least <see cref="RoundWarmup"/> steps); the
    /// reference then gets the same number of untimed steps. A count alone was not enough for short steps: after
    /// the reference's round our worker thread is parked and its virtual CPU halted, and waking it took longer than
    /// a whole 21-step round of 256³ SGEMMs, which then ran single-threaded (counted: 0 items on the worker in 3
    /// of 8 rounds, 50% in the others).
    /// </summary>
    private const double RoundWarmupMs = 20;

    /// <summary>
    /// Pause between the two sides (ms). The reference is frozen during our rounds and our worker team blocks
    /// 250 µs after its last region, so a short pause suffices; it lets the side that just ran go quiet.
    /// Short pauses allow many short rounds, which spread the host's slow and fast phases (this VM's cores
    /// are shared on its host) evenly over both sides.
    /// </summary>
    private const int SettleMs = 50;

    /// <summary>The reference servers of one pass (tuned and/or default environment).</summary>
    internal sealed class ServerSet : IDisposable
    {
        public ReferenceServer? Tuned { get; private init; }
        public ReferenceServer? Default { get; private init; }
        public IEnumerable<ReferenceServer> All => new[] { Tuned, Default }.OfType<ReferenceServer>();

        public static ServerSet Start(CompareOptions options, int threads) => new()
        {
            Tuned = options.ReferenceEnv is "tuned" or "both" ? ReferenceServer.Start(options.RepoRoot, "tuned", threads) : null,
            Default = options.ReferenceEnv is "default" or "both" ? ReferenceServer.Start(options.RepoRoot, "default", threads) : null,
        };

        public void Dispose()
        {
            Tuned?.Dispose();
            Default?.Dispose();
        }
    }
}
