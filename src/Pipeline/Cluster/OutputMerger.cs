// The last step of a job: the committed shards, concatenated in shard order, become the output file and
// the errors file the single-machine command would have written. Shards are contiguous runs of the input
// in input order and each shard's records are in input order (BatchRunner writes in order), so the
// result has the single-machine record order. CSV/TSV shards each start with the header row: it is kept
// once. Both files are built under temporary names beside their targets and renamed into place, so a
// merge that dies half-way leaves no partial output, and a merge run twice writes the same files. Then
// the job directory goes (shards, plan, and attempts left by killed workers): the output is the product.
using Pipeline.Batch;

namespace Pipeline.Cluster;

/// <summary>Assembles a job's output from its committed shards.</summary>
public static class OutputMerger
{
    /// <summary>
    /// Writes <see cref="ClusterJobSpec.OutputPath"/> and <see cref="ClusterJobSpec.ErrorsPath"/> from the committed shards,
    /// then deletes the job directory. A job directory already gone beside an existing output means an earlier merge got
    /// that far (and its worker died before reporting): there is nothing left to do.
    /// </summary>
    /// <exception cref="InvalidDataException">A shard is not committed, or shards disagree on the CSV/TSV header.</exception>
    public static void Merge(ClusterJobSpec spec, JobLayout layout)
    {
        if (!Directory.Exists(layout.Root) && File.Exists(spec.OutputPath) && File.Exists(spec.ErrorsPath)) return;
        var format = OutputFormats.FromPath(spec.OutputPath);
        string suffix = ".merging-" + Guid.NewGuid().ToString("N")[..8];
        string output = spec.OutputPath + suffix, errors = spec.ErrorsPath + suffix;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(spec.OutputPath)!);
            Concatenate(output, Enumerable.Range(0, spec.ShardCount).Select(s => JobLayout.ResultsFile(Committed(layout, s), format)),
                hasHeader: format != OutputFormat.JsonLines);
            Concatenate(errors, Enumerable.Range(0, spec.ShardCount).Select(s => JobLayout.ErrorsFile(Committed(layout, s))), hasHeader: false);
            File.Move(errors, spec.ErrorsPath, overwrite: true);
            File.Move(output, spec.OutputPath, overwrite: true);
        }
        finally
        {
            File.Delete(output);
            File.Delete(errors);
        }
        JobLayout.DeleteQuietly(layout.Root);
    }

    private static string Committed(JobLayout layout, int shard)
    {
        var directory = layout.CommittedShard(shard);
        return Directory.Exists(directory) ? directory
            : throw new InvalidDataException($"{directory}: shard {shard} is not committed, so the output cannot be assembled.");
    }

    private static void Concatenate(string target, IEnumerable<string> parts, bool hasHeader)
    {
        using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        byte[]? header = null;
        foreach (var part in parts)
        {
            using var input = new BufferedStream(new FileStream(part, FileMode.Open, FileAccess.Read, FileShare.Read, 1), 1 << 16);
            if (hasHeader)
            {
                var line = ReadLine(input);
                if (line.Length == 0) continue;   // a shard without records has no header either
                if (header is null) { header = line; output.Write(line); }
                else if (!line.AsSpan().SequenceEqual(header))
                    throw new InvalidDataException($"{part}: the header differs from the first shard's; shards of one job must share their columns.");
            }
            input.CopyTo(output);
        }
        output.Flush(flushToDisk: true);
    }

    // The first line including its '\n' (empty for an empty stream).
    private static byte[] ReadLine(Stream input)
    {
        var line = new MemoryStream();
        int b;
        while ((b = input.ReadByte()) >= 0)
        {
            line.WriteByte((byte)b);
            if (b == '\n') break;
        }
        return line.ToArray();
    }
}
