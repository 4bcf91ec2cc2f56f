// The job directory of a cluster job, beside its output on the shared filesystem (OUT.cluster/):
//
//   job.json                  the spec (ClusterJobSpec), written by the planner
//   inputs/000042.jsonl       shard 42's input: image paths and ids (caption) ...
//   inputs/000042.json        ... or a line range of the input file (classify)
//   shards/000042/            shard 42's committed results: results.<jsonl|csv|tsv>, errors.jsonl, summary.json
//   shards/.000042.<attempt>/ an attempt in progress; never read, deleted with the job directory
//
// Exactly-once rests on the commit: an attempt writes its files into its own directory, flushes them to
// disk, and renames the directory to shards/000042. rename(2) of a directory onto an existing non-empty
// one fails, so the first attempt to commit wins and every later attempt of the same shard (a worker
// thought dead, a lease re-assigned) finds the shard committed and discards its own copy. The final
// output is assembled from the committed directories only, one per shard, so no item can appear twice.
using System.Globalization;
using System.Text.Json;
using Pipeline.Batch;

namespace Pipeline.Cluster;

/// <summary>Paths and the atomic shard commit of one job directory.</summary>
public sealed class JobLayout
{
    private const string AttemptPrefix = ".";

    /// <summary>Uses the job directory <paramref name="root"/>.</summary>
    public JobLayout(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The job directory of the job writing <paramref name="outputPath"/>: <c>OUT.cluster</c> beside it.</summary>
    public static string DirectoryFor(string outputPath) => Path.GetFullPath(outputPath) + ".cluster";

    /// <summary>The job directory.</summary>
    public string Root { get; }

    /// <summary>The spec, as JSON.</summary>
    public string SpecPath => Path.Combine(Root, "job.json");

    /// <summary>Folder of the shard inputs.</summary>
    public string InputsDirectory => Path.Combine(Root, "inputs");

    /// <summary>Folder of committed shards and attempts.</summary>
    public string ShardsDirectory => Path.Combine(Root, "shards");

    /// <summary>The input file of <paramref name="shard"/>.</summary>
    public string ShardInput(int shard, ClusterJobKind kind) =>
        Path.Combine(InputsDirectory, Name(shard) + (kind == ClusterJobKind.Caption ? ".jsonl" : ".json"));

    /// <summary>The committed directory of <paramref name="shard"/> (exists once the shard is done).</summary>
    public string CommittedShard(int shard) => Path.Combine(ShardsDirectory, Name(shard));

    /// <summary>The results file inside a shard directory, in the output's format.</summary>
    public static string ResultsFile(string shardDirectory, OutputFormat format) => Path.Combine(shardDirectory, format switch
    {
        OutputFormat.Csv => "results.csv",
        OutputFormat.Tsv => "results.tsv",
        _ => "results.jsonl",
    });

    /// <summary>The errors file inside a shard directory.</summary>
    public static string ErrorsFile(string shardDirectory) => Path.Combine(shardDirectory, "errors.jsonl");

    private static string SummaryFile(string shardDirectory) => Path.Combine(shardDirectory, "summary.json");

    private static string Name(int shard) => shard.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>Creates a fresh, private directory for one attempt at <paramref name="shard"/>.</summary>
    public string CreateAttemptDirectory(int shard)
    {
        var path = Path.Combine(ShardsDirectory, $"{AttemptPrefix}{Name(shard)}.{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>The summary of <paramref name="shard"/> when it is committed, else null.</summary>
    public ShardSummary? ReadCommitted(int shard)
    {
        var file = SummaryFile(CommittedShard(shard));
        if (!File.Exists(file)) return null;
        return JsonSerializer.Deserialize<ShardSummary>(File.ReadAllText(file))
               ?? throw new InvalidDataException($"{file}: empty shard summary.");
    }

    /// <summary>
    /// Commits an attempt: writes its summary, flushes every file to disk and renames the attempt directory to the
    /// shard's committed directory. Returns the summary of the shard as committed — this attempt's, or that of an
    /// earlier attempt that committed first (this attempt's files are then deleted).
    /// </summary>
    public ShardSummary Commit(int shard, string attemptDirectory, ShardSummary summary)
    {
        File.WriteAllText(SummaryFile(attemptDirectory), JsonSerializer.Serialize(summary));
        foreach (var file in Directory.EnumerateFiles(attemptDirectory))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            stream.Flush(flushToDisk: true);
        }
        var committed = CommittedShard(shard);
        try
        {
            Directory.Move(attemptDirectory, committed);
            return summary;
        }
        catch (IOException) when (Directory.Exists(committed))
        {
            // Another attempt committed first: its results stand, ours are a duplicate.
            DeleteQuietly(attemptDirectory);
            return ReadCommitted(shard) ?? throw new InvalidDataException($"{committed}: committed shard without summary.json.");
        }
    }

    /// <summary>Deletes <paramref name="directory"/> and its contents, ignoring a directory already gone.</summary>
    public static void DeleteQuietly(string directory)
    {
        try { Directory.Delete(directory, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}
