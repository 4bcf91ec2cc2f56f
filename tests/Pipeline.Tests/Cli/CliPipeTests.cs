// Issue 16, items 2-4: `caption` and `classify` work in pipes (docs/cli.md): "-" is stdin as INPUT and
// stdout as --out, results go to stdout by default, --out /dev/stdout is a stream (never scanned for
// earlier results), `classify --text` and stdin streaming print top-k probabilities like
// `fasttext predict-prob`, classify reads the label<TAB>text files training reads, blank lines are passed
// over, gzip inputs are read, and JSON output is plain UTF-8 with the whole text. Each test runs the real
// command tree in-process (CliRun) and checks what a user would see.
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Pipeline.Classification;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Cli;

[Collection("Console")]
public sealed class CliPipeTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("cli-pipes").FullName;
    private readonly Lazy<string> classifier;

    public CliPipeTests() => classifier = new(() => TinyModelDirectories.WriteClassifier(Path.Combine(root, "classifier")));

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Classifier => classifier.Value;

    private string WriteText(string name, string content)
    {
        var path = Path.Combine(root, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    private static List<JsonElement> Records(CliResult run) => run.OutLines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    /// <summary>The library's answer for <paramref name="text"/>, which every CLI path must print.</summary>
    private string Expected(string text) => TextClassifier.Load(Classifier).Predict(text).Label;

    [Fact]
    public async Task ClassifyStreamsStdinLineByLineWithTopKProbabilitiesAndSkipsBlankLines()
    {
        var run = await CliRun.RunWithInputAsync("win a free cruise now\n\n   \nmeeting moved to tomorrow\n", "classify", "-", "--model", Classifier, "--top-k", "2");
        Assert.True(run.Exit == 0, run.ToString());
        var records = Records(run);
        Assert.Equal(2, records.Count);
        Assert.Equal([1, 4], records.Select(r => r.GetProperty("line").GetInt32()));
        Assert.Equal("win a free cruise now", records[0].GetProperty("text").GetString());
        Assert.Equal(Expected("win a free cruise now"), records[0].GetProperty("label").GetString());
        foreach (var record in records)
        {
            var topK = record.GetProperty("top_k").EnumerateArray().Select(t => t.GetProperty("probability").GetSingle()).ToArray();
            Assert.Equal(2, topK.Length);
            Assert.True(topK[0] >= topK[1] && topK[1] > 0 && topK[0] + topK[1] <= 1.0001f, string.Join(", ", topK));
            Assert.Equal(record.GetProperty("confidence").GetSingle(), topK[0]);
        }
        Assert.DoesNotContain("failed:", run.Error);
    }

    [Fact]
    public async Task ClassifyTextIsRepeatableAndPrintsTheLibrarysPrediction()
    {
        var run = await CliRun.RunAsync("classify", "--text", "cheap pills click now", "--text", "lunch with the team tomorrow", "--model", Classifier);
        Assert.True(run.Exit == 0, run.ToString());
        var records = Records(run);
        Assert.Equal(["cheap pills click now", "lunch with the team tomorrow"], records.Select(r => r.GetProperty("text").GetString()));
        Assert.Equal([Expected("cheap pills click now"), Expected("lunch with the team tomorrow")], records.Select(r => r.GetProperty("label").GetString()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("-")]
    [InlineData("/dev/stdout")]
    public async Task ClassifyWritesStdoutByDefaultForDashAndForDevStdout(string? output)
    {
        var input = WriteText("texts.txt", "win a free cruise now\nteam meeting at noon\n");
        string[] args = output is null ? ["classify", input, "--model", Classifier] : ["classify", input, "--model", Classifier, "--out", output];
        var run = await CliRun.RunAsync(args);
        Assert.True(run.Exit == 0, run.ToString());
        Assert.Equal(2, Records(run).Count);
        Assert.Equal(["texts.txt"], Directory.GetFiles(root).Select(Path.GetFileName));   // no texts.predictions.jsonl, no file named "-"
        Assert.False(File.Exists("-"));
    }

    [Fact]
    public async Task ClassifyReadsTheLabelTabTextFilesTrainingReads()
    {
        var input = WriteText("labelled.tsv", "spam\twin a free cruise now\n\nham\tmeeting moved to tomorrow\n");
        var run = await CliRun.RunAsync("classify", input, "--model", Classifier);
        Assert.True(run.Exit == 0, run.ToString());
        Assert.Equal(["win a free cruise now", "meeting moved to tomorrow"], Records(run).Select(r => r.GetProperty("text").GetString()));

        var threeColumns = WriteText("three.tsv", "7\tspam\tcheap pills click now\n8\tham\tteam meeting at noon\n");
        run = await CliRun.RunAsync("classify", threeColumns, "--model", Classifier, "--text-column", "2", "--id-column", "0");
        Assert.True(run.Exit == 0, run.ToString());
        var records = Records(run);
        Assert.Equal(["cheap pills click now", "team meeting at noon"], records.Select(r => r.GetProperty("text").GetString()));
        Assert.Equal(["7", "8"], records.Select(r => r.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task BlankLinesAreNotFailuresInAResumableFileRun()
    {
        var input = WriteText("gaps.txt", "win a free cruise now\n\n\nteam meeting at noon\n\n");
        var output = Path.Combine(root, "gaps.out.jsonl");
        var run = await CliRun.RunAsync("classify", input, "--model", Classifier, "--out", output);
        Assert.True(run.Exit == 0, run.ToString());
        Assert.Equal(2, File.ReadAllLines(output).Length);
        Assert.Equal("", run.Out);   // results in the file, the summary on stderr
        var errors = Path.Combine(root, "gaps.out.errors.jsonl");
        Assert.True(!File.Exists(errors) || new FileInfo(errors).Length == 0);
    }

    [Fact]
    public async Task JsonIsPlainUtf8AndTheTextIsWhole()
    {
        string text = "crème \"brûlée\" <b>tomorrow</b> & " + string.Join(' ', Enumerable.Repeat("meeting", 40));
        var run = await CliRun.RunAsync("classify", "--text", text, "--model", Classifier);
        Assert.True(run.Exit == 0, run.ToString());
        var line = Assert.Single(run.OutLines);
        Assert.Contains("crème \\\"brûlée\\\" <b>tomorrow</b> &", line);
        Assert.DoesNotContain("\\u00", line);
        Assert.DoesNotContain("\\u0022", line);
        Assert.DoesNotContain("…", line);
        Assert.Equal(text, Records(run)[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task OutFormatTsvWritesAHeaderAndOneRowPerText()
    {
        var run = await CliRun.RunAsync("classify", "--text", "win a free cruise now", "--text", "team meeting at noon", "--model", Classifier, "--out-format", "tsv");
        Assert.True(run.Exit == 0, run.ToString());
        Assert.Equal(3, run.OutLines.Length);
        Assert.StartsWith("id\ttext\tlabel\tconfidence\ttop_k\tline", run.OutLines[0]);
        Assert.StartsWith("1\twin a free cruise now\t", run.OutLines[1]);
    }

    [Fact]
    public async Task ClassifyReadsGzipInput()
    {
        var path = Path.Combine(root, "texts.tsv.gz");
        using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
            gzip.Write(Encoding.UTF8.GetBytes("label\ttext\nspam\tcheap pills click now\nham\tteam meeting at noon\n"));
        var run = await CliRun.RunAsync("classify", path, "--model", Classifier);
        Assert.True(run.Exit == 0, run.ToString());
        Assert.Equal(["cheap pills click now", "team meeting at noon"], Records(run).Select(r => r.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task QuietLeavesStderrEmpty()
    {
        var run = await CliRun.RunAsync("classify", "--text", "win a free cruise now", "--model", Classifier, "--quiet");
        Assert.True(run.Exit == 0, run.ToString());
        Assert.Single(run.OutLines);
        Assert.Equal("", run.Error);
        var loud = await CliRun.RunAsync("classify", "--text", "win a free cruise now", "--model", Classifier);
        Assert.Contains("1 texts classified", loud.Error);
    }

    [Fact]
    public async Task ABadLineOnStdinIsOneReadableLineAndExitsOne()
    {
        var bytes = Encoding.UTF8.GetBytes("win a free cruise now\n").Concat(new byte[] { 0x67, 0xC3, 0x28, (byte)'\n' }).Concat(Encoding.UTF8.GetBytes("team meeting at noon\n")).ToArray();
        var run = await CliRun.RunWithInputAsync(bytes, "classify", "-", "--model", Classifier);
        Assert.True(run.Exit == 1, run.ToString());
        Assert.Equal(2, Records(run).Count);
        Assert.Contains("pipeline classify: stdin: line 2: invalid UTF-8", run.ErrorLines);
    }

    private (string Model, IReadOnlyList<string> Images) TinyCaptioner(int images = 1) =>
        (TinyModelDirectories.WriteCaptioner(Path.Combine(root, "captioner")), TinyModelDirectories.WriteImages(Path.Combine(root, "images"), count: images));

    [Fact]
    public async Task CaptionReadsAnImageFromStdin()
    {
        var (model, images) = TinyCaptioner();
        var fromFile = await CliRun.RunAsync("caption", images[0], "--model", model);
        var fromStdin = await CliRun.RunWithInputAsync(File.ReadAllBytes(images[0]), "caption", "-", "--model", model);
        Assert.True(fromStdin.Exit == 0, fromStdin.ToString());
        var record = Assert.Single(Records(fromStdin));
        Assert.Equal("-", record.GetProperty("image").GetString());
        Assert.Equal(Records(fromFile)[0].GetProperty("caption").GetString(), record.GetProperty("caption").GetString());
    }

    [Fact]
    public async Task CaptionToDevStdoutIsAStreamNotAResumedFile()
    {
        var (model, images) = TinyCaptioner(images: 2);
        var run = await CliRun.RunAsync("caption", Path.GetDirectoryName(images[0])!, "--model", model, "--out", "/dev/stdout");
        Assert.True(run.Exit == 0, run.ToString());
        Assert.Equal(2, Records(run).Count);
        Assert.DoesNotContain("not valid JSON", run.Error);
    }

    [Fact]
    public async Task ACaptionUrlIsAClearErrorAndNothingIsDownloaded()
    {
        var (model, _) = TinyCaptioner();
        var run = await CliRun.RunAsync("caption", "https://example.com/photo.jpg", "--model", model);
        Assert.Equal(2, run.Exit);
        var line = Assert.Single(run.ErrorLines);
        Assert.Contains("URLs are not supported", line);
        Assert.Contains("| pipeline caption -", line);
    }

    [Fact]
    public async Task CaptionFailuresAreReadableLinesNotRawJson()
    {
        var (model, images) = TinyCaptioner();
        var broken = Path.Combine(Path.GetDirectoryName(images[0])!, "broken.png");
        File.WriteAllText(broken, "not a png");
        var run = await CliRun.RunAsync("caption", images[0], broken, "--model", model);
        Assert.Equal(1, run.Exit);
        var failure = Assert.Single(run.ErrorLines, l => l.Contains("failed:"));
        Assert.StartsWith("pipeline caption: failed: ", failure);
        Assert.Contains(broken, failure);
        Assert.DoesNotContain("{", failure);
    }

    [Fact]
    public async Task ThreadsSetsTheEnginesParallelism()
    {
        var run = await CliRun.RunAsync("selfcheck", "--threads", "1");
        Assert.Contains(", 1 threads", run.Out);
        var bad = await CliRun.RunAsync("selfcheck", "--threads", "0");
        Assert.Equal(2, bad.Exit);
        Assert.Contains("--threads must be at least 1", bad.Error);
    }

    [Fact]
    public async Task TheShippedModelsAreUsedWithoutModel()
    {
        var shipped = Pipeline.Cli.DefaultModels.Find(Pipeline.Cli.DefaultModels.Classifier);
        Assert.NotNull(shipped);
        const string text = "a gripping , beautifully acted film";
        var classify = await CliRun.RunAsync("classify", "--text", text);
        Assert.True(classify.Exit == 0, classify.ToString());
        Assert.Equal(TextClassifier.Load(shipped).Predict(text).Label, Records(classify)[0].GetProperty("label").GetString());

        var sample = Directory.GetFiles(Path.Combine(Pipeline.Cli.DefaultModels.FindDataDirectory()!, "samples", "photos"), "*.jpg").Order().First();
        var caption = await CliRun.RunAsync("caption", sample);
        Assert.True(caption.Exit == 0, caption.ToString());
        Assert.False(string.IsNullOrWhiteSpace(Assert.Single(Records(caption)).GetProperty("caption").GetString()));
    }

    [Fact]
    public async Task TheMainJobWritesFilesOnlyWhereAsked()
    {
        // The test runs outside the repository root: without --out the captions are printed and nothing is written here.
        Assert.False(Directory.Exists(Path.Combine(Directory.GetCurrentDirectory(), "data", "samples")));
        bool outBefore = Directory.Exists("out");
        var printed = await CliRun.RunAsync();
        Assert.True(printed.Exit == 0, printed.ToString());
        var photos = Directory.GetFiles(Path.Combine(Pipeline.Cli.DefaultModels.FindDataDirectory()!, "samples", "photos"), "*.jpg");
        Assert.Contains(Path.GetFileName(photos.Order().First()), printed.Out);
        Assert.Equal(outBefore, Directory.Exists("out"));

        var kept = Path.Combine(root, "main-out");
        var run = await CliRun.RunAsync("--out", kept);
        Assert.True(run.Exit == 0, run.ToString());
        Assert.Equal(photos.Length, File.ReadAllLines(Path.Combine(kept, "captions.jsonl")).Length);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(kept, "attention"), "*.png"));
    }
}
