// Issue 16, items 3 and 5-6: one convention for every command (docs/cli.md). Every --help lists kebab-case
// option names and lower-case choices, and none of the old names; the old names still run, with a note;
// list values split on commas; enum values match without regard to case; --baseline means the same in
// train and evaluate; result tables stay one line per row when stdout is not a terminal. Each test runs
// the real command tree in-process (CliRun).
using System.CommandLine;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Pipeline.Cli;
using Pipeline.Evaluation.Classification;
using Pipeline.Tests.Classification;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Cli;

[Collection("Console")]
public sealed partial class CliConventionTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("cli-convention").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static IEnumerable<string[]> CommandPaths(Command command, string[] path)
    {
        yield return path;
        foreach (var sub in command.Subcommands)
            foreach (var p in CommandPaths(sub, [.. path, sub.Name])) yield return p;
    }

    [Fact]
    public async Task EveryHelpFollowsTheConvention()
    {
        var paths = CommandPaths(PipelineCli.CreateRoot(), []).ToList();
        Assert.True(paths.Count > 20, $"only {paths.Count} commands found");
        foreach (var path in paths)
        {
            var run = await CliRun.RunAsync([.. path, "--help"]);
            string name = string.Join(' ', path);
            Assert.True(run.Exit == 0, $"{name}: {run}");
            Assert.Contains("Usage:", run.Out);
            foreach (Match option in OptionName().Matches(run.Out))
                Assert.Matches("^--[a-z0-9]+(-[a-z0-9]+)*$", option.Value);
            // Choices are listed lower-case: <skip|fail>, never <Fail|Skip> (metavariables such as <INPUT> are upper-case words without '|').
            foreach (Match choice in Choices().Matches(run.Out))
                Assert.True(choice.Value == choice.Value.ToLowerInvariant(), $"{name}: {choice.Value}");
            foreach (var old in UsageErrors.Renamed.Keys)
                Assert.False(Regex.IsMatch(run.Out, Regex.Escape(old) + @"(?![a-z-])"), $"{name} --help still lists {old}");
        }
    }

    [GeneratedRegex(@"(?<=\s)--[A-Za-z0-9-]+")]
    private static partial Regex OptionName();

    [GeneratedRegex(@"<[^<>\s]*\|[^<>\s]*>")]
    private static partial Regex Choices();

    [Fact]
    public async Task OldOptionNamesStillRunWithANoteAndListsSplitOnCommas()
    {
        var corpus = Path.Combine(root, "corpus.txt");
        var random = new Random(5);
        File.WriteAllLines(corpus, Enumerable.Range(0, 200).Select(i => TinyCorpus.Sentence(i % 2 == 0, random)));
        var vectors = Path.Combine(root, "vectors.txt");
        var run = await CliRun.RunAsync("train", "embeddings", "--corpus", corpus, "--out", vectors, "--dim", "8", "--learning-rate", "0.05",
            "--epochs", "1", "--min-count", "1", "--threads", "1", "--neighbours", "good,bad");
        Assert.True(run.Exit == 0, run.ToString());
        Assert.Contains("pipeline train embeddings: '--dim' is now called '--embedding-dim'", run.Error);
        Assert.Contains("pipeline train embeddings: '--learning-rate' is now called '--lr'", run.Error);
        Assert.EndsWith(" 8", File.ReadLines(vectors).First());
        Assert.Contains(run.OutLines, l => l.StartsWith("good: ", StringComparison.Ordinal));
        Assert.Contains(run.OutLines, l => l.StartsWith("bad: ", StringComparison.Ordinal));
        Assert.DoesNotContain("good,bad", run.Out);
    }

    [Fact]
    public async Task ChoicesMatchWithoutRegardToCaseAndABadOneListsTheValues()
    {
        var model = TinyModelDirectories.WriteCaptioner(Path.Combine(root, "model"));
        var image = TinyModelDirectories.WriteImages(Path.Combine(root, "images"), count: 1)[0];
        var upper = await CliRun.RunAsync("caption", image, "--model", model, "--on-error", "FAIL");
        Assert.True(upper.Exit == 0, upper.ToString());
        var bad = await CliRun.RunAsync("caption", image, "--model", model, "--on-error", "maybe");
        Assert.Equal(2, bad.Exit);
        Assert.Equal("pipeline caption: --on-error: 'maybe' is not one of: skip, fail", bad.ErrorLines[0]);
    }

    private string LabelledTexts(string name, int perClass, int seed)
    {
        var random = new Random(seed);
        var path = Path.Combine(root, name);
        File.WriteAllLines(path, Enumerable.Range(0, 2 * perClass).Select(i => (i % 2 == 0 ? "spam\t" : "ham\t") + TinyCorpus.Sentence(i % 2 == 0, random)));
        return path;
    }

    [Fact]
    public async Task BaselineIsASwitchInEvaluateAsInTrainWithItsDataNamedApart()
    {
        var model = TinyModelDirectories.WriteClassifier(Path.Combine(root, "classifier"));
        var test = LabelledTexts("test.tsv", 10, 1);
        var train = LabelledTexts("train.tsv", 30, 2);
        var missing = await CliRun.RunAsync("evaluate", "classifier", "--model", model, "--data", test, "--baseline");
        Assert.Equal(2, missing.Exit);
        Assert.Contains("--baseline needs --baseline-data FILE", Assert.Single(missing.ErrorLines));
        var run = await CliRun.RunAsync("evaluate", "classifier", "--model", model, "--data", test, "--baseline", "--baseline-data", train);
        Assert.True(run.Exit == 0, run.ToString());
        Assert.Contains(MlNetBaseline.ModelName, run.Out);
    }

    [Fact]
    public async Task MetricsJsonIsPlainUtf8()
    {
        // The model's folder name keys its report in the metrics file.
        var model = TinyModelDirectories.WriteClassifier(Path.Combine(root, "modèle \"crème\""));
        var metrics = Path.Combine(root, "metrics.json");
        var run = await CliRun.RunAsync("evaluate", "classifier", "--model", model, "--data", LabelledTexts("test.tsv", 5, 6), "--metrics", metrics);
        Assert.True(run.Exit == 0, run.ToString());
        var json = File.ReadAllText(metrics);
        Assert.Contains("\"modèle \\\"crème\\\"\"", json);
        Assert.DoesNotContain("\\u00", json);
    }

    [Fact]
    public async Task TrainingResultTableIsOneLinePerRowWhenStdoutIsNotATerminal()
    {
        // Gzip training data as well: the same reader as a plain file.
        var train = Path.Combine(root, "train.tsv.gz");
        using (var gzip = new GZipStream(File.Create(train), CompressionLevel.Fastest))
            gzip.Write(File.ReadAllBytes(LabelledTexts("train-plain.tsv", 30, 3)));
        var test = LabelledTexts("test.tsv", 10, 4);
        var run = await CliRun.RunAsync("train", "classifier", "--data", train, "--test", test, "--out", Path.Combine(root, "model"),
            "--epochs", "1", "--embedding-dim", "8", "--feature-maps", "4", "--widths", "2,3", "--min-count", "1", "--baseline", "--quiet");
        Assert.True(run.Exit == 0, run.ToString());
        var ours = Assert.Single(run.OutLines, l => l.Contains("TextCnn", StringComparison.Ordinal));
        var baseline = Assert.Single(run.OutLines, l => l.Contains(MlNetBaseline.ModelName, StringComparison.Ordinal));
        // Every row holds its name and all its numbers: accuracy, macro-F1, log-loss and one F1 per class.
        Assert.Equal(5, Regex.Matches(ours, @"\d\.\d{4}").Count);
        Assert.Equal(5, Regex.Matches(baseline, @"\d\.\d{4}").Count);
        Assert.Contains("F1 spam", run.Out);
    }
}
