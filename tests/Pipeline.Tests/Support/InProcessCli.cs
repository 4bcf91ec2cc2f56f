// Runs `pipeline ...` in-process through PipelineCli with stdout and stderr captured. Callers belong to the
// "Console" collection (Cli/CliErrorTests.cs), which xunit runs alone, so nothing else writes to the console meanwhile.
using System.CommandLine;
using Pipeline.Cli;

namespace Pipeline.Tests.Support;

internal static class InProcessCli
{
    // Console.SetOut is process-wide: one run at a time even if a caller starts several.
    private static readonly SemaphoreSlim ConsoleGate = new(1, 1);

    /// <summary>Runs the command line <paramref name="args"/>; returns its exit code and what it printed.</summary>
    public static Task<(int Exit, string Out, string Error)> RunAsync(params string[] args) => RunAsync(PipelineCli.CreateRoot(), args);

    /// <summary>Runs <paramref name="args"/> against <paramref name="command"/> (e.g. a root with a test command added).</summary>
    public static async Task<(int Exit, string Out, string Error)> RunAsync(RootCommand command, params string[] args)
    {
        await ConsoleGate.WaitAsync();
        var (oldOut, oldError) = (Console.Out, Console.Error);
        var output = new StringWriter();
        var error = new StringWriter();
        try
        {
            Console.SetOut(output);
            Console.SetError(error);
            int exit = await PipelineCli.RunAsync(command, args);
            return (exit, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
            ConsoleGate.Release();
        }
    }
}
