using System.CommandLine;
using Pipeline.Evaluation;
using Pipeline.Evaluation.Captioning;
using Pipeline.Preprocessing.Datasets;

namespace Pipeline.Cli;

/// <summary><c>pipeline score-captions --predictions P --references R</c>: COCO-style metrics for any captions file.</summary>
internal static class ScoreCaptionsCommand
{
    public static Command Create()
    {
        var predictions = new Option<FileInfo>("--predictions") { Description = "Captions to score: JSONL/CSV/TSV with image and caption columns, or COCO results JSON.", Required = true };
        var references = new Option<FileInfo>("--references") { Description = "Reference captions in any caption dataset format (Karpathy JSON, COCO, Flickr, TSV).", Required = true };
        var format = CliOptions.Choice("--format", "References' format (default: detected from the file).", CaptionFormat.Auto);
        var split = new Option<string?>("--split") { Description = "Only images of this split of the references (train, val, test)." };
        var metrics = new Option<FileInfo?>("--metrics") { Description = "Write the metrics as JSON here." };
        var command = new Command("score-captions", "Score predicted captions against references with BLEU-1..4, METEOR-es, ROUGE-L and CIDEr-D.");
        foreach (var option in new Option[] { predictions, references, format, split, metrics }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            try
            {
                var dataset = CaptionDatasetLoader.Load(parse.GetValue(references)!.FullName,
                    new CaptionLoadOptions(Format: format.Get(parse), CheckImagesExist: false, Policy: ErrorPolicy.Skip));
                DatasetSplit? chosen = parse.GetValue(split) is { } s ? DatasetFormatDetector.ParseSplit(s) ?? throw new ArgumentException($"--split: unknown split '{s}'; expected train, val, test or restval.") : null;
                var result = CaptionScoring.Score(CaptionPredictionsReader.Read(parse.GetValue(predictions)!.FullName), dataset, chosen);
                Console.WriteLine($"scored {result.Matched} captions against {result.ReferenceImages} reference images");
                foreach (var (name, value) in result.Metrics.Scores) Console.WriteLine($"  {name,-10} {value:F4}");
                if (parse.GetValue(metrics) is { } m) { MetricsJson.Write(m.FullName, result.Metrics); Console.WriteLine($"metrics written to {m.FullName}"); }
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or DatasetFormatException)
            {
                Console.Error.WriteLine($"pipeline score-captions: {PipelineCli.UserMessage(e)}");
                return PipelineCli.ErrorExitCode;
            }
        });
        return command;
    }
}
