// `pipeline synth`: parses the generator options into a SynthOptions record and calls SyntheticScenes.Generate.
using System.CommandLine;
using Pipeline.Preprocessing.Synthetic;

namespace Pipeline.Cli;

/// <summary><c>pipeline synth</c>: writes a deterministic synthetic captioning dataset (PNGs + Karpathy dataset.json).</summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var outOption = new Option<string>("--out") { Description = "Output folder for the PNGs and dataset.json.", Required = true };
        var countOption = new Option<int>("--count") { Description = "Number of images.", DefaultValueFactory = _ => 1000 };
        var seedOption = new Option<ulong>("--seed") { Description = "Random seed; the same seed gives byte-identical output.", DefaultValueFactory = _ => 1UL };
        var sizeOption = new Option<int>("--size") { Description = "Image side: 64, 96 or 128.", DefaultValueFactory = _ => 64 };

        var command = new Command("synth", "Generate synthetic shape scenes with five reference captions each.");
        command.Options.Add(outOption);
        command.Options.Add(countOption);
        command.Options.Add(seedOption);
        command.Options.Add(sizeOption);
        command.SetAction((parse, ct) =>
        {
            var options = new SynthOptions
            {
                OutputDirectory = parse.GetValue(outOption)!,
                Count = parse.GetValue(countOption),
                Seed = parse.GetValue(seedOption),
                Size = parse.GetValue(sizeOption),
            };
            return Task.FromResult(Run(options, ct));
        });
        return command;
    }

    public static int Run(SynthOptions options, CancellationToken cancellationToken)
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"pipeline synth: {PipelineCli.UserMessage(e)}");
            return PipelineCli.ErrorExitCode;
        }
        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = SyntheticScenes.Generate(options, cancellationToken);
        var splits = result.Images.GroupBy(i => i.Split).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Count()}");
        Console.WriteLine($"synth: wrote {result.Images.Count} images ({options.Size}px, seed {options.Seed}; {string.Join(", ", splits)}) " +
                          $"and {result.DatasetJsonPath} in {started.Elapsed.TotalSeconds:F1}s");
        return 0;
    }
}
