// `pipeline classify INPUT --model DIR`: thin CLI over ClassifyJob (streaming, resumable, errors file).
// Prints a summary; the exit code is non-zero when any line failed (2) or the run was cancelled (130).
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Pipeline.Batch;
using Pipeline.Classification;

namespace Pipeline.Cli;

/// <summary>The <c>classify</c> command.</summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var input = new Argument<FileInfo>("INPUT") { Description = "Text file: one text per line, or TSV/CSV/JSONL with a text column (and optional id)." };
        var model = new Option<DirectoryInfo>("--model") { Description = "Model directory written by `pipeline train classifier`.", Required = true };
        var output = new Option<FileInfo?>("--out") { Description = "Result file (.jsonl, .csv, .tsv); resumed when it exists (default: INPUT.predictions.jsonl)." };
        var topK = new Option<int>("--top-k") { Description = "Labels listed per text with their probabilities.", DefaultValueFactory = _ => TextClassifier.DefaultTopK };
        var format = new Option<ClassifyInputFormat>("--format") { Description = "Input layout: Auto, Lines, Tsv, Csv or JsonLines.", DefaultValueFactory = _ => ClassifyInputFormat.Auto };
        var textColumn = new Option<string>("--text-column") { Description = "Text column/field name.", DefaultValueFactory = _ => "text" };
        var idColumn = new Option<string>("--id-column") { Description = "Id column/field name (default key: line number).", DefaultValueFactory = _ => "id" };
        var batchSize = new Option<int>("--batch-size") { Description = "Texts per forward pass.", DefaultValueFactory = _ => 64 };
        var onError = new Option<string>("--on-error") { Description = "skip (report and continue) or fail (stop at the first bad line).", DefaultValueFactory = _ => "skip" };
        onError.AcceptOnlyFromAmong("skip", "fail");

        var command = new Command("classify", "Classify texts with a trained classifier (streaming, resumable).");
        command.Arguments.Add(input);
        foreach (var o in new Option[] { model, output, topK, format, textColumn, idColumn, batchSize, onError }) command.Options.Add(o);
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var inputPath = parse.GetValue(input)!.FullName;
                var options = new ClassifyJobOptions(
                    InputPath: inputPath,
                    OutputPath: parse.GetValue(output)?.FullName ?? Path.ChangeExtension(inputPath, ".predictions.jsonl"),
                    Format: parse.GetValue(format),
                    TopK: parse.GetValue(topK),
                    OnError: parse.GetValue(onError) == "fail" ? BatchErrorPolicy.Fail : BatchErrorPolicy.Skip,
                    BatchSize: parse.GetValue(batchSize),
                    TextColumn: parse.GetValue(textColumn)!,
                    IdColumn: parse.GetValue(idColumn)!);
                var classifier = TextClassifier.Load(parse.GetValue(model)!.FullName, new StderrLogger());
                var clock = Stopwatch.StartNew();
                var progress = new ThrottledProgress(clock);
                var summary = await ClassifyJob.RunAsync(classifier, options, progress, cancellationToken);
                double seconds = clock.Elapsed.TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"classified {summary.Completed:N0} texts in {seconds:F1} s ({summary.Completed / Math.Max(seconds, 1e-9):F0} docs/s); {summary.Skipped:N0} already done, {summary.Failed:N0} failed{(summary.Cancelled ? ", cancelled" : "")}"));
                Console.WriteLine($"results: {options.OutputPath}");
                if (summary.Failed > 0) Console.WriteLine($"errors:  {options.ErrorsPath}");
                return summary.ExitCode;
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException)
            {
                Console.Error.WriteLine($"classify: {PipelineCli.UserMessage(e)}");
                return 1;
            }
        });
        return command;
    }

    // One status line on stderr at most every two seconds (rewritten in place on a terminal).
    private sealed class ThrottledProgress(Stopwatch clock) : IProgress<BatchProgress>
    {
        private readonly bool interactive = !Console.IsErrorRedirected;
        private TimeSpan last = TimeSpan.Zero;

        public void Report(BatchProgress value)
        {
            if (clock.Elapsed - last < TimeSpan.FromSeconds(2)) return;
            last = clock.Elapsed;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{value.Completed:N0} done, {value.Skipped:N0} skipped, {value.Failed:N0} failed, {value.Completed / Math.Max(clock.Elapsed.TotalSeconds, 1e-9):F0} docs/s");
            if (interactive) Console.Error.Write("\r" + line); else Console.Error.WriteLine(line);
        }
    }
}
