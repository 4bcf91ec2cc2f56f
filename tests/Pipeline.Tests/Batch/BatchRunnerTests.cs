// The batch runner's promises: every key ends up either in the output or in the errors file, a rerun
// skips finished keys (and leaves each failure listed once), a cancelled run loses nothing that was
// written, transient I/O is retried, and the runner keeps no per-key state of its own.
using Pipeline.Batch;

namespace Pipeline.Tests.Batch;

public sealed class BatchRunnerTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("batch-tests").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static IReadOnlyList<ResultRecord> Upper(IReadOnlyList<(string Key, string Item)> batch, CancellationToken _) =>
        batch.Select(b => new ResultRecord(b.Key, [new("id", b.Key), new("value", b.Item.ToUpperInvariant())])).ToList();

    private static ValueTask<string> Read(string key, CancellationToken _) =>
        key.StartsWith("bad") ? throw new InvalidDataException($"{key}: not a valid item") : ValueTask.FromResult("v-" + key);

    [Theory]
    [InlineData("out.jsonl")]
    [InlineData("out.csv")]
    [InlineData("out.tsv")]
    public async Task EveryKeyIsWrittenOrReported(string name)
    {
        var keys = Enumerable.Range(0, 50).Select(i => i % 7 == 3 ? $"bad{i}" : $"k{i}").ToList();
        var path = Path.Combine(dir, name);
        BatchSummary summary;
        using (var output = new ResumableResultWriter(path, "id"))
        using (var errors = new ErrorLog(ErrorLog.PathFor(path)))
            summary = await new BatchRunner<string>(new BatchOptions(BatchSize: 4, PrepareWorkers: 3)).RunAsync(keys, Read, Upper, output, errors);

        int bad = keys.Count(k => k.StartsWith("bad"));
        Assert.Equal(new BatchSummary(keys.Count - bad, 0, bad, false), summary);
        Assert.Equal(1, summary.ExitCode);
        var lines = File.ReadAllLines(path);
        Assert.Equal(keys.Count - bad + (name.EndsWith("jsonl") ? 0 : 1), lines.Length);
        var errorLines = File.ReadAllLines(ErrorLog.PathFor(path));
        Assert.Equal(bad, errorLines.Length);
        Assert.Contains("bad3: not a valid item", errorLines[0]);
        // Output follows input order.
        var goodKeys = keys.Where(k => !k.StartsWith("bad")).ToList();
        Assert.Contains(goodKeys[0], lines[name.EndsWith("jsonl") ? 0 : 1]);
        Assert.Contains(goodKeys[^1], lines[^1]);
    }

    [Fact]
    public async Task RerunSkipsFinishedItemsAndRepairsATornLine()
    {
        var path = Path.Combine(dir, "out.jsonl");
        var keys = Enumerable.Range(0, 20).Select(i => $"k{i}").ToList();
        using (var output = new ResumableResultWriter(path, "id"))
        using (var errors = new ErrorLog(ErrorLog.PathFor(path)))
            await new BatchRunner<string>(new BatchOptions(BatchSize: 3)).RunAsync(keys.Take(8), Read, Upper, output, errors);
        File.AppendAllText(path, "{\"id\":\"k8\",\"val");   // a crash in the middle of a write

        int computed = 0;
        IReadOnlyList<ResultRecord> Counting(IReadOnlyList<(string Key, string Item)> b, CancellationToken t) { computed += b.Count; return Upper(b, t); }
        BatchSummary summary;
        using (var output = new ResumableResultWriter(path, "id"))
        using (var errors = new ErrorLog(ErrorLog.PathFor(path)))
            summary = await new BatchRunner<string>(new BatchOptions(BatchSize: 3)).RunAsync(keys, Read, Counting, output, errors);

        Assert.Equal(new BatchSummary(12, 8, 0, false), summary);
        Assert.Equal(12, computed);
        var ids = File.ReadAllLines(path).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()!).ToList();
        Assert.Equal(keys, ids);
    }

    [Fact]
    public async Task CancellationKeepsWhatWasWrittenAndResumeCompletesExactlyOnce()
    {
        var path = Path.Combine(dir, "out.csv");
        var keys = Enumerable.Range(0, 40).Select(i => $"k{i}").ToList();
        using var cts = new CancellationTokenSource();
        int batches = 0;
        IReadOnlyList<ResultRecord> CancelAfterTwo(IReadOnlyList<(string Key, string Item)> b, CancellationToken t)
        {
            if (++batches == 3) cts.Cancel();
            return Upper(b, t);
        }
        BatchSummary first;
        using (var output = new ResumableResultWriter(path, "id"))
        using (var errors = new ErrorLog(ErrorLog.PathFor(path)))
            first = await new BatchRunner<string>(new BatchOptions(BatchSize: 5)).RunAsync(keys, Read, CancelAfterTwo, output, errors, cancellationToken: cts.Token);
        Assert.True(first.Cancelled);
        Assert.InRange(first.Completed, 10, 15);

        using (var output = new ResumableResultWriter(path, "id"))
        using (var errors = new ErrorLog(ErrorLog.PathFor(path)))
            await new BatchRunner<string>(new BatchOptions(BatchSize: 5)).RunAsync(keys, Read, Upper, output, errors);
        var ids = File.ReadAllLines(path).Skip(1).Select(l => l.Split(',')[0]).ToList();
        Assert.Equal(keys.OrderBy(k => k), ids.OrderBy(k => k));   // each exactly once
    }

    [Fact]
    public async Task TransientFailuresAreRetriedAndFailPolicyStops()
    {
        var path = Path.Combine(dir, "out.jsonl");
        var attempts = new Dictionary<string, int>();
        ValueTask<string> Flaky(string key, CancellationToken _)
        {
            lock (attempts) attempts[key] = attempts.GetValueOrDefault(key) + 1;
            if (key == "flaky" && attempts[key] < 3) throw new IOException("device busy");
            return Read(key, default);
        }
        using (var output = new ResumableResultWriter(path, "id"))
        using (var errors = new ErrorLog(ErrorLog.PathFor(path)))
        {
            var summary = await new BatchRunner<string>(new BatchOptions(BatchSize: 2, Retries: 3)).RunAsync(["a", "flaky", "b"], Flaky, Upper, output, errors);
            Assert.Equal(new BatchSummary(3, 0, 0, false), summary);
            Assert.Equal(3, attempts["flaky"]);
        }
        var failPath = Path.Combine(dir, "fail.jsonl");
        using (var output = new ResumableResultWriter(failPath, "id"))
        using (var errors = new ErrorLog(ErrorLog.PathFor(failPath)))
        {
            var keys = new[] { "a", "bad1" }.Concat(Enumerable.Range(0, 100).Select(i => $"k{i}"));
            var summary = await new BatchRunner<string>(new BatchOptions(BatchSize: 1, PrepareWorkers: 1, MaxInFlight: 2, OnError: BatchErrorPolicy.Fail)).RunAsync(keys, Read, Upper, output, errors);
            Assert.Equal(1, summary.Failed);
            Assert.True(summary.Cancelled);
            Assert.True(summary.Completed < 100);
        }
    }

    [Fact]
    public async Task ABatchThatThrowsIsRetriedItemByItem()
    {
        var path = Path.Combine(dir, "out.jsonl");
        IReadOnlyList<ResultRecord> Picky(IReadOnlyList<(string Key, string Item)> b, CancellationToken t) =>
            b.Any(x => x.Key == "poison") ? throw new InvalidOperationException("model rejected poison") : Upper(b, t);
        using var output = new ResumableResultWriter(path, "id");
        using var errors = new ErrorLog(ErrorLog.PathFor(path));
        var summary = await new BatchRunner<string>(new BatchOptions(BatchSize: 4)).RunAsync(["a", "b", "poison", "c", "d"], Read, Picky, output, errors);
        Assert.Equal(new BatchSummary(4, 0, 1, false), summary);
    }

    private static List<string> ErrorKeys(string outputPath) =>
        File.ReadAllLines(ErrorLog.PathFor(outputPath)).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("key").GetString()!).ToList();

    [Fact]
    public async Task ARerunRetriesFailuresAndLeavesEachListedOnce()
    {
        var path = Path.Combine(dir, "retry.jsonl");
        var keys = new[] { "k0", "bad1", "k2", "bad3", "k4", "bad5" };
        var healed = new HashSet<string>();
        ValueTask<string> Healing(string key, CancellationToken t) => healed.Contains(key) ? ValueTask.FromResult("v-" + key) : Read(key, t);
        async Task<BatchSummary> Run(CancellationToken token = default)
        {
            using var output = new ResumableResultWriter(path, "id");
            using var errors = new ErrorLog(ErrorLog.PathFor(path));
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(token);
            return await new BatchRunner<string>(new BatchOptions(BatchSize: 1, PrepareWorkers: 1, MaxInFlight: 1)).RunAsync(keys, Healing, Upper, output, errors, cancellationToken: cancel.Token);
        }

        Assert.Equal(new BatchSummary(3, 0, 3, false), await Run());
        Assert.Equal(["bad1", "bad3", "bad5"], ErrorKeys(path));

        // An interrupted rerun keeps the earlier entries: nothing that is missing from the output goes unreported.
        using (var cancelled = new CancellationTokenSource())
        {
            cancelled.Cancel();
            Assert.True((await Run(cancelled.Token)).Cancelled);
        }
        Assert.Equal(["bad1", "bad3", "bad5"], ErrorKeys(path));

        // A complete rerun retries every failure; the entries of earlier runs are replaced by this run's.
        healed.Add("bad3");
        Assert.Equal(new BatchSummary(1, 3, 2, false), await Run());
        Assert.Equal(["bad1", "bad5"], ErrorKeys(path));
        var written = File.ReadAllLines(path).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()!).ToList();
        Assert.Equal(["k0", "k2", "k4", "bad3"], written);
    }

    // Claims every key: with it, duplicates reach prepare, which shows the runner has no duplicate check (no key set) of its own.
    private sealed class ClaimEverything(string keyColumn) : ICompletionIndex
    {
        public string KeyColumn => keyColumn;
        public int Claims { get; private set; }
        public void AddExisting(string? key, string location) { }
        public bool IsDone(string key) => false;
        public bool TryClaim(string key) { Claims++; return true; }
        public void MarkDone(string key) { }
    }

    [Fact]
    public async Task DuplicateDetectionIsTheIndexsNotTheRunners()
    {
        string[] keys = ["a", "b", "a", "c", "b"];
        var index = new ClaimEverything("id");
        var everything = Path.Combine(dir, "everything.jsonl");
        using (var output = new ResumableResultWriter(everything, index))
        using (var errors = new ErrorLog(ErrorLog.PathFor(everything)))
            Assert.Equal(new BatchSummary(5, 0, 0, false), await new BatchRunner<string>(new BatchOptions(BatchSize: 2)).RunAsync(keys, Read, Upper, output, errors));
        Assert.Equal(5, index.Claims);

        var deduplicated = Path.Combine(dir, "keyset.jsonl");
        using (var output = new ResumableResultWriter(deduplicated, "id"))
        using (var errors = new ErrorLog(ErrorLog.PathFor(deduplicated)))
            Assert.Equal(new BatchSummary(3, 2, 0, false), await new BatchRunner<string>(new BatchOptions(BatchSize: 2)).RunAsync(keys, Read, Upper, output, errors));
    }

    [Theory]
    [InlineData("ordinal.csv")]
    [InlineData("ordinal.tsv")]
    [InlineData("ordinal.jsonl")]
    public async Task OrdinalKeyedOutputResumesByTheKeyColumnWhereverItIs(string name)
    {
        // Sources carry their own payload; the key (a position) is the last column, after values with commas and quotes.
        var sources = Enumerable.Range(1, 30).Select(i => (Position: i, Text: $"item {i}, \"quoted\"")).ToList();
        var path = Path.Combine(dir, name);
        IReadOnlyList<ResultRecord> Records(IReadOnlyList<(string Key, string Item)> batch, CancellationToken _) =>
            batch.Select(b => new ResultRecord(b.Key, [new("id", "user"), new("value", b.Item), new("position", int.Parse(b.Key))])).ToList();
        Task<BatchSummary> Run(IEnumerable<(int Position, string Text)> items, ResumableResultWriter output, ErrorLog errors) =>
            new BatchRunner<string>(new BatchOptions(BatchSize: 4)).RunAsync(items, s => s.Position.ToString(), (s, _) => ValueTask.FromResult(s.Text), Records, output, errors);

        using (var output = new ResumableResultWriter(path, new OrdinalCompletionIndex("position")))
        using (var errors = new ErrorLog(ErrorLog.PathFor(path)))
            await Run(sources.Take(11), output, errors);
        File.AppendAllText(path, name.EndsWith("jsonl") ? "{\"id\":\"us" : "user,\"item 12");   // killed mid-write

        var index = new OrdinalCompletionIndex("position");
        BatchSummary summary;
        using (var output = new ResumableResultWriter(path, index))
        using (var errors = new ErrorLog(ErrorLog.PathFor(path)))
        {
            Assert.Equal(11, output.ExistingRecords);
            summary = await Run(sources, output, errors);
        }
        Assert.Equal(new BatchSummary(19, 11, 0, false), summary);
        Assert.Equal(30, index.Count);
        var lines = File.ReadAllLines(path);
        Assert.Equal(30 + (name.EndsWith("jsonl") ? 0 : 1), lines.Length);
        if (name.EndsWith("csv")) Assert.Equal("user,\"item 30, \"\"quoted\"\"\",30", lines[^1]);
    }

    [Fact]
    public void AHeaderWithoutTheKeyColumnIsAClearError()
    {
        var path = Path.Combine(dir, "old.tsv");
        File.WriteAllLines(path, ["id\ttext\tlabel", "a7\tsome text\tpos"]);
        var error = Assert.Throws<InvalidDataException>(() => new ResumableResultWriter(path, new OrdinalCompletionIndex("line")));
        Assert.StartsWith($"{path}:1: the existing header has no 'line' column (found: id, text, label)", error.Message);
    }
}
