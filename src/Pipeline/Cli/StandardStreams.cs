// Standard input and output as the commands use them for "-" (docs/cli.md: "-" as INPUT reads stdin,
// "--out -" writes stdout). Input is a byte stream (an image for caption, UTF-8 lines for classify); the
// tests run the real command tree in-process and hand it their own bytes through RedirectInput, which is
// scoped to the calling async flow so nothing else in the process sees it.
namespace Pipeline.Cli;

/// <summary>The process's standard input for commands, with a per-async-flow override for in-process callers.</summary>
internal static class StandardStreams
{
    /// <summary>The name that means standard input (as INPUT) or standard output (as <c>--out</c>).</summary>
    public const string Dash = "-";

    private static readonly AsyncLocal<Stream?> InputOverride = new();

    /// <summary>Standard input as bytes.</summary>
    public static Stream OpenInput() => InputOverride.Value ?? Console.OpenStandardInput();

    /// <summary>Makes <see cref="OpenInput"/> return <paramref name="input"/> in this async flow until the result is disposed.</summary>
    public static IDisposable RedirectInput(Stream input)
    {
        var previous = InputOverride.Value;
        InputOverride.Value = input;
        return new Restore(() => InputOverride.Value = previous);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    /// <summary>True when <paramref name="path"/> names standard input/output ("-").</summary>
    public static bool IsDash(string? path) => path == Dash;
}
