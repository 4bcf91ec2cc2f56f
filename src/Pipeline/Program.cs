using System.CommandLine;
using Pipeline.Cli;

// The CLI stays thin: each command parses its options into a record and calls library code.
var root = new RootCommand("pipeline — image captioning and text classification on a pure-.NET tensor engine");
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);
root.SetAction((parse, cancellationToken) => MainJob.Run(parse, cancellationToken));
// Ctrl-C cancels the command's token; allow time to finish writing checkpoints before the process ends.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
