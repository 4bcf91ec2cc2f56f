using System.CommandLine;
using System.Reflection;

namespace Pipeline.Cli;

/// <summary><c>pipeline selfcheck</c>: prints versions and verifies the engine's kernels against their references.</summary>
internal static class SelfCheckCommand
{
    public static Command Create()
    {
        var command = new Command("selfcheck", "Print versions and check the engine's kernels against naive references.");
        command.SetAction(_ => Run());
        return command;
    }

    public static int Run()
    {
        var version = typeof(SelfCheckCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
        Console.WriteLine($"pipeline {version} on .NET {Environment.Version}, {Environment.ProcessorCount} cores, {Pipeline.Models.Kernels.Parallelism.DegreeOfParallelism} threads");
        bool ok = true;
        foreach (var check in Pipeline.Models.Kernels.KernelSelfCheck.Run())
        {
            Console.WriteLine($"  {(check.Passed ? "ok  " : "FAIL")} {check.Name}: max error {check.MaxError:G3} (tolerance {check.Tolerance:G3})");
            ok &= check.Passed;
        }
        return ok ? 0 : 1;
    }
}
