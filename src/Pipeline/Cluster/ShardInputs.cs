// The on-disk form of one shard's input, written by the planner and read by the worker that runs the shard:
// a caption shard lists its images (path and display id, in input order) as JSON lines; a classify shard is
// a range of whole lines of the input file (byte offset, first line number, line count), so a worker seeks
// straight to it and line numbers — the key classify resumes and orders by — stay those of the whole file.
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Classification;

using Pipeline.Preprocessing.Files;

namespace Pipeline.Cluster;

/// <summary>Writes and reads shard input files.</summary>
public static class ShardInputs
{
    private sealed record CaptionItem([property: JsonPropertyName("path")] string Path, [property: JsonPropertyName("id")] string Id);

    private sealed record LineRange(
        [property: JsonPropertyName("offset")] long Offset,
        [property: JsonPropertyName("first_line")] int FirstLine,
        [property: JsonPropertyName("count")] int Count);

    /// <summary>Writes the images of a caption shard.</summary>
    public static void WriteCaptionItems(string path, IEnumerable<(string Path, string Id)> items)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        foreach (var (file, id) in items)
        {
            writer.Write(JsonSerializer.Serialize(new CaptionItem(file, id)));
            writer.Write('\n');
        }
    }

    /// <summary>Reads the images of a caption shard, in order.</summary>
    public static IReadOnlyList<(string Path, string Id)> ReadCaptionItems(string path)
    {
        var items = new List<(string, string)>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            var item = JsonSerializer.Deserialize<CaptionItem>(line)
                       ?? throw new InvalidDataException($"{path}:{lineNumber}: expected a {{\"path\", \"id\"}} object.");
            items.Add((item.Path, item.Id));
        }
        return items;
    }

    /// <summary>Writes the line range of a classify shard.</summary>
    public static void WriteClassifyRange(string path, ClassifyInputRange range) =>
        File.WriteAllText(path, JsonSerializer.Serialize(new LineRange(range.Offset, range.FirstLine, range.Count)));

    /// <summary>Reads the line range of a classify shard.</summary>
    public static ClassifyInputRange ReadClassifyRange(string path)
    {
        var range = JsonSerializer.Deserialize<LineRange>(File.ReadAllText(path))
                    ?? throw new InvalidDataException($"{path}: expected a line range.");
        return new ClassifyInputRange(range.Offset, range.FirstLine, range.Count);
    }

    /// <summary>
    /// Cuts <paramref name="inputPath"/> into ranges of <paramref name="linesPerShard"/> lines (the last may be shorter),
    /// counting lines exactly as <see cref="ClassifyInputReader"/> does: a non-empty tail without a final newline is a line.
    /// One sequential pass over the file; only the current 1 MiB block is held.
    /// </summary>
    public static IEnumerable<ClassifyInputRange> SplitLines(string inputPath, int linesPerShard)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(linesPerShard, 1);
        // The same bounded, gzip-aware reader as ClassifyInputReader, so both count the same lines (offsets of gzip
        // content are positions in the decompressed text; the reader skips to a range by line number there).
        using var stream = BoundedFile.OpenRead(inputPath, BoundedFile.DefaultMaxTextBytes, "input", decompressGzip: true);
        long shardOffset = 0;
        int shardFirstLine = 1, linesInShard = 0;
        foreach (var line in BoundedLineReader.ReadLines(stream))
        {
            if (linesInShard == 0) { shardOffset = line.Offset; shardFirstLine = line.Number; }
            if (++linesInShard == linesPerShard)
            {
                yield return new ClassifyInputRange(shardOffset, shardFirstLine, linesInShard);
                linesInShard = 0;
            }
        }
        if (linesInShard > 0) yield return new ClassifyInputRange(shardOffset, shardFirstLine, linesInShard);
    }
}
