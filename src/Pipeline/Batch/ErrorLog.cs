// The errors file of a batch job: one JSON line per failed item (key, stage, message), flushed at once,
// so every item that did not make it into the output is accounted for somewhere.
using System.Text;
using System.Text.Json;

namespace Pipeline.Batch;

/// <summary>Append-only JSON-lines log of failed items.</summary>
public sealed class ErrorLog : IDisposable
{
    private readonly StreamWriter writer;
    private readonly Lock gate = new();

    /// <summary>The file failures are appended to.</summary>
    public string Path { get; }

    /// <summary>Opens <paramref name="path"/> for appending.</summary>
    public ErrorLog(string path)
    {
        Path = path;
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
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

    /// <inheritdoc />
    public void Dispose() { lock (gate) writer.Dispose(); }
}
