// Regression tests for issue 18 on the classify side:
//   3. records are keyed by line number, so a rerun against an input with prepended (or edited) lines is
//      refused — the stored input fingerprint no longer matches — and the output is left as it was;
//      an input that was only appended to resumes with just the new lines;
//   7. a line longer than the bound is one error item, read without holding it in memory;
//  11. a gzip input is decompressed and classified like the plain file; a FIFO input is refused at once
//      (it would block the run); the output cannot be the input file.
using Pipeline.Preprocessing.Tests;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Pipeline.Batch;
using Pipeline.Classification;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Classification;

public sealed class ClassifyInputSafetyTests(TextClassifierTests.TrainedModel trained) : IClassFixture<TextClassifierTests.TrainedModel>
{
    private static readonly string[] Texts = ["the movie was great", "the plot was awful", "a superb story", "dreadful acting"];

    private string Input(string name, IEnumerable<string> lines)
    {
        var path = trained.Corpus.PathOf(name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private static int[] Lines(string output) =>
        File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement.GetProperty(ClassifyJob.LineColumn).GetInt32()).ToArray();

    [Fact]
    public async Task ResumeAgainstAnInputWithPrependedLinesIsRefusedAndTheOutputIsKept()
    {
        var lines = Enumerable.Range(0, 20).Select(i => Texts[i % Texts.Length]).ToList();
        var input = Input("prepended.txt", lines);
        var options = new ClassifyJobOptions(input, trained.Corpus.PathOf("prepended.out.jsonl"), BatchSize: 8);
        var classifier = TextClassifier.Load(trained.Directory);
        Assert.Equal(20, (await ClassifyJob.RunAsync(classifier, options)).Completed);
        var before = File.ReadAllBytes(options.OutputPath);

        File.WriteAllLines(input, Enumerable.Repeat("a new first line", 10).Concat(lines));
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ClassifyJob.RunAsync(classifier, options));

        Assert.Contains("changed since the 20 results", error.Message);
        Assert.Equal(before, File.ReadAllBytes(options.OutputPath));
    }

    [Fact]
    public async Task AnInputThatWasOnlyAppendedToResumesWithTheNewLines()
    {
        var input = Input("appended.txt", Texts);
        var options = new ClassifyJobOptions(input, trained.Corpus.PathOf("appended.out.jsonl"), BatchSize: 8);
        var classifier = TextClassifier.Load(trained.Directory);
        await ClassifyJob.RunAsync(classifier, options);

        File.AppendAllLines(input, ["one more great movie", "one more awful plot"]);
        var summary = await ClassifyJob.RunAsync(classifier, options);

        Assert.Equal(new BatchSummary(2, 4, 0, false), summary);
        Assert.Equal([1, 2, 3, 4, 5, 6], Lines(options.OutputPath));
        // And the fingerprint now covers the longer input: a third run has nothing to do.
        Assert.Equal(new BatchSummary(0, 6, 0, false), await ClassifyJob.RunAsync(classifier, options));
    }

    [Fact]
    public async Task ResultsWithoutAFingerprintAreNotResumed()
    {
        var input = Input("no-fingerprint.txt", Texts);
        var options = new ClassifyJobOptions(input, trained.Corpus.PathOf("no-fingerprint.out.jsonl"));
        var classifier = TextClassifier.Load(trained.Directory);
        await ClassifyJob.RunAsync(classifier, options);
        File.Delete(InputFingerprint.PathFor(options.OutputPath));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ClassifyJob.RunAsync(classifier, options));
        Assert.Contains("no record of the input", error.Message);
    }

    [Fact]
    public async Task AnOverlongLineIsOneErrorItem()
    {
        var input = trained.Corpus.PathOf("long-line.txt");
        File.WriteAllLines(input, [Texts[0], new string('w', 3 << 20), Texts[1]]);
        var options = new ClassifyJobOptions(input, trained.Corpus.PathOf("long-line.out.jsonl"));

        var summary = await ClassifyJob.RunAsync(TextClassifier.Load(trained.Directory), options);

        Assert.Equal(new BatchSummary(2, 0, 1, false), summary);
        var entry = JsonDocument.Parse(File.ReadAllLines(options.ErrorsPath).Single()).RootElement;
        Assert.Equal("2", entry.GetProperty("key").GetString());
        Assert.Contains("line 2 is 3,145,728 bytes long", entry.GetProperty("error").GetString());
    }

    [Fact]
    public void ReadingAFortyMegabyteLineAllocatesOnlyTheBound()
    {
        var input = trained.Corpus.PathOf("huge-line.txt");
        using (var file = File.Create(input))
        {
            var block = Encoding.ASCII.GetBytes(new string('x', 1 << 20));
            for (int i = 0; i < 40; i++) file.Write(block);
            file.Write("\nshort line\n"u8);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        var items = ClassifyInputReader.Read(input, maxLineBytes: 1 << 20).ToList();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(2, items.Count);
        Assert.NotNull(items[0].Error);
        Assert.Equal("short line", items[1].Text);
        Assert.True(allocated < 8L << 20, $"reading allocated {allocated:N0} bytes for a 40 MB line");
    }

    [Fact]
    public async Task AGzipInputIsReadLikeThePlainFile()
    {
        var plain = Input("plain.txt", Texts);
        var gzip = trained.Corpus.PathOf("zipped.txt.gz");
        using (var file = File.Create(gzip))
        using (var zip = new GZipStream(file, CompressionLevel.Optimal))
            zip.Write(File.ReadAllBytes(plain));
        var classifier = TextClassifier.Load(trained.Directory);
        var plainOptions = new ClassifyJobOptions(plain, trained.Corpus.PathOf("plain.out.jsonl"));
        var gzipOptions = new ClassifyJobOptions(gzip, trained.Corpus.PathOf("zipped.out.jsonl"));

        Assert.Equal(new BatchSummary(4, 0, 0, false), await ClassifyJob.RunAsync(classifier, gzipOptions));
        await ClassifyJob.RunAsync(classifier, plainOptions);

        string Labels(string path) => string.Join(",", File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("label").GetString()));
        Assert.Equal(Labels(plainOptions.OutputPath), Labels(gzipOptions.OutputPath));
    }

    [Fact]
    public async Task AFifoInputIsRefusedInsteadOfBlocking()
    {
        if (OperatingSystem.IsWindows()) return;
        var fifo = SpecialFiles.MakeFifo(trained.Corpus.PathOf("input.fifo"));
        var error = await Assert.ThrowsAsync<IOException>(() =>
            ClassifyJob.RunAsync(TextClassifier.Load(trained.Directory), new ClassifyJobOptions(fifo, trained.Corpus.PathOf("fifo.out.jsonl"))));
        Assert.Contains("FIFO", error.Message);
    }

    [Fact]
    public async Task TheOutputCannotBeTheInput()
    {
        var input = Input("self.jsonl", Texts.Select(t => JsonSerializer.Serialize(new { text = t })));
        var before = File.ReadAllBytes(input);
        await Assert.ThrowsAsync<ArgumentException>(() => ClassifyJob.RunAsync(TextClassifier.Load(trained.Directory), new ClassifyJobOptions(input, input)));
        Assert.Equal(before, File.ReadAllBytes(input));
    }
}
