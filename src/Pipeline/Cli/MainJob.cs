// `pipeline` with no sub-command: the main job on the embedded defaults. Captions the sample photos in
// data/samples/photos (Flickr8k dev photos, data/samples/README.md) with the shipped photo captioner in
// data/models/captioner (made by this project's own command, docs/CAPTIONING.md), prints the captions, and
// writes them plus per-word attention maps to --out DIR — by default out/ when run from the repository root
// (README's first command); anywhere else nothing is written unless --out is given.
using System.CommandLine;
using System.Text.Json;
using Pipeline.Batch;
using Pipeline.Captioning;

namespace Pipeline.Cli;

/// <summary>What <c>pipeline</c> does with no sub-command: the main job on embedded defaults.</summary>
internal static class MainJob
{
    /// <summary>The main job's own <c>--out DIR</c> (the root command's; sub-commands have their own).</summary>
    public static Option<string?> Output { get; } = new("--out") { Description = "Folder for the main job's captions.jsonl and attention maps (default: out/ when run from the repository root; elsewhere the captions are only printed)." };

    public static async Task<int> Run(ParseResult parse, CancellationToken cancellationToken)
    {
        var data = DefaultModels.FindDataDirectory();
        var samples = data is null ? null : Path.Combine(data, "samples", "photos");
        if (data is null || !Directory.Exists(samples))
        {
            Console.Error.WriteLine("pipeline: data/models/captioner and data/samples/photos not found from the current folder or the program's folder; run from the repository root, or use `pipeline caption INPUT --model DIR`. See `pipeline --help`.");
            return PipelineCli.ErrorExitCode;
        }
        // Files are written only where the user asked (--out) or in the repository's own out/ when standing at its root,
        // never into whatever folder the command happens to run in.
        bool atRepositoryRoot = string.Equals(Path.GetFullPath(data), Path.GetFullPath("data"), StringComparison.Ordinal);
        string? keep = parse.GetValue(Output) is { } given ? Path.GetFullPath(given) : atRepositoryRoot ? Path.GetFullPath("out") : null;
        var outDir = keep ?? Path.Combine(Path.GetTempPath(), $"pipeline-main-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(outDir);
        try
        {
            var captions = Path.Combine(outDir, "captions.jsonl");
            // A demo run starts fresh; `pipeline caption --out` is the resumable form.
            File.Delete(captions);
            File.Delete(ErrorLog.PathFor(captions));
            var maps = Path.Combine(outDir, "attention");
            Console.WriteLine($"Captioning {samples} with {Path.Combine(data, "models", "captioner")} (beam {CaptionOptions.Default.BeamSize}, length penalty {CaptionOptions.Default.LengthPenalty})…");
            var options = new CaptionBatchOptions([samples!], captions, Recursive: false, keep is null ? null : maps,
                CaptionOptions.Default, new BatchOptions(BatchSize: 8));
            int exit = await CaptionCommand.RunAsync(Path.Combine(data, "models", "captioner"), options, quiet: keep is null || PipelineCli.IsQuiet(parse), cancellationToken);
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
                if (keep is not null)
                {
                    Console.WriteLine($"Captions: {captions}");
                    Console.WriteLine($"Attention maps: {maps}");
                }
                else Console.WriteLine("(pass --out DIR to keep the captions and their attention maps)");
            }
            return exit;
        }
        finally
        {
            if (keep is null) Directory.Delete(outDir, recursive: true);
        }
    }
}
