// `pipeline evaluate captioner|classifier --model DIR --data D [--report r.html] [--metrics m.json]`:
// scores a trained model on held-out data through the public inference API and writes the metrics JSON
// and the self-contained HTML report (training curves from the model's metrics.jsonl, galleries, attention
// maps, confusion matrix, the ML.NET baseline beside our model).
using System.CommandLine;
using Pipeline.Captioning;
using Pipeline.Classification;
using Pipeline.Evaluation;
using Pipeline.Evaluation.Classification;
using Pipeline.Models.Training;
using Pipeline.Preprocessing.Datasets;
using Pipeline.Reports;

namespace Pipeline.Cli;

/// <summary><c>pipeline evaluate</c>: metrics and HTML reports for trained models.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var command = new Command("evaluate", "Evaluate a trained model and write metrics JSON and an HTML report.");
        command.Subcommands.Add(Captioner());
        command.Subcommands.Add(Classifier());
        return command;
    }

    private static (Option<string> Model, Option<string> Data, Option<string?> Report, Option<string?> Metrics) Common(Command command, string dataHelp)
    {
        var model = new Option<string>("--model") { Description = "Model directory.", Required = true };
        var data = new Option<string>("--data") { Description = dataHelp, Required = true };
        var report = new Option<string?>("--report") { Description = "Write a self-contained HTML report here." };
        var metrics = new Option<string?>("--metrics") { Description = "Write the metrics as JSON here." };
        foreach (var o in new Option[] { model, data, report, metrics }) command.Options.Add(o);
        return (model, data, report, metrics);
    }

    private static IReadOnlyList<TrainingLogEntry>? TrainingLog(string modelDir)
    {
        var path = Path.Combine(modelDir, Trainer.MetricsLogFile);
        return File.Exists(path) ? TrainingLogReader.Read(path) : null;
    }

    private static Command Captioner()
    {
        var command = new Command("captioner", "Caption a split of a caption dataset and score it (BLEU-1..4, METEOR-es, ROUGE-L, CIDEr-D).");
        var (model, data, report, metrics) = Common(command, "Caption dataset (any format) with the images to evaluate.");
        var split = new Option<string>("--split") { Description = "Split to evaluate.", DefaultValueFactory = _ => "test" };
        var beam = new Option<int>("--beam") { Description = "Beam width (1 = greedy).", DefaultValueFactory = _ => CaptionOptions.Default.BeamSize };
        var images = new Option<string?>("--images") { Description = "Image folder (default: beside the dataset file)." };
        var lengthPenalty = new Option<float>("--length-penalty") { Description = "Beam length normalisation α: candidates ranked by log-probability / length^α (0 = raw log-probability).", DefaultValueFactory = _ => CaptionOptions.Default.LengthPenalty };
        foreach (var o in new Option[] { split, beam, lengthPenalty, images }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var cancellationToken = CancellationToken.None;
            try
            {
                var splitValue = DatasetFormatDetector.ParseSplit(parse.GetValue(split)!) ?? throw new ArgumentException($"--split: unknown split '{parse.GetValue(split)}'.");
                var modelDir = parse.GetValue(model)!;
                var captioner = ImageCaptioner.Load(modelDir);
                var result = CaptionerEvaluation.EvaluateDetailed(captioner, parse.GetValue(data)!, splitValue,
                    CaptionOptions.Default with { BeamSize = parse.GetValue(beam), LengthPenalty = parse.GetValue(lengthPenalty), ReturnAttention = true }, parse.GetValue(images), cancellationToken: cancellationToken);
                PrintScores($"{result.Items.Count} images, beam {parse.GetValue(beam)}, length penalty {parse.GetValue(lengthPenalty)}", result.Metrics.Scores);
                if (parse.GetValue(metrics) is { } m) MetricsJson.Write(m, result.Metrics);
                if (parse.GetValue(report) is { } r)
                {
                    var examples = result.Items.Select(i => new CaptionExample(i.Image.FileName, i.Image.Path, i.Result.Caption, i.Image.Captions.Select(c => c.Raw).ToList(), i.Result.Confidence)).ToList();
                    // Attention strips for the best and worst images, the ones the gallery shows.
                    var shown = result.Metrics.Best(3).Concat(result.Metrics.Worst(3)).Select(s => s.ImageId).ToHashSet(StringComparer.Ordinal);
                    var attention = result.Items.Where(i => shown.Contains(i.Image.FileName) && i.Result.Attention is not null)
                        .Select(i => new AttentionExample(i.Image.FileName, i.Image.Path, i.Result.Words, i.Result.Attention!, i.Result.GridH, i.Result.GridW, captioner.ImageOptions)).ToList();
                    ReportWriter.WriteCaptioningReport(r, new CaptioningReportData("Captioning report", Path.GetFileName(Path.GetFullPath(modelDir)), result.Metrics,
                        examples, attention, TrainingLog(modelDir), Notes: $"{parse.GetValue(data)} · split {splitValue} · beam {parse.GetValue(beam)} · length penalty {parse.GetValue(lengthPenalty)}"));
                    Console.WriteLine($"report written to {r}");
                }
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or DatasetFormatException or Models.Checkpoints.CheckpointFormatException)
            {
                Console.Error.WriteLine($"pipeline evaluate captioner: {PipelineCli.UserMessage(e)}");
                return PipelineCli.ErrorExitCode;
            }
        });
        return command;
    }

    private static Command Classifier()
    {
        var command = new Command("classifier", "Classify a labelled test set and score it with ML.NET's evaluators, optionally beside the ML.NET baseline.");
        var (model, data, report, metrics) = Common(command, "Labelled test data (TSV/CSV/fastText/JSONL/folder per class).");
        var baseline = new Option<bool>("--baseline") { Description = "Also train the ML.NET baseline (FeaturizeText + SdcaMaximumEntropy) on --baseline-data and report it beside the model (as `train classifier --baseline`)." };
        var baselineTrain = new Option<string?>("--baseline-data") { Description = "The baseline's training data (implies --baseline); use the model's own training data for a fair comparison." };
        command.Options.Add(baseline);
        var compare = new Option<string[]>("--compare")
        {
            Description = "Other classifier directories to evaluate on the same data beside --model (e.g. a BiLSTM beside a TextCNN); the report draws every model's training curves in shared charts.",
            AllowMultipleArgumentsPerToken = true,
        };
        command.Options.Add(baselineTrain);
        command.Options.Add(compare);
        command.SetAction(parse =>
        {
            try
            {
                var modelDir = parse.GetValue(model)!;
                var test = ClassificationDatasetLoader.Load(parse.GetValue(data)!);
                if (parse.GetValue(baseline) && parse.GetValue(baselineTrain) is null)
                    throw new ArgumentException("--baseline needs --baseline-data FILE: the data the ML.NET baseline trains on (the model's training data).");
                var reports = new List<KeyValuePair<string, ClassificationReport>>();
                var trainingLogs = new List<NamedTrainingLog>();
                foreach (var directory in new[] { modelDir }.Concat(parse.GetValue(compare) ?? []))
                {
                    using var classifier = TextClassifier.Load(directory);
                    string name = Path.GetFileName(Path.GetFullPath(directory));
                    if (reports.Any(p => p.Key == name)) name = directory;   // two folders of the same name: the paths tell them apart
                    reports.Add(new(name, ClassifierExperiment.Evaluate(classifier, test.Examples)));
                    if (TrainingLog(directory) is { } log) trainingLogs.Add(new NamedTrainingLog(name, log));
                }
                string? baselineNote = null;
                if (parse.GetValue(baselineTrain) is { } trainPath)
                {
                    var train = ClassificationDatasetLoader.Load(trainPath);
                    var baselineOptions = new MlNetBaselineOptions();
                    var baselineReport = MlNetBaseline.TrainAndEvaluate(train.Examples, test.Examples, baselineOptions);
                    reports.Add(new(MlNetBaseline.ModelName, baselineReport));
                    baselineNote = MlNetBaseline.DescribeEvaluation(baselineReport, trainPath, train.Examples.Count, baselineOptions.Seed, modelDir);
                    Console.WriteLine($"note: {MlNetBaseline.ModelName} {baselineNote}");
                }
                foreach (var (name, rep) in reports)
                    PrintScores(name, new Dictionary<string, double> { ["accuracy"] = rep.MicroAccuracy, ["macro-F1"] = rep.MacroF1, ["log-loss"] = rep.LogLoss });
                if (parse.GetValue(metrics) is { } m) MetricsJson.Write(m, reports);
                if (parse.GetValue(report) is { } r)
                {
                    ReportWriter.WriteClassificationReport(r, new ClassificationReportData("Classification report",
                        reports.Select(p => new NamedClassificationReport(p.Key, p.Value, p.Key == MlNetBaseline.ModelName ? baselineNote : null)).ToList(),
                        Notes: parse.GetValue(data), TrainingLogs: trainingLogs));
                    Console.WriteLine($"report written to {r}");
                }
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or DatasetFormatException or Models.Checkpoints.CheckpointFormatException)
            {
                Console.Error.WriteLine($"pipeline evaluate classifier: {PipelineCli.UserMessage(e)}");
                return PipelineCli.ErrorExitCode;
            }
        });
        return command;
    }

    private static void PrintScores(string title, IReadOnlyDictionary<string, double> scores)
    {
        Console.WriteLine(title);
        foreach (var (name, value) in scores) Console.WriteLine($"  {name,-10} {value:F4}");
    }
}
