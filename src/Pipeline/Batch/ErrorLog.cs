// The errors file of a batch job: one JSON line per failed item (key, stage, message), flushed at once,
// so every item that did not make it into the output is accounted for somewhere.
// A rerun retries every item that is not in the output, failures included, so the entries of earlier runs
// are either stale (the item has now succeeded) or about to be repeated. While a run is under way the file
// keeps them (an interrupted rerun must not lose the only record of a failure it never reached); once a
// run has gone through the whole input, DiscardEarlierRuns drops them, leaving each failed item listed
// exactly once — so output + errors account for every input item exactly once.
using System.Text;
using System.Text.Json;

namespace Pipeline.Batch;

/// <summary>Append-only JSON-lines log of failed items.</summary>
public sealed class ErrorLog : IDisposable
{
    private FileStream stream;
    private StreamWriter writer;
    private long earlierRunsLength;
    private readonly Lock gate = new();

    /// <summary>The file failures are appended to.</summary>
    public string Path { get; }

    /// <summary>Opens <paramref name="path"/> for appending (a torn last line left by a crash is cut first).</summary>
    public ErrorLog(string path)
    {
        Path = path;
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        (stream, writer) = Open(path);
        TornLine.Cut(stream);
        earlierRunsLength = stream.Length;
        stream.Seek(0, SeekOrigin.End);
    }

    private static (FileStream, StreamWriter) Open(string path)
    {
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        stream.Seek(0, SeekOrigin.End);
        return (stream, new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 4096, leaveOpen: true));
    }

    /// <summary>The conventional errors file beside an output file: <c>out.jsonl</c> → <c>out.errors.jsonl</c>.</summary>
    public static string PathFor(string outputPath) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(outputPath) ?? "", System.IO.Path.GetFileNameWithoutExtension(outputPath) + ".errors.jsonl");

    /// <summary>Records one failure.</summary>
    public void Write(string key, string stage, string message)
    {
        var line = JsonSerializer.Serialize(new Dictionary<string, string> { ["key"] = key, ["stage"] = stage, ["error"] = message, ["time"] = DateTimeOffset.UtcNow.ToString("O") });
        lock (gate) { writer.WriteLine(line); writer.Flush(); }
    }

    /// <summary>
    /// Removes the entries that were in the file before this log was opened, keeping this run's. Call it when the run
    /// has offered every input item (every earlier failure has then been retried and, if it failed again, re-logged).
    /// </summary>
    /// <remarks>Crash-safe: this run's entries are copied to a temporary file that then replaces the log.</remarks>
    public void DiscardEarlierRuns()
    {
        lock (gate)
        {
            if (earlierRunsLength == 0) return;
            writer.Flush();
            string temporary = Path + ".tmp";
            using (var copy = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Seek(earlierRunsLength, SeekOrigin.Begin);
                stream.CopyTo(copy);
                copy.Flush(flushToDisk: true);
            }
            writer.Dispose();
            stream.Dispose();
            File.Move(temporary, Path, overwrite: true);
            (stream, writer) = Open(Path);
            earlierRunsLength = 0;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (gate)
        {
            writer.Dispose();
            stream.Dispose();
        }
    }
}
