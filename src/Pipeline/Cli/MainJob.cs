// `pipeline` with no sub-command: the main job on the embedded defaults. Captions the sample photos in
// data/samples/photos with the shipped photo captioner in data/models/captioner (made by this project's own
// command, see docs/CAPTIONING.md) and writes captions plus per-word attention maps to ./out.
using System.CommandLine;
using System.Text.Json;
using Pipeline.Batch;
using Pipeline.Captioning;

namespace Pipeline.Cli;

/// <summary>What <c>pipeline</c> does with no sub-command: the main job on embedded defaults.</summary>
internal static class MainJob
{
    public static async Task<int> Run(ParseResult parse, CancellationToken cancellationToken)
    {
        var data = DefaultModels.FindDataDirectory();
        var samples = data is null ? null : Path.Combine(data, "samples", "photos");
        if (data is null || !Directory.Exists(samples))
        {
            Console.Error.WriteLine("pipeline: data/models/captioner and data/samples/photos not found from the current folder or the program's folder; run from the repository root, or use `pipeline caption INPUT --model DIR`. See `pipeline --help`.");
            return 2;
        }
        var outDir = Path.GetFullPath("out");
        Directory.CreateDirectory(outDir);
        var captions = Path.Combine(outDir, "captions.jsonl");
        // A demo run starts fresh; `pipeline caption --out` is the resumable form.
        File.Delete(captions);
        File.Delete(ErrorLog.PathFor(captions));
        var maps = Path.Combine(outDir, "attention");
        Console.WriteLine($"Captioning {samples} with {Path.Combine(data, "models", "captioner")} (beam {CaptionOptions.Default.BeamSize}, length penalty {CaptionOptions.Default.LengthPenalty})…");
        var options = new CaptionBatchOptions([samples!], captions, Recursive: false, maps,
            CaptionOptions.Default, new BatchOptions(BatchSize: 8));
        int exit = await CaptionCommand.RunAsync(Path.Combine(data, "models", "captioner"), options, cancellationToken);
        if (File.Exists(captions))
        {
            foreach (var line in File.ReadLines(captions))
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                bool unsure = r.TryGetProperty("confidence", out var c) && c.ValueKind == JsonValueKind.Number && c.GetDouble() < Models.Captioning.FeatureDensity.UnsureBelow;
                Console.WriteLine($"  {Path.GetFileName(r.GetProperty(CaptionBatchJob.KeyColumn).GetString()),-28} {r.GetProperty("caption").GetString()}" +
                                  (unsure ? "  [unsure: unlike the photos the model was trained on]" : ""));
            }
            Console.WriteLine($"Captions: {captions}");
            Console.WriteLine($"Attention maps: {maps}");
        }
        return exit;
    }
}
