// The errors file of a batch job: one JSON line per failed item (key, stage, message), flushed at once,
// so every item that did not make it into the output is accounted for somewhere.
// A rerun retries every item that is not in the output, failures included, so the entries of earlier runs
// are either stale (the item has now succeeded) or about to be repeated. While a run is under way the file
// keeps them (an interrupted rerun must not lose the only record of a failure it never reached); once a
// run has gone through the whole input, DiscardEarlierRuns drops them, leaving each failed item listed
// exactly once — so output + errors account for every input item exactly once. Like the results file, the
// errors file is opened through OutputFileGuard (locked; recognised before a torn line is cut).
using System.Text;
using System.Text.Json;
using Pipeline.Preprocessing.Files;

namespace Pipeline.Batch;

/// <summary>Append-only JSON-lines log of failed items.</summary>
/// <remarks>Opened through <see cref="OutputFileGuard"/>: locked for its lifetime, and an existing file is used only when it is an errors file.</remarks>
public sealed class ErrorLog : IDisposable
{
    private readonly OutputFileGuard guard;
    private StreamWriter writer;
    private long earlierRunsLength;
    private readonly Lock gate = new();

    /// <summary>The file failures are appended to.</summary>
    public string Path { get; }

    /// <summary>Opens <paramref name="path"/> for appending (a torn last line left by a crash is cut first, once the file is known to be an errors file).</summary>
    /// <exception cref="InvalidDataException">The file exists and is not an errors file (left untouched).</exception>
    /// <exception cref="OutputLockedException">Another run holds the file.</exception>
    public ErrorLog(string path)
    {
        Path = path;
        guard = OutputFileGuard.Open(path, "errors file", Scan);
        earlierRunsLength = guard.Stream.Length;
        writer = NewWriter();
    }

    private StreamWriter NewWriter() => new(guard.Stream, new UTF8Encoding(false), bufferSize: 4096, leaveOpen: true);

    // Every complete line must be a JSON object with a "key" (what Write produces); a torn last line is cut.
    private ExistingContent Scan(IEnumerable<RawLine> lines)
    {
        long valid = 0;
        foreach (var line in lines)
        {
            if (!line.Terminated) break;
            string? text = line.TooLong ? null : OutputFileGuard.DecodeStrict(line.Bytes.Span);
            if (text is { Length: 0 }) { valid = line.End; continue; }
            if (text is null || !IsEntry(text))
            {
                string problem = valid == 0
                    ? "is not an entry of an errors file, so this is not an errors file of a batch job; it was left untouched. Move it away or choose another output file"
                    : "is not an errors-file entry; the errors file is damaged — fix or move it before resuming";
                throw new InvalidDataException($"{Path}:{line.Number}: line {line.Number} {problem}.");
            }
            valid = line.End;
        }
        return new ExistingContent(valid);
    }

    private static bool IsEntry(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("key", out _);
        }
        catch (JsonException) { return false; }
    }

    /// <summary>The conventional errors file beside an output file: <c>out.jsonl</c> → <c>out.errors.jsonl</c>.</summary>
    public static string PathFor(string outputPath) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(outputPath) ?? "", System.IO.Path.GetFileNameWithoutExtension(outputPath) + ".errors.jsonl");

    /// <summary>Records one failure.</summary>
    public void Write(string key, string stage, string message)
    {
        var line = JsonSerializer.Serialize(new Dictionary<string, string> { ["key"] = key, ["stage"] = stage, ["error"] = message, ["time"] = DateTimeOffset.UtcNow.ToString("O") }, ResultRecordText.JsonValues);
        lock (gate) { writer.Write(line); writer.Write('\n'); writer.Flush(); }
    }

    /// <summary>
    /// Removes the entries that were in the file before this log was opened, keeping this run's. Call it when the run
    /// has offered every input item (every earlier failure has then been retried and, if it failed again, re-logged).
    /// </summary>
    /// <remarks>Crash-safe: this run's entries are copied to a temporary file that then replaces the log (still under the lock).</remarks>
    public void DiscardEarlierRuns()
    {
        lock (gate)
        {
            if (earlierRunsLength == 0) return;
            writer.Flush();
            writer.Dispose();
            long from = earlierRunsLength;
            guard.Replace(copy =>
            {
                guard.Stream.Seek(from, SeekOrigin.Begin);
                guard.Stream.CopyTo(copy);
            });
            writer = NewWriter();
            earlierRunsLength = 0;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (gate)
        {
            writer.Dispose();
            guard.Dispose();
        }
    }
}
