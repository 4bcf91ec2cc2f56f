// Options of the `compare` command, parsed from the command line into one immutable record.
using System.Globalization;
using Pipeline.Bench.Workloads;

namespace Pipeline.Bench.Runner;

/// <summary>Settings of one side-by-side comparison run.</summary>
internal sealed record CompareOptions
{
    public IReadOnlyList<string> Configs { get; init; } = WorkloadCatalog.All.ToArray();
    public int Threads { get; init; } = 2;
    /// <summary>Timed steps per side per round; 0 = a per-config default (see <see cref="ItersFor"/>).</summary>
    public int Iters { get; init; }
    public int Rounds { get; init; } = 8;
    public int Warmup { get; init; } = 2;
    /// <summary>"tuned", "default" or "both".</summary>
    public string ReferenceEnv { get; init; } = "tuned";
    public string? OutMarkdown { get; init; }
    public string? JsonPath { get; init; }
    public bool Scaling { get; init; }
    public bool Memory { get; init; } = true;
    /// <summary>Steps over which allocations are counted for training configs (inference uses at most 20).</summary>
    public int AllocSteps { get; init; } = 100;
    public string RepoRoot { get; init; } = FindRepoRoot();
    /// <summary>Free text describing the machine load, copied into the report.</summary>
    public string? LoadNote { get; init; }
    /// <summary>JSON-lines files of earlier runs of the same code (--json of previous `compare` runs): the report shows their ratios beside this run's and judges the bars on the median of all.</summary>
    public IReadOnlyList<string> Previous { get; init; } = [];
    /// <summary>A captioner model directory for the end-to-end `pipeline caption` comparison (caption-e2e), or null to skip it.</summary>
    public string? CaptionModel { get; init; }
    /// <summary>The photo folder of the end-to-end comparison.</summary>
    public string? CaptionPhotos { get; init; }
    /// <summary>Photos captioned per end-to-end round.</summary>
    public int CaptionCount { get; init; } = 200;

    /// <summary>Steps per round for <paramref name="config"/> when --iters is not given (≈ reference defaults spread over the rounds).</summary>
    public int ItersFor(string config) => Iters > 0 ? Iters : config switch
    {
        "sgemm_256" => 20,
        "sgemm_512" => 8,
        "sgemm_1024" => 4,
        "sgemm_2048" => 2,
        "captioner_beam3" => 2,
        "textcnn_train" or "textcnn_infer" => 6,
        "resnet18_b1" => 10,
        "resnet18_b32" => 2,
        _ => 3,
    };

    public static CompareOptions Parse(ReadOnlySpan<string> argSpan)
    {
        var args = argSpan.ToArray();
        var o = new CompareOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--configs" => o with { Configs = ExpandConfigs(Next()) },
                "--threads" => o with { Threads = NextInt() },
                "--iters" => o with { Iters = NextInt() },
                "--rounds" => o with { Rounds = NextInt() },
                "--warmup" => o with { Warmup = NextInt() },
                "--reference-env" => o with { ReferenceEnv = Next() },
                "--out" => o with { OutMarkdown = Next() },
                "--json" => o with { JsonPath = Next() },
                "--scaling" => o with { Scaling = true },
                "--no-memory" => o with { Memory = false },
                "--alloc-steps" => o with { AllocSteps = NextInt() },
                "--repo" => o with { RepoRoot = Next() },
                "--load-note" => o with { LoadNote = Next() },
                "--previous" => o with { Previous = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--caption-model" => o with { CaptionModel = Next() },
                "--caption-photos" => o with { CaptionPhotos = Next() },
                "--caption-count" => o with { CaptionCount = NextInt() },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if (o.ReferenceEnv is not ("tuned" or "default" or "both")) throw new ArgumentException($"--reference-env must be tuned, default or both, got '{o.ReferenceEnv}'");
        if (o.Threads < 1 || o.Rounds < 1) throw new ArgumentException("--threads and --rounds must be at least 1");
        if ((o.CaptionModel is null) != (o.CaptionPhotos is null)) throw new ArgumentException("--caption-model and --caption-photos go together");
        foreach (var file in o.Previous)
            if (!File.Exists(file)) throw new ArgumentException($"--previous: {file} does not exist");
        return o;
    }

    /// <summary>Comma list of configs; "all", "models" and "sgemm" are groups.</summary>
    private static string[] ExpandConfigs(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .SelectMany(c => c switch
        {
            "all" => WorkloadCatalog.All,
            "models" => WorkloadCatalog.Models,
            "resnet18" => WorkloadCatalog.Models.Where(m => m.StartsWith("resnet18_", StringComparison.Ordinal)),
            "sgemm" => WorkloadCatalog.SgemmSizes.Select(n => $"sgemm_{n}"),
            _ => [c],
        }).Distinct().ToArray();

    // The directory holding bench/reference, searched upwards from the working directory.
    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "bench", "reference"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}
