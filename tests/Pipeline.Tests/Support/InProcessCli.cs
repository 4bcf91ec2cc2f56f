// Runs `pipeline ...` in-process through PipelineCli with stdout and stderr captured. Callers belong to the
// "Console" collection (Cli/CliErrorTests.cs), which xunit runs alone, so nothing else writes to the console meanwhile.
using Pipeline.Cli;

namespace Pipeline.Tests.Support;

internal static class InProcessCli
{
    /// <summary>Runs the command line <paramref name="args"/>; returns its exit code and what it printed.</summary>
    public static async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        var (oldOut, oldError) = (Console.Out, Console.Error);
        var output = new StringWriter();
        var error = new StringWriter();
        try
        {
            Console.SetOut(output);
            Console.SetError(error);
            int exit = await PipelineCli.RunAsync(PipelineCli.CreateRoot(), args);
            return (exit, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }
}
