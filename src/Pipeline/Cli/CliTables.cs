// Result tables on stdout (docs/cli.md, "Output"). Spectre.Console sizes a table to the terminal; when
// stdout is a file or a pipe it assumes 80 columns and wraps every cell letter by letter ("TextC / nn").
// Here a redirected stdout gets a width no table of ours reaches, so each row stays one line that grep,
// diff and a log file read as they are; a terminal keeps its own width.
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Pipeline.Cli;

/// <summary>Writes Spectre.Console renderables to <see cref="Console.Out"/>.</summary>
internal static class CliTables
{
    /// <summary>Width given to a table when stdout is not a terminal.</summary>
    public const int RedirectedWidth = 4096;

    /// <summary>Writes <paramref name="renderable"/> to the current <see cref="Console.Out"/>, unwrapped when it is not a terminal.</summary>
    public static void Write(IRenderable renderable)
    {
        bool terminal = !Console.IsOutputRedirected && ReferenceEquals(Console.Out, StandardOut);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal) console.Profile.Width = RedirectedWidth;
        console.Write(renderable);
    }

    // The process's own stdout writer: a replaced Console.Out (a test, a host) is never a terminal.
    private static readonly TextWriter StandardOut = Console.Out;
}
