// Runs the real `pipeline` command tree in-process (PipelineCli.RunAsync, as Program.cs does) with stdin,
// stdout and stderr replaced, so the CLI tests see exactly what a user sees. The console is process-wide:
// every test that uses it belongs to the "Console" collection (run on its own), and the gate serialises
// the rare caller outside it.
using System.CommandLine;
using Pipeline.Cli;

namespace Pipeline.Tests.Cli;

/// <summary>What one command printed and returned.</summary>
internal sealed record CliResult(int Exit, string Out, string Error)
{
    /// <summary>The non-empty lines of stderr.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The non-empty lines of stdout.</summary>
    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {Exit}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

internal static class CliRun
{
    private static readonly SemaphoreSlim ConsoleGate = new(1, 1);

    /// <summary>Runs <c>pipeline ARGS</c> with <paramref name="stdin"/> (UTF-8) as standard input.</summary>
    public static Task<CliResult> RunWithInputAsync(string stdin, params string[] args) => RunAsync(PipelineCli.CreateRoot(), System.Text.Encoding.UTF8.GetBytes(stdin), args);

    /// <summary>Runs <c>pipeline ARGS</c> with <paramref name="stdin"/> as standard input.</summary>
    public static Task<CliResult> RunWithInputAsync(byte[] stdin, params string[] args) => RunAsync(PipelineCli.CreateRoot(), stdin, args);

    /// <summary>Runs <c>pipeline ARGS</c> with empty standard input.</summary>
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(PipelineCli.CreateRoot(), null, args);

    public static async Task<CliResult> RunAsync(RootCommand root, byte[]? stdin, params string[] args)
    {
        await ConsoleGate.WaitAsync();
        var (oldIn, oldOut, oldError) = (Console.In, Console.Out, Console.Error);
        var output = new StringWriter();
        var error = new StringWriter();
        try
        {
            Console.SetIn(new StringReader(""));
            Console.SetOut(output);
            Console.SetError(error);
            using var input = StandardStreams.RedirectInput(new MemoryStream(stdin ?? []));
            int exit = await PipelineCli.RunAsync(root, args);
            return new CliResult(exit, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetIn(oldIn);
            Console.SetOut(oldOut);
            Console.SetError(oldError);
            ConsoleGate.Release();
        }
    }
}
