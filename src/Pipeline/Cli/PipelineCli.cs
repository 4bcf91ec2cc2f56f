// The `pipeline` executable's entry: builds the command tree, adds the global options (--verbose, --quiet,
// --threads) and applies the convention of docs/cli.md to every command: a usage error (unknown option, bad
// value, missing option) prints one line per error and a hint to --help, never the whole help, and exits 2;
// every exception that escapes a command becomes one clear line on stderr ("pipeline caption: <what went
// wrong>") — the user's mistake (a folder as --out, a missing checkpoint, a corrupt vocabulary, a full disk)
// is described, never dumped as a stack trace. --verbose prints the full exception instead, for bug
// reports. Exceptions that can only mean a bug in this program are labelled as such so the one line still
// says what to do.
using System.CommandLine;
using System.CommandLine.Help;
using Pipeline.Models.Kernels;

namespace Pipeline.Cli;

/// <summary>Runs the <c>pipeline</c> command line.</summary>
internal static class PipelineCli
{
    /// <summary>Exit code of a run that finished but some of whose items failed (listed in the errors file; docs/cli.md).</summary>
    public const int PartialExitCode = 1;

    /// <summary>Exit code of a command that could not do its job: a usage error, unreadable input, model or output.</summary>
    public const int ErrorExitCode = 2;

    /// <summary>Exit code of a cancelled command (128 + SIGINT, as shells report Ctrl-C).</summary>
    public const int CancelledExitCode = 130;

    /// <summary>The global <c>--verbose</c> option: full exception details (stack traces) on errors.</summary>
    public static Option<bool> Verbose { get; } = new("--verbose") { Description = "On errors, print the full exception with its stack trace.", Recursive = true };

    /// <summary>The global <c>--quiet</c> option: no progress or summary lines on stderr, only errors.</summary>
    public static Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "Print no progress or summary lines on stderr, only errors.", Recursive = true };

    /// <summary>The global <c>--threads</c> option: the engine's degree of parallelism.</summary>
    public static Option<int?> Threads { get; } = CreateThreads();

    private static Option<int?> CreateThreads()
    {
        var threads = new Option<int?>("--threads") { Description = "Engine threads (default: one per core).", Recursive = true };
        threads.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1) result.AddError("--threads must be at least 1");
        });
        return threads;
    }

    /// <summary>The root command with every sub-command and the global options.</summary>
    public static RootCommand CreateRoot()
    {
        // The CLI stays thin: each command parses its options into a record and calls library code.
        var root = new RootCommand("pipeline — image captioning and text classification on a pure-.NET tensor engine (conventions: docs/cli.md)");
        foreach (var command in CommandCatalog.All())
            root.Subcommands.Add(command);
        root.Options.Add(Verbose);
        root.Options.Add(Quiet);
        root.Options.Add(Threads);
        root.Options.Add(MainJob.Output);
        root.SetAction((parse, cancellationToken) => MainJob.Run(parse, cancellationToken));
        return root;
    }

    /// <summary>Parses <paramref name="args"/> against the full command tree and runs the command.</summary>
    public static Task<int> RunAsync(string[] args) => RunAsync(CreateRoot(), args);

    /// <summary>Runs <paramref name="args"/> against <paramref name="root"/> (which must hold <see cref="Verbose"/>), reporting usage errors and escaped exceptions.</summary>
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        var notes = new List<string>();
        if (UsageErrors.RenameOldOptions(parse, args, notes) is { } renamed)
        {
            parse = root.Parse(renamed);
            foreach (var note in notes) Console.Error.WriteLine($"{CommandPath(parse)}: {note}");
        }
        if (parse.Action is not HelpAction && UsageErrors.Find(parse) is { Count: > 0 } usage)
        {
            string path = CommandPath(parse);
            foreach (var message in usage) Console.Error.WriteLine($"{path}: {message}");
            Console.Error.WriteLine(UsageErrors.Hint(path));
            return ErrorExitCode;
        }
        // --threads sets the engine's process-wide degree of parallelism for this run (restored after, for in-process callers).
        int previousThreads = Parallelism.DegreeOfParallelism;
        if (root.Options.Contains(Threads) && parse.GetValue(Threads) is int threads) Parallelism.DegreeOfParallelism = threads;
        try
        {
            // Ctrl-C cancels the command's token; allow time to finish writing checkpoints before the process ends.
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                ProcessTerminationTimeout = TimeSpan.FromSeconds(30),
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (Exception e)
        {
            bool verbose = parse.GetValue(Verbose);
            Console.Error.WriteLine(Describe(e, CommandPath(parse), verbose));
            return e is OperationCanceledException ? CancelledExitCode : ErrorExitCode;
        }
        finally { Parallelism.DegreeOfParallelism = previousThreads; }
    }

    /// <summary>True when the command line asked for <c>--quiet</c>.</summary>
    public static bool IsQuiet(ParseResult parse) => parse.RootCommandResult.Command.Options.Contains(Quiet) && parse.GetValue(Quiet);

    /// <summary>
    /// The error report for <paramref name="exception"/> escaping <paramref name="command"/>: one line
    /// ("pipeline caption: message"), or the full exception when <paramref name="verbose"/>.
    /// </summary>
    public static string Describe(Exception exception, string command, bool verbose)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (verbose) return $"{command}: {exception}";
        var e = Unwrap(exception);
        if (e is OperationCanceledException) return $"{command}: cancelled.";
        string message = UserMessage(e);
        if (IsBug(e))
            return $"{command}: internal error ({e.GetType().Name}) — {OneLine(message)}; please report it with the output of the same command plus --verbose.";
        return $"{command}: {message}";
    }

    /// <summary>
    /// The message of <paramref name="e"/> for a user: argument exceptions lose .NET's "(Parameter 'x')" and "Actual value was"
    /// lines and say "(got value)" instead, so the report stays on one line.
    /// </summary>
    public static string UserMessage(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string message = e.Message.Trim();
        if (e is ArgumentException argument)
        {
            int cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
            if (cut >= 0) message = message[..cut];
            if (argument is ArgumentOutOfRangeException { ActualValue: { } actual }) message += $" (got {actual})";
        }
        return message;
    }

    private static Exception Unwrap(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } or System.Reflection.TargetInvocationException && e.InnerException is not null)
            e = e.InnerException!;
        return e;
    }

    // Exception types that no input, file or option can legitimately cause.
    private static bool IsBug(Exception e) =>
        e is NullReferenceException or IndexOutOfRangeException or InvalidCastException or NotImplementedException
            or ArrayTypeMismatchException or DivideByZeroException or StackOverflowException or AccessViolationException;

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    /// <summary>"pipeline train classifier": the words that name the command being run.</summary>
    public static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
            names.Add(result.Command.Name);
        names.Reverse();
        if (names.Count > 0) names[0] = "pipeline";
        return string.Join(' ', names);
    }
}
