// Regression tests for issue 18, items 1, 2 and 10: the output guard every writer goes through.
//   1. An existing file that is not a results file of the job (notes, an image, a dataset, an input
//      without a final newline) is refused and left byte for byte as it was — the torn-line repair runs
//      only after the whole file was recognised; a complete last record that lacks its '\n' is kept.
//   2. Two writers on one output cannot both hold it: the second fails fast with OutputLockedException
//      (flock on the hidden lock file, per open file description, so it holds within one process too).
//  10. Keys with control characters (newline, tab, CR, backslash, quotes) are written exactly in CSV and
//      TSV, so a rerun recognises them instead of appending them again.
using Pipeline.Preprocessing.Tests;
using System.Text;
using Pipeline.Batch;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Batch;

public sealed class OutputFileGuardTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("guard-tests").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static IReadOnlyList<ResultRecord> Echo(IReadOnlyList<(string Key, string Item)> batch, CancellationToken _) =>
        batch.Select(b => new ResultRecord(b.Key, [new("image", b.Key), new("caption", b.Item)])).ToList();

    private static ValueTask<string> Read(string key, CancellationToken _) => ValueTask.FromResult("caption of " + key.Length);

    private static async Task<BatchSummary> RunAsync(string path, IEnumerable<string> keys)
    {
        using var output = new ResumableResultWriter(path, "image");
        using var errors = new ErrorLog(ErrorLog.PathFor(path));
        return await new BatchRunner<string>(new BatchOptions(BatchSize: 2, PrepareWorkers: 1, MaxInFlight: 4)).RunAsync(keys, Read, Echo, output, errors);
    }

    public static TheoryData<string, byte[]> UnrelatedFiles => new()
    {
        { "keep.jsonl", "precious data"u8.ToArray() },                                                  // no newline at all
        { "notes.jsonl", "line one\nline two without newline"u8.ToArray() },                           // an input text as --out
        { "image.jsonl", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48] },  // PNG bytes
        { "dataset.jsonl", "{\"text\":\"a dog\",\"label\":\"pos\"}\n{\"text\":\"a cat\""u8.ToArray() }, // JSON lines without the key
        { "table.csv", "name,score\nalpha,1\nbeta,2"u8.ToArray() },                                    // a CSV without the key column
        { "table.tsv", "name\tscore\nalpha\t1\n"u8.ToArray() },
        { "big.jsonl", Encoding.ASCII.GetBytes(new string('x', OutputFileGuard.MaxLineBytes + 10)) },  // one huge line
    };

    [Theory]
    [MemberData(nameof(UnrelatedFiles))]
    public void AnUnrelatedFileIsRefusedAndLeftByteForByte(string name, byte[] content)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, content);

        var error = Assert.Throws<InvalidDataException>(() => new ResumableResultWriter(path, "image"));

        Assert.Contains(path, error.Message);
        Assert.Equal(content, File.ReadAllBytes(path));
        // Nothing holds the file afterwards: the refusal released the lock.
        File.WriteAllText(path, "");
        using var _ = new ResumableResultWriter(path, "image");
    }

    [Fact]
    public void AnUnrelatedErrorsFileIsRefusedToo()
    {
        var path = Path.Combine(dir, "out.errors.jsonl");
        File.WriteAllText(path, "my own log\nwithout the format");
        Assert.Throws<InvalidDataException>(() => new ErrorLog(path));
        Assert.Equal("my own log\nwithout the format", File.ReadAllText(path));
    }

    [Fact]
    public async Task ACompleteLastRecordWithoutNewlineIsKeptAndATornOneIsCut()
    {
        var path = Path.Combine(dir, "out.jsonl");
        await RunAsync(path, ["a", "b"]);
        File.WriteAllText(path, File.ReadAllText(path) + "{\"image\":\"c\",\"caption\":\"kept\"}");   // complete, no '\n'
        var summary = await RunAsync(path, ["a", "b", "c", "d"]);
        Assert.Equal(new BatchSummary(1, 3, 0, false), summary);
        Assert.Contains("{\"image\":\"c\",\"caption\":\"kept\"}\n", File.ReadAllText(path));

        File.AppendAllText(path, "{\"image\":\"e\",\"capt");   // torn by a crash
        summary = await RunAsync(path, ["a", "b", "c", "d", "e"]);
        Assert.Equal(new BatchSummary(1, 4, 0, false), summary);
        Assert.Equal(5, File.ReadAllLines(path).Length);
    }

    [Fact]
    public void ASecondWriterOnTheSameOutputIsRefusedWhileTheFirstHoldsIt()
    {
        var path = Path.Combine(dir, "shared.jsonl");
        using (var first = new ResumableResultWriter(path, "image"))
        {
            first.Write(new ResultRecord("a", [new("image", "a")]));
            var error = Assert.Throws<OutputLockedException>(() => new ResumableResultWriter(path, "image"));
            Assert.Contains("another run", error.Message);
            Assert.Throws<OutputLockedException>(() => new ErrorLog(path));
        }
        using var afterwards = new ResumableResultWriter(path, "image");
        Assert.Equal(1, afterwards.ExistingRecords);
    }

    [Fact]
    public async Task TwoRunsStartedTogetherWriteEachKeyOnce()
    {
        // The issue's reproduction: two jobs on one --out. One of them gets the file, the other is refused; no line is
        // duplicated or torn.
        var path = Path.Combine(dir, "race.jsonl");
        var keys = Enumerable.Range(0, 200).Select(i => $"k{i:D3}").ToList();
        var gate = new TaskCompletionSource();
        async Task<BatchSummary?> Job()
        {
            await gate.Task;
            try { return await RunAsync(path, keys); }
            catch (OutputLockedException) { return null; }
        }
        var jobs = new[] { Task.Run(Job), Task.Run(Job) };
        gate.SetResult();
        var results = await Task.WhenAll(jobs);

        Assert.Contains(results, r => r is not null);
        var lines = File.ReadAllLines(path);
        Assert.Equal(keys.Count, lines.Length);
        Assert.Equal(keys.Count, lines.Distinct().Count());
    }

    [Fact]
    public void AFolderOrAFifoAsOutputIsAClearError()
    {
        var folder = Directory.CreateDirectory(Path.Combine(dir, "folder.jsonl")).FullName;
        var error = Assert.Throws<IOException>(() => new ResumableResultWriter(folder, "image"));
        Assert.Contains("is a folder", error.Message);

        if (OperatingSystem.IsWindows()) return;
        var fifo = SpecialFiles.MakeFifo(Path.Combine(dir, "pipe.jsonl"));
        error = Assert.Throws<IOException>(() => new ResumableResultWriter(fifo, "image"));
        Assert.Contains("FIFO", error.Message);
    }

    [Theory]
    [InlineData("keys.csv")]
    [InlineData("keys.tsv")]
    [InlineData("keys.jsonl")]
    public async Task KeysWithControlCharactersAreWrittenExactlyAndRecognisedOnRerun(string name)
    {
        var path = Path.Combine(dir, name);
        string[] keys = ["a\nb.png", "a b.png", "tab\there.png", "cr\rhere.png", "back\\slash\\n.png", "quote\"and,comma.png", "plain.png"];
        Assert.Equal(new BatchSummary(keys.Length, 0, 0, false), await RunAsync(path, keys));

        var rerun = await RunAsync(path, keys);

        Assert.Equal(new BatchSummary(0, keys.Length, 0, false), rerun);
        using var reader = new ResumableResultWriter(path, "image");
        Assert.Equal(keys.Length, reader.ExistingRecords);
        foreach (var key in keys) Assert.True(reader.IsDone(key), $"'{key}' not recognised");
    }

    [Fact]
    public void TsvEscapingIsExact()
    {
        foreach (var value in new[] { "", "plain", "a\tb", "a\nb", "\r\n", "\\", "\\t", "\\\\n", "end\\" })
            Assert.Equal(value, TsvEscaping.Unescape(TsvEscaping.Escape(value)));
        Assert.Equal(@"a\tb\nc\\d", TsvEscaping.Escape("a\tb\nc\\d"));
    }
}
