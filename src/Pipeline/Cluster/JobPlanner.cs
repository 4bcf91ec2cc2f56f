// Cuts a job's input into shards and writes the plan (job.json + one input file per shard) into the job
// directory beside the output. Caption inputs are expanded exactly as `pipeline caption` expands them
// (CaptionBatchJob.ExpandInputs: files as given, folders sorted), and a path listed twice is kept once, at
// its first place — the single-machine command skips such duplicates too — so that shards concatenated in
// order give the single-machine output order. Classify inputs are cut into ranges of whole lines.
//
// The plan is written to a temporary directory that is then renamed into place, so a planner that dies
// leaves either no plan or a complete one. An existing plan for the same work is reused (its shards may
// already be committed); a plan for different work is an error rather than something to overwrite.
using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Captioning;

namespace Pipeline.Cluster;

/// <summary>Plans cluster jobs.</summary>
public static class JobPlanner
{
    /// <summary>Images per caption shard by default: tens of seconds of work on one core of this machine's default model.</summary>
    public const int DefaultCaptionShardSize = 256;

    /// <summary>Lines per classify shard by default: ≈ 10 s at the ≈ 2,000 docs/s of a TextCNN on two cores.</summary>
    public const int DefaultClassifyShardSize = 20_000;

    private static readonly JsonSerializerOptions SpecJson = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    /// <summary>The unplanned spec of a job (no shards yet), with every path made full: what <see cref="Plan"/> takes.</summary>
    public static ClusterJobSpec Request(string outputPath, string modelDirectory, CaptionJobSettings settings)
    {
        if (settings.Inputs.Count == 0) throw new ArgumentException("At least one input file or folder is required.", nameof(settings));
        return Template(ClusterJobKind.Caption, outputPath, modelDirectory) with { Caption = settings with { Inputs = settings.Inputs.Select(Path.GetFullPath).ToArray() } };
    }

    /// <inheritdoc cref="Request(string, string, CaptionJobSettings)"/>
    public static ClusterJobSpec Request(string outputPath, string modelDirectory, ClassifyJobSettings settings) =>
        Template(ClusterJobKind.Classify, outputPath, modelDirectory) with { Classify = settings with { InputPath = Path.GetFullPath(settings.InputPath) } };

    /// <summary>
    /// Cuts <paramref name="request"/>'s input into shards of <paramref name="shardSize"/> items (images or lines) and writes
    /// the plan, or returns the existing plan in the job directory when it is for the same work.
    /// </summary>
    /// <exception cref="FileNotFoundException">A classify input file does not exist.</exception>
    /// <exception cref="InvalidOperationException">The job directory holds the plan of a different job.</exception>
    public static ClusterJobSpec Plan(ClusterJobSpec request, int shardSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardSize, 1);
        return request.Kind switch
        {
            ClusterJobKind.Caption => WritePlan(request, layout => PlanCaption(request, layout, shardSize)),
            ClusterJobKind.Classify => File.Exists(request.Classify!.InputPath)
                ? WritePlan(request, layout => PlanClassify(request, layout, shardSize))
                : throw new FileNotFoundException($"input file not found: {request.Classify.InputPath}", request.Classify.InputPath),
            _ => throw new ArgumentException($"unknown job kind {request.Kind}", nameof(request)),
        };
    }

    private static ClusterJobSpec PlanCaption(ClusterJobSpec request, JobLayout layout, int shardSize)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var items = new List<(string Path, string Id)>();
        int duplicates = 0;
        foreach (var item in CaptionBatchJob.ExpandInputs(request.Caption!.Inputs, request.Caption.Recursive))
        {
            if (seen.Add(item.Path)) items.Add(item);
            else duplicates++;
        }
        int shards = 0;
        for (int start = 0; start < items.Count; start += shardSize, shards++)
            ShardInputs.WriteCaptionItems(layout.ShardInput(shards, ClusterJobKind.Caption), items.Skip(start).Take(shardSize));
        return request with { ShardCount = shards, ItemCount = items.Count, DuplicateInputs = duplicates };
    }

    private static ClusterJobSpec PlanClassify(ClusterJobSpec request, JobLayout layout, int shardSize)
    {
        int shards = 0;
        long lines = 0;
        foreach (var range in ShardInputs.SplitLines(request.Classify!.InputPath, shardSize))
        {
            ShardInputs.WriteClassifyRange(layout.ShardInput(shards++, ClusterJobKind.Classify), range);
            lines += range.Count;
        }
        return request with { ShardCount = shards, ItemCount = lines };
    }

    /// <summary>Reads the spec of an existing plan, or null when <paramref name="jobDirectory"/> has none.</summary>
    public static ClusterJobSpec? ReadPlan(string jobDirectory)
    {
        var layout = new JobLayout(jobDirectory);
        if (!File.Exists(layout.SpecPath)) return null;
        return JsonSerializer.Deserialize<ClusterJobSpec>(File.ReadAllText(layout.SpecPath), SpecJson)
               ?? throw new InvalidDataException($"{layout.SpecPath}: empty job spec.");
    }

    private static ClusterJobSpec Template(ClusterJobKind kind, string outputPath, string modelDirectory)
    {
        var output = Path.GetFullPath(outputPath);
        return new ClusterJobSpec(kind, output, Path.GetFullPath(modelDirectory), JobLayout.DirectoryFor(output), 0, 0, 0, null, null);
    }

    private static ClusterJobSpec WritePlan(ClusterJobSpec template, Func<JobLayout, ClusterJobSpec> writeShards)
    {
        if (ReadPlan(template.JobDirectory) is { } existing)
        {
            if (!existing.SameWork(template))
                throw new InvalidOperationException(
                    $"{template.JobDirectory} holds the plan of a different job (model {existing.ModelDirectory}, {existing.Kind}); " +
                    "finish or cancel that job, or delete the folder, or choose another --out.");
            return existing;
        }
        var temporary = new JobLayout(template.JobDirectory + ".planning-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Directory.CreateDirectory(temporary.InputsDirectory);
            Directory.CreateDirectory(temporary.ShardsDirectory);
            var spec = writeShards(temporary).Validate();
            File.WriteAllText(temporary.SpecPath, JsonSerializer.Serialize(spec, SpecJson));
            try { Directory.Move(temporary.Root, template.JobDirectory); }
            catch (IOException) when (ReadPlan(template.JobDirectory) is { } raced && raced.SameWork(template))
            {
                return raced;   // another client planned the same job at the same time: one plan, theirs
            }
            return spec;
        }
        finally
        {
            if (Directory.Exists(temporary.Root)) JobLayout.DeleteQuietly(temporary.Root);
        }
    }
}
