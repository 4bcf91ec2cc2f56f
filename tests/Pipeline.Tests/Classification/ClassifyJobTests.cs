// The classify library function (what `pipeline classify` runs) on a file with good lines, empty
// lines (passed over: not texts, not failures) and one invalid UTF-8 line: bad lines land in the errors
// file with their line numbers, the
// summary's exit code reports them, and a run cancelled part-way (or killed mid-write) and then rerun
// leaves exactly one output record per good line. Records are identified by input line, so repeated
// user ids are all classified, and an output without line numbers is refused with a clear message.
using System.Text;
using System.Text.Json;
using Pipeline.Batch;
using Pipeline.Classification;
using Pipeline.Models.Classification;
using Xunit;

namespace Pipeline.Tests.Classification;

public sealed class ClassifyJobTests : IClassFixture<TextClassifierTests.TrainedModel>
{
    private readonly TextClassifierTests.TrainedModel trained;

    public ClassifyJobTests(TextClassifierTests.TrainedModel trained) => this.trained = trained;

    // 60 good lines, 2 empty ones (lines 5 and 30) and an invalid UTF-8 line (line 17).
    private (string Path, int[] GoodLines) WriteInput(string name)
    {
        var random = new Random(3);
        var bytes = new List<byte>();
        var good = new List<int>();
        for (int line = 1; line <= 63; line++)
        {
            if (line is 5 or 30) { }
            else if (line == 17) bytes.AddRange([0x67, 0x6f, 0xC3, 0x28, 0x64]);   // "go", a broken 2-byte sequence, "d"
            else { bytes.AddRange(Encoding.UTF8.GetBytes(TinyCorpus.Sentence(line % 2 == 0, random))); good.Add(line); }
            bytes.Add((byte)'\n');
        }
        var path = trained.Corpus.PathOf(name);
        File.WriteAllBytes(path, bytes.ToArray());
        return (path, good.ToArray());
    }

    [Fact]
    public async Task BadLinesGoToTheErrorsFileAndGoodLinesAreClassified()
    {
        var (input, good) = WriteInput("bad-lines.txt");
        var options = new ClassifyJobOptions(input, trained.Corpus.PathOf("bad-lines.out.jsonl"), BatchSize: 8, TopK: 2);
        var summary = await ClassifyJob.RunAsync(TextClassifier.Load(trained.Directory), options);

        Assert.Equal(good.Length, summary.Completed);
        Assert.Equal(1, summary.Failed);   // the invalid line; the blank lines 5 and 30 are not failures
        Assert.Equal(1, summary.ExitCode);
        var errorKeys = File.ReadAllLines(options.ErrorsPath).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("key").GetString()!).Order().ToArray();
        Assert.Equal(["17"], errorKeys);
        Assert.Contains("invalid UTF-8", File.ReadAllText(options.ErrorsPath));

        var records = File.ReadAllLines(options.OutputPath).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(good.Select(g => g.ToString()), records.Select(r => r.GetProperty("id").GetString()));
        var first = records[0];
        Assert.Contains(first.GetProperty("label").GetString(), new[] { "pos", "neg" });
        Assert.Equal(2, first.GetProperty("top_k").GetArrayLength());
        Assert.Equal(first.GetProperty("confidence").GetSingle(), first.GetProperty("top_k")[0].GetProperty("probability").GetSingle());
    }

    [Fact]
    public async Task RerunAfterCancelGivesExactlyOneRecordPerGoodLine()
    {
        var (input, good) = WriteInput("resume.txt");
        var options = new ClassifyJobOptions(input, trained.Corpus.PathOf("resume.out.jsonl"), BatchSize: 4);
        var classifier = TextClassifier.Load(trained.Directory);
        using var cancel = new CancellationTokenSource();
        var stopper = new SyncProgress(p => { if (p.Completed >= 12) cancel.Cancel(); });
        var first = await ClassifyJob.RunAsync(classifier, options, stopper, cancel.Token);
        Assert.True(first.Cancelled);
        Assert.InRange(first.Completed, 12, good.Length - 1);

        var second = await ClassifyJob.RunAsync(classifier, options);
        Assert.False(second.Cancelled);
        Assert.Equal(good.Length, first.Completed + second.Completed);

        var ids = File.ReadAllLines(options.OutputPath).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()!).ToArray();
        Assert.Equal(good.Length, ids.Length);
        Assert.Equal(good.Select(g => g.ToString()).Order(), ids.Order());
    }

    [Fact]
    public async Task TsvInputUsesTheIdColumnAndWritesTsv()
    {
        var input = trained.Corpus.PathOf("with-ids.tsv");
        File.WriteAllLines(input, ["id\ttext", "a7\tthe movie was great", "b9\tthe plot was awful"]);
        var options = new ClassifyJobOptions(input, trained.Corpus.PathOf("with-ids.out.tsv"));
        var summary = await ClassifyJob.RunAsync(TextClassifier.Load(trained.Directory), options);
        Assert.Equal(0, summary.ExitCode);
        var lines = File.ReadAllLines(options.OutputPath);
        Assert.StartsWith("id\ttext\tlabel\tconfidence\ttop_k", lines[0]);
        Assert.StartsWith("a7\tthe movie was great\tpos\t", lines[1]);
        Assert.StartsWith("b9\tthe plot was awful\tneg\t", lines[2]);
    }

    private static JsonElement[] Records(string path) => File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement).ToArray();

    [Fact]
    public async Task ResumeFromAPartialOutputFileGivesEachLineExactlyOnce()
    {
        var (input, good) = WriteInput("partial.txt");
        var options = new ClassifyJobOptions(input, trained.Corpus.PathOf("partial.out.jsonl"), BatchSize: 4);
        var classifier = TextClassifier.Load(trained.Directory);
        await ClassifyJob.RunAsync(classifier, options);
        var complete = File.ReadAllLines(options.OutputPath);

        // What a SIGKILL leaves: the first 20 records and half of the 21st; the errors file is left from the full run.
        File.WriteAllText(options.OutputPath, string.Join("\n", complete.Take(20)) + "\n" + complete[20][..(complete[20].Length / 2)]);
        var resumed = await ClassifyJob.RunAsync(classifier, options);

        Assert.Equal(new BatchSummary(good.Length - 20, 20, 1, false), resumed);
        var records = Records(options.OutputPath);
        Assert.Equal(good, records.Select(r => r.GetProperty(ClassifyJob.LineColumn).GetInt32()).Order());
        Assert.Equal(complete.Order(), File.ReadAllLines(options.OutputPath).Order());   // same records, none twice
        // The failed line was retried by the rerun and is listed once: output + errors cover every non-blank line exactly once.
        var errorKeys = File.ReadAllLines(options.ErrorsPath).Select(l => int.Parse(JsonDocument.Parse(l).RootElement.GetProperty("key").GetString()!));
        Assert.Equal(Enumerable.Range(1, 63).Except([5, 30]), errorKeys.Concat(records.Select(r => r.GetProperty(ClassifyJob.LineColumn).GetInt32())).Order());
    }

    [Fact]
    public async Task RepeatedUserIdsAreEachClassifiedAndKeptApartByLine()
    {
        var input = trained.Corpus.PathOf("repeated-ids.jsonl");
        File.WriteAllLines(input,
        [
            """{"id":"u1","text":"the movie was great"}""",
            """{"id":"u2","text":"the plot was awful"}""",
            """{"id":"u1","text":"the acting was dreadful"}""",
            """{"text":"a superb story"}""",
        ]);
        var options = new ClassifyJobOptions(input, trained.Corpus.PathOf("repeated-ids.out.jsonl"));
        var summary = await ClassifyJob.RunAsync(TextClassifier.Load(trained.Directory), options);

        Assert.Equal(new BatchSummary(4, 0, 0, false), summary);
        var records = Records(options.OutputPath);
        Assert.Equal(["u1", "u2", "u1", "4"], records.Select(r => r.GetProperty("id").GetString()));
        Assert.Equal([1, 2, 3, 4], records.Select(r => r.GetProperty("line").GetInt32()));
        Assert.Equal(["pos", "neg", "neg", "pos"], records.Select(r => r.GetProperty("label").GetString()));

        // A rerun finds every line done, repeated ids included.
        Assert.Equal(new BatchSummary(0, 4, 0, false), await ClassifyJob.RunAsync(TextClassifier.Load(trained.Directory), options));
    }

    [Fact]
    public async Task AnOutputWithoutLineNumbersIsRefusedWithFileAndLine()
    {
        var input = trained.Corpus.PathOf("old-output.txt");
        File.WriteAllLines(input, ["the movie was great", "the plot was awful"]);
        var output = trained.Corpus.PathOf("old-output.out.jsonl");
        File.WriteAllLines(output, ["""{"id":"1","text":"the movie was great","label":"pos","confidence":0.9,"top_k":[]}"""]);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ClassifyJob.RunAsync(TextClassifier.Load(trained.Directory), new ClassifyJobOptions(input, output)));
        Assert.StartsWith($"{output}:1: the record has no non-negative integer 'line' value", error.Message);
        Assert.Single(File.ReadAllLines(output));   // left as it was
    }

    private sealed class SyncProgress(Action<BatchProgress> action) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => action(value);
    }
}
