// The machine line of the report: CPU model and core count from /proc/cpuinfo, the engine's CPU profile
// (CPUID family/model, measured 256/512-bit FMA throughput, the SGEMM kernel chosen), .NET runtime, and
// the load average (the machine is shared, so every figure is read next to the load it ran under).
using System.Globalization;
using System.Runtime.InteropServices;

namespace Pipeline.Bench.Runner;

/// <summary>Static facts about the machine and runtime.</summary>
internal sealed record MachineInfo(string CpuModel, int LogicalCores, string Runtime, string Os, DateTime StartedUtc, Pipeline.Models.Kernels.CpuProfile Cpu)
{
    public static MachineInfo Collect()
    {
        string model = "unknown CPU";
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) model = line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        return new MachineInfo(model, Environment.ProcessorCount, RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription, DateTime.UtcNow,
            Pipeline.Models.Kernels.CpuProfile.Current);
    }

    /// <summary>One-minute load average (NaN when unavailable).</summary>
    public static double LoadAverage()
    {
        try { return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture); }
        catch (IOException) { return double.NaN; }
    }
}
