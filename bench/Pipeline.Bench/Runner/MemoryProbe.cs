// Peak memory of 100 captioner train steps in a fresh process, the counterpart of the reference's
// memory_captioner_train100: the parent re-runs this executable as `memory-child`, which builds the
// model, runs the steps without warm-up and prints one JSON line with its peak RSS (VmHWM from
// /proc/self/status, falling back to Process.PeakWorkingSet64) and step times.
using System.Diagnostics;
using System.Text.Json;
using Pipeline.Bench.Workloads;
using Pipeline.Models.Kernels;

namespace Pipeline.Bench.Runner;

/// <summary>Fresh-process peak-memory measurement.</summary>
internal static class MemoryProbe
{
    /// <summary>Result of a child run.</summary>
    internal sealed record Result(double PeakRssMb, double MedianMs, double MinMs, int Steps, AllocationStats Allocations);

    /// <summary>Entry point of the child: `memory-child CONFIG STEPS THREADS`.</summary>
    public static int Child(ReadOnlySpan<string> args)
    {
        string config = args[0];
        int steps = int.Parse(args[1]);
        Parallelism.DegreeOfParallelism = int.Parse(args[2]);
        var workload = WorkloadCatalog.Create(config);
        // The first tenth of the steps also serve as warm-up of the allocation count below.
        int warm = Math.Max(1, steps / 10);
        var times = Timing.Measure(workload, warm, 0).ToList();
        var allocations = AllocationStats.MeasureTimed(workload, steps - warm, times);
        var result = new Result(PeakRssMb(), Timing.Median(times), Timing.Min(times), steps, allocations);
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>Runs the child for <paramref name="config"/> and parses its answer.</summary>
    public static Result Run(string config, int steps, int threads)
    {
        var self = Environment.ProcessPath ?? "dotnet";
        var dll = typeof(MemoryProbe).Assembly.Location;
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") info.ArgumentList.Add(dll);
        foreach (var a in new[] { "memory-child", config, steps.ToString(System.Globalization.CultureInfo.InvariantCulture), threads.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the memory child");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"memory child exited with {process.ExitCode}");
        var last = output.Trim().Split('\n')[^1];
        return JsonSerializer.Deserialize<Result>(last) ?? throw new InvalidDataException($"memory child printed '{last}'");
    }

    /// <summary>Peak resident set size of this process in MB.</summary>
    public static double PeakRssMb()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return double.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException) { }
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
