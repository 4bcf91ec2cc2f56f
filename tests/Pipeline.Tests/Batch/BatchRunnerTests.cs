// The batch runner's promises: every key ends up either in the output or in the errors file, a rerun
// skips finished keys, a cancelled run loses nothing that was written, and transient I/O is retried.
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
        Assert.Equal(2, summary.ExitCode);
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
}
