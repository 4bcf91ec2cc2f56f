// Shared input of the cluster tests, built once per test run: 2,000 synthetic scenes (the `pipeline synth`
// generator) in one folder with three bad files sorted among them (a truncated PNG, an empty .jpg, text
// named .png), the tiny 16-px captioner the other Pipeline tests use, and the output of the single-machine
// caption job on that folder — the file every cluster run must reproduce byte for byte.
using System.Text.Json;
using Pipeline.Batch;
using Pipeline.Captioning;
using Pipeline.Cluster;
using Pipeline.Preprocessing.Synthetic;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Cluster;

/// <summary>The cluster tests run one at a time (they are CPU-heavy and share this data).</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterTestData>
{
    public const string Name = "Cluster";
}

public sealed class ClusterTestData : IDisposable
{
    public const int ImageCount = 2000;

    /// <summary>Images per shard in the tests: 41 shards, so every silo runs many and a kill lands mid-job.</summary>
    public const int ShardSize = 50;

    public ClusterTestData()
    {
        Root = Directory.CreateTempSubdirectory("pipeline-cluster-tests").FullName;
        ImageFolder = Path.Combine(Root, "images");
        SyntheticScenes.Generate(new SynthOptions { OutputDirectory = ImageFolder, Count = ImageCount, Seed = 7, Size = 64 });
        File.Delete(Path.Combine(ImageFolder, "dataset.json"));
        var first = Path.Combine(ImageFolder, "000000.png");
        File.WriteAllBytes(Path.Combine(ImageFolder, "000500-truncated.png"), File.ReadAllBytes(first).AsSpan(0, 60).ToArray());
        File.WriteAllBytes(Path.Combine(ImageFolder, "001000-empty.jpg"), []);
        File.WriteAllText(Path.Combine(ImageFolder, "001500-text.png"), "this is not a picture");
        BadImages = ["000500-truncated.png", "001000-empty.jpg", "001500-text.png"];
        GoodImages = Enumerable.Range(0, ImageCount).Select(i => Path.Combine(ImageFolder, $"{i:D6}.png")).ToArray();
        ModelDirectory = TinyModelDirectories.WriteCaptioner(Path.Combine(Root, "model"));

        ReferenceOutput = Path.Combine(Root, "single", "captions.jsonl");
        var options = Settings.ToOptions(ReferenceOutput);
        using var writer = new ResumableResultWriter(ReferenceOutput, CaptionBatchJob.KeyColumn);
        using var errors = new ErrorLog(ErrorLog.PathFor(ReferenceOutput));
        var summary = CaptionBatchJob.RunAsync(ImageCaptioner.Load(ModelDirectory), options, writer, errors).GetAwaiter().GetResult();
        Assert.Equal(new BatchSummary(ImageCount, 0, BadImages.Count, false), summary);
    }

    public string Root { get; }

    public string ImageFolder { get; }

    public string ModelDirectory { get; }

    public IReadOnlyList<string> GoodImages { get; }

    /// <summary>File names of the images that must land in the errors file.</summary>
    public IReadOnlyList<string> BadImages { get; }

    /// <summary>What `pipeline caption IMAGES --model M --beam 1 --out captions.jsonl` writes.</summary>
    public string ReferenceOutput { get; }

    /// <summary>The caption settings of every test job (greedy decoding keeps the tests fast; the CLI's default length penalty, as `--beam 1` alone gives).</summary>
    public CaptionJobSettings Settings => new([ImageFolder], Recursive: false, BeamSize: 1, MaxLength: null, TopK: 1, AttentionMapsDirectory: null, BatchSize: 16, OnError: BatchErrorPolicy.Skip,
        LengthPenalty: Pipeline.Captioning.CaptionOptions.DefaultLengthPenalty);

    /// <summary>A fresh output path for one test.</summary>
    public string NewOutput(string name) => Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..8], "captions.jsonl");

    /// <summary>
    /// Asserts that <paramref name="output"/> is the single-machine output (hence every good image exactly once, in input
    /// order) and that its errors file names each bad image exactly once, with the single-machine stage and message.
    /// </summary>
    public void AssertSameAsSingleMachine(string output)
    {
        var keys = File.ReadLines(output).Select(l => JsonDocument.Parse(l).RootElement.GetProperty(CaptionBatchJob.KeyColumn).GetString()!).ToList();
        Assert.Equal(GoodImages.Count, keys.Distinct().Count());
        Assert.Equal(GoodImages, keys);
        Assert.Equal(File.ReadAllBytes(ReferenceOutput), File.ReadAllBytes(output));

        Assert.Equal(ErrorEntries(ErrorLog.PathFor(ReferenceOutput)), ErrorEntries(ErrorLog.PathFor(output)));
        Assert.Equal(BadImages.Select(b => Path.Combine(ImageFolder, b)), ErrorEntries(ErrorLog.PathFor(output)).Select(e => e.Key));
        Assert.False(Directory.Exists(JobLayout.DirectoryFor(output)), "the job directory is removed once the output is written");
    }

    // Errors file entries without their time stamps.
    private static List<(string Key, string Stage, string Error)> ErrorEntries(string path) =>
        File.ReadLines(path).Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => (e.GetProperty("key").GetString()!, e.GetProperty("stage").GetString()!, e.GetProperty("error").GetString()!)).ToList();

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}
