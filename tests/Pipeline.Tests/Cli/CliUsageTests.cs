// Issue 16, item 1: the command line refuses what it does not understand, in one readable line per
// error followed by a hint to --help (never the whole help), and exits as docs/cli.md says: 0 done,
// 1 some items failed, 2 usage or input error. Each test runs the real command tree in-process (CliRun).
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Cli;

[Collection("Console")]
public sealed class CliUsageTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("cli-usage").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private (string Model, string Image) TinyCaptioner()
    {
        var model = TinyModelDirectories.WriteCaptioner(Path.Combine(root, "model"));
        var image = TinyModelDirectories.WriteImages(Path.Combine(root, "images"), count: 1)[0];
        return (model, image);
    }

    /// <summary>A usage error: exit 2, nothing on stdout, the error on the first stderr line, the --help hint last, no help text.</summary>
    private static void AssertUsageError(CliResult run, string firstLine, string command)
    {
        Assert.True(run.Exit == 2, run.ToString());
        Assert.Equal("", run.Out);
        Assert.Equal(firstLine, run.ErrorLines[0]);
        Assert.Equal($"Try '{command} --help' for more information.", run.ErrorLines[^1]);
        Assert.DoesNotContain("Usage:", run.Error);
        Assert.DoesNotContain("Options:", run.Error);
    }

    [Fact]
    public async Task AnUnknownOptionIsAnErrorNotAFileToCaption()
    {
        var (model, image) = TinyCaptioner();
        var run = await CliRun.RunAsync("caption", image, "--model", model, "--bem", "1");
        AssertUsageError(run, "pipeline caption: unrecognized option '--bem'; did you mean '--beam'?", "pipeline caption");
        Assert.DoesNotContain("captioned", run.Error);
    }

    [Fact]
    public async Task AMisspelledOptionIsNamedBeforeWhatItsAbsenceCauses()
    {
        var texts = Path.Combine(root, "texts.txt");
        File.WriteAllLines(texts, ["win a free cruise now"]);
        var run = await CliRun.RunAsync("evaluate", "classifier", "--modle", "m", "--data", texts);
        AssertUsageError(run, "pipeline evaluate classifier: unrecognized option '--modle'; did you mean '--model'?", "pipeline evaluate classifier");
        Assert.Contains("pipeline evaluate classifier: missing required option '--model'", run.Error);
    }

    [Fact]
    public async Task AMisspelledOptionsValueIsNotASecondError()
    {
        var run = await CliRun.RunAsync("classify", "--modle", "somewhere", "--text", "hi");
        AssertUsageError(run, "pipeline classify: unrecognized option '--modle'; did you mean '--model'?", "pipeline classify");
        Assert.Equal(2, run.ErrorLines.Length);
    }

    [Fact]
    public async Task AnUnknownOptionWithoutANearNameHasNoSuggestion()
    {
        var (model, image) = TinyCaptioner();
        var run = await CliRun.RunAsync("caption", image, "--model", model, "--colour", "red");
        AssertUsageError(run, "pipeline caption: unrecognized option '--colour'", "pipeline caption");
    }

    [Fact]
    public async Task AValueOfTheWrongTypeIsOneReadableLine()
    {
        var (model, image) = TinyCaptioner();
        var run = await CliRun.RunAsync("caption", image, "--model", model, "--beam", "wide");
        AssertUsageError(run, "pipeline caption: --beam: 'wide' is not a whole number", "pipeline caption");
        Assert.DoesNotContain("System.Int32", run.Error);
    }

    [Fact]
    public async Task AnOutOfRangeValueIsOneLineWithoutDotNetParameterText()
    {
        var (model, image) = TinyCaptioner();
        var run = await CliRun.RunAsync("caption", image, "--model", model, "--beam", "0");
        Assert.Equal(2, run.Exit);
        var line = Assert.Single(run.ErrorLines);
        Assert.Contains("between 1 and", line);
        Assert.Contains("(got 0)", line);
        Assert.DoesNotContain("Parameter", line);
        Assert.DoesNotContain("Actual value", line);
    }

    [Fact]
    public async Task HelpStillWorksAndGoesToStdout()
    {
        var run = await CliRun.RunAsync("caption", "--help");
        Assert.Equal(0, run.Exit);
        Assert.Contains("Usage:", run.Out);
        Assert.Contains("--beam", run.Out);
    }

    [Fact]
    public async Task AnImageThatFailsAmongGoodOnesExitsOne()
    {
        var (model, image) = TinyCaptioner();
        var folder = Path.GetDirectoryName(image)!;
        File.WriteAllText(Path.Combine(folder, "broken.png"), "not a png");
        var run = await CliRun.RunAsync("caption", folder, "--model", model);
        Assert.True(run.Exit == 1, run.ToString());
        Assert.Single(run.OutLines);
    }
}
