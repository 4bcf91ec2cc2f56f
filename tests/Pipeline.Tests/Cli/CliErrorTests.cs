// Issue 18, item 11: every user error ends with one clear line on stderr and a non-zero exit code, never
// a stack trace; --verbose (a global option) prints the full exception. The commands run in-process
// through PipelineCli with the console captured, so these tests share the "Console" collection, which
// xunit runs on its own (no other test writes to the console meanwhile).
using System.CommandLine;
using Pipeline.Captioning;
using Pipeline.Cli;
using Pipeline.Preprocessing.Synthetic;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Cli;

[CollectionDefinition("Console", DisableParallelization = true)]
public sealed class ConsoleCollection;

[Collection("Console")]
public sealed class CliErrorTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("cli-errors").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>The run failed, printed no stack trace, and its last stderr line says <paramref name="expected"/>.</summary>
    private static void AssertOneClearLine((int Exit, string Out, string Error) run, string expected)
    {
        Assert.NotEqual(0, run.Exit);
        Assert.DoesNotContain("   at ", run.Error);
        Assert.DoesNotContain("Exception:", run.Error);
        var last = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        Assert.Contains(expected, last);
    }

    private (string Model, string Image) TinyCaptioner()
    {
        var model = TinyModelDirectories.WriteCaptioner(Path.Combine(root, "model"));
        var image = TinyModelDirectories.WriteImages(Path.Combine(root, "images"), count: 1)[0];
        return (model, image);
    }

    [Fact]
    public async Task AFolderAsOutIsOneLine()
    {
        var (model, image) = TinyCaptioner();
        var folder = Directory.CreateDirectory(Path.Combine(root, "out-folder")).FullName;
        AssertOneClearLine(await InProcessCli.RunAsync("caption", image, "--model", model, "--out", folder), "is a folder");

        var classifier = TinyModelDirectories.WriteClassifier(Path.Combine(root, "classifier"));
        var texts = Path.Combine(root, "texts.txt");
        File.WriteAllLines(texts, ["win a free cruise now"]);
        AssertOneClearLine(await InProcessCli.RunAsync("classify", texts, "--model", classifier, "--out", folder), "is a folder");
    }

    [Fact]
    public async Task AnOversizedBeamIsOneLine()
    {
        var (model, image) = TinyCaptioner();
        AssertOneClearLine(await InProcessCli.RunAsync("caption", image, "--model", model, "--beam", "100000"), $"between 1 and {CaptionOptions.MaxBeamSize} (got 100000)");
    }

    [Fact]
    public async Task ADuplicateVocabularyTokenIsOneLine()
    {
        var (model, image) = TinyCaptioner();
        var vocab = Path.Combine(model, CaptionerDirectory.VocabularyFile);
        File.WriteAllText(vocab, File.ReadAllText(vocab).Replace("\"red\"", "\"blue\""));
        AssertOneClearLine(await InProcessCli.RunAsync("caption", image, "--model", model), "'blue' appears twice");
    }

    [Fact]
    public async Task ResumeWithoutACheckpointIsOneLine()
    {
        var synth = SyntheticScenes.Generate(new SynthOptions { OutputDirectory = Path.Combine(root, "synth"), Count = 12, Seed = 3, Size = 64 });
        var run = await InProcessCli.RunAsync("train", "captioner", "--data", synth.DatasetJsonPath, "--out", Path.Combine(root, "never-trained"),
            "--resume", "--epochs", "1", "--cache", Path.Combine(root, "cache"));
        AssertOneClearLine(run, "there is no checkpoint to resume");
    }

    [Fact]
    public async Task QuietTrainCaptionerPrintsOnlyItsTestScores()
    {
        var synth = SyntheticScenes.Generate(new SynthOptions { OutputDirectory = Path.Combine(root, "synth"), Count = 12, Seed = 3, Size = 64 });
        string[] args = ["train", "captioner", "--data", synth.DatasetJsonPath, "--preset", "tiny", "--epochs", "1", "--validation-images", "2",
            "--embedding-dim", "8", "--hidden-size", "8", "--attention-dim", "8", "--cache", Path.Combine(root, "cache")];
        var quiet = await InProcessCli.RunAsync([.. args, "--out", Path.Combine(root, "quiet"), "--quiet"]);
        Assert.True(quiet.Exit == 0, quiet.Error);
        Assert.Equal("", quiet.Error);
        var lines = quiet.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.StartsWith("test (", line));   // the result, nothing else
        var loud = await InProcessCli.RunAsync([.. args, "--out", Path.Combine(root, "loud")]);
        Assert.True(loud.Exit == 0, loud.Error);
        Assert.Contains(loud.Out.Split('\n'), line => line.StartsWith("epoch 1:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConvertOnAnEmptyFolderIsOneLine()
    {
        var empty = Directory.CreateDirectory(Path.Combine(root, "empty")).FullName;
        AssertOneClearLine(await InProcessCli.RunAsync("convert", "spamassassin", "--in", empty, "--out", Path.Combine(root, "converted")), "no SpamAssassin message JSON files");
    }

    private static RootCommand Throwing(Exception exception)
    {
        var root = new RootCommand("test");
        root.Options.Add(PipelineCli.Verbose);
        var command = new Command("write", "fails like a full disk");
        command.SetAction((Func<ParseResult, int>)(_ => throw exception));
        root.Subcommands.Add(command);
        return root;
    }

    [Fact]
    public async Task ADiskFullErrorIsOneLineAndVerboseShowsTheStackTrace()
    {
        static IOException DiskFull()
        {
            try { throw new IOException("No space left on device : '/data/out/captions.jsonl'", 28); }
            catch (IOException e) { return e; }   // thrown once, so it carries a stack trace
        }

        var quiet = await InProcessCli.RunAsync(Throwing(DiskFull()), "write");
        AssertOneClearLine(quiet, "pipeline write: No space left on device");

        var verbose = await InProcessCli.RunAsync(Throwing(DiskFull()), "write", "--verbose");
        Assert.NotEqual(0, verbose.Exit);
        Assert.Contains("System.IO.IOException", verbose.Error);
        Assert.Contains("   at ", verbose.Error);
    }

    [Fact]
    public async Task ABugIsLabelledAsOneLine()
    {
        var run = await InProcessCli.RunAsync(Throwing(new NullReferenceException("Object reference not set to an instance of an object.")), "write");
        AssertOneClearLine(run, "internal error (NullReferenceException");
        Assert.Contains("--verbose", run.Error);
    }
}
