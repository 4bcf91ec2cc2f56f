// Batch captioning of a folder: good images are captioned, each bad file (corrupt bytes, zero bytes, a
// text file named .jpg) is reported in the errors file without stopping the run, and a run cancelled
// part-way and then rerun ends with exactly one caption per good image.
using System.Text.Json;
using Pipeline.Batch;
using Pipeline.Captioning;
using Pipeline.Models.Training;

namespace Pipeline.Tests.Captioning;

public sealed class CaptionBatchJobTests(TinyCaptionData data) : IClassFixture<TinyCaptionData>
{
    private (string Folder, List<string> Good, List<string> Bad) MixedFolder()
    {
        string folder = Path.Combine(data.Root, "mixed-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var good = new List<string>();
        foreach (var image in data.ImagePaths.Take(6))
        {
            string target = Path.Combine(folder, Path.GetFileName(image));
            File.Copy(image, target);
            good.Add(target);
        }
        var corrupt = File.ReadAllBytes(data.ImagePaths[6]).AsSpan(0, 60).ToArray();   // PNG header, truncated body
        File.WriteAllBytes(Path.Combine(folder, "corrupt.png"), corrupt);
        File.WriteAllBytes(Path.Combine(folder, "empty.jpg"), []);
        File.WriteAllText(Path.Combine(folder, "notes.jpg"), "this is not a picture");
        File.WriteAllText(Path.Combine(folder, "readme.txt"), "ignored: not an image extension");
        return (folder, good, [Path.Combine(folder, "corrupt.png"), Path.Combine(folder, "empty.jpg"), Path.Combine(folder, "notes.jpg")]);
    }

    private static CaptionBatchOptions Options(string folder, string output, int batchSize = 2) =>
        new([folder], output, Recursive: false, AttentionMapsDirectory: null, new CaptionOptions(), new BatchOptions(BatchSize: batchSize, PrepareWorkers: 2, MaxInFlight: 4));

    private static List<string> Keys(string jsonl) =>
        File.ReadAllLines(jsonl).Select(l => JsonDocument.Parse(l).RootElement.GetProperty(CaptionBatchJob.KeyColumn).GetString()!).ToList();

    [Fact]
    public async Task MixedFolderFinishesAndReportsEveryBadFile()
    {
        var captioner = ImageCaptioner.Load(data.ModelDirectory);
        var (folder, good, bad) = MixedFolder();
        string output = Path.Combine(folder + "-out", "captions.jsonl");
        BatchSummary summary;
        using (var writer = new ResumableResultWriter(output, CaptionBatchJob.KeyColumn))
        using (var errors = new ErrorLog(ErrorLog.PathFor(output)))
            summary = await CaptionBatchJob.RunAsync(captioner, Options(folder, output), writer, errors);

        // readme.txt is not an image: not captioned, not a failure, but counted.
        Assert.Equal(new BatchSummary(good.Count, 0, bad.Count, false) { Ignored = 1 }, summary);
        Assert.NotEqual(0, summary.ExitCode);
        Assert.Equal(good.Order(StringComparer.Ordinal), Keys(output).Order(StringComparer.Ordinal));
        var errorKeys = File.ReadAllLines(ErrorLog.PathFor(output)).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("key").GetString()).ToList();
        Assert.Equal(bad.Order(StringComparer.Ordinal), errorKeys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CancelledRunThenRerunCaptionsEachGoodImageOnce()
    {
        var captioner = ImageCaptioner.Load(data.ModelDirectory);
        var (folder, good, _) = MixedFolder();
        string output = Path.Combine(folder + "-out", "captions.jsonl");
        using (var cancel = new CancellationTokenSource())
        using (var writer = new ResumableResultWriter(output, CaptionBatchJob.KeyColumn))
        using (var errors = new ErrorLog(ErrorLog.PathFor(output)))
        {
            var progress = new InlineProgress<BatchProgress>(p => { if (p.Completed >= 2) cancel.Cancel(); });
            var first = await CaptionBatchJob.RunAsync(captioner, Options(folder, output, batchSize: 1), writer, errors, progress, cancel.Token);
            Assert.True(first.Cancelled);
            Assert.InRange(first.Completed, 2, good.Count - 1);
        }
        int firstRun = Keys(output).Count;
        BatchSummary second;
        using (var writer = new ResumableResultWriter(output, CaptionBatchJob.KeyColumn))
        using (var errors = new ErrorLog(ErrorLog.PathFor(output)))
            second = await CaptionBatchJob.RunAsync(captioner, Options(folder, output), writer, errors);

        Assert.Equal(firstRun, second.Skipped);
        Assert.Equal(good.Count - firstRun, second.Completed);
        var keys = Keys(output);
        Assert.Equal(good.Count, keys.Count);
        Assert.Equal(good.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AttentionMapsAreWrittenPerImage()
    {
        var captioner = ImageCaptioner.Load(data.ModelDirectory);
        var (folder, good, _) = MixedFolder();
        string output = Path.Combine(folder + "-out", "captions.csv");
        string maps = Path.Combine(folder + "-out", "maps");
        using (var writer = new ResumableResultWriter(output, CaptionBatchJob.KeyColumn))
        using (var errors = new ErrorLog(ErrorLog.PathFor(output)))
            await CaptionBatchJob.RunAsync(captioner, Options(folder, output) with { AttentionMapsDirectory = maps }, writer, errors);
        var pngs = Directory.GetFiles(maps, "*.png");
        Assert.Equal(good.Count, pngs.Length);
        Assert.StartsWith("image,caption,score,attention_map", File.ReadLines(output).First());
    }
}
