// The classify library function (what `pipeline classify` runs) on a file with good lines, empty
// lines and one invalid UTF-8 line: bad lines land in the errors file with their line numbers, the
// summary's exit code reports them, and a run cancelled part-way and then rerun leaves exactly one
// output record per good line.
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
        Assert.Equal(3, summary.Failed);
        Assert.Equal(2, summary.ExitCode);
        var errorKeys = File.ReadAllLines(options.ErrorsPath).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("key").GetString()!).Order().ToArray();
        Assert.Equal(["17", "30", "5"], errorKeys);
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

    private sealed class SyncProgress(Action<BatchProgress> action) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => action(value);
    }
}
