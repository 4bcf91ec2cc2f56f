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
        var line = new ClassifyCommandLine();
        var command = new Command("classify", "Classify texts with a trained classifier (streaming, resumable).");
        line.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var options = line.Parse(parse);
                var classifier = TextClassifier.Load(parse.GetValue(line.Model)!.FullName, new StderrLogger());
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
                Console.Error.WriteLine($"pipeline classify: {PipelineCli.UserMessage(e)}");
                return PipelineCli.ErrorExitCode;
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

/// <summary>The input and options of <c>pipeline classify</c>; <c>pipeline cluster classify</c> takes the same ones.</summary>
internal sealed class ClassifyCommandLine
{
    public Argument<FileInfo> Input { get; } = new("INPUT") { Description = "Text file: one text per line, or TSV/CSV/JSONL with a text column (and optional id)." };
    public Option<DirectoryInfo> Model { get; } = new("--model") { Description = "Model directory written by `pipeline train classifier`.", Required = true };
    public Option<FileInfo?> Output { get; } = new("--out") { Description = "Result file (.jsonl, .csv, .tsv); resumed when it exists (default: INPUT.predictions.jsonl)." };
    public Option<int> TopK { get; } = new("--top-k") { Description = "Labels listed per text with their probabilities.", DefaultValueFactory = _ => TextClassifier.DefaultTopK };
    public Option<ClassifyInputFormat> Format { get; } = new("--format") { Description = "Input layout: Auto, Lines, Tsv, Csv or JsonLines.", DefaultValueFactory = _ => ClassifyInputFormat.Auto };
    public Option<string> TextColumn { get; } = new("--text-column") { Description = "Text column/field name.", DefaultValueFactory = _ => "text" };
    public Option<string> IdColumn { get; } = new("--id-column") { Description = "Id column/field name (default key: line number).", DefaultValueFactory = _ => "id" };
    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Texts per forward pass.", DefaultValueFactory = _ => 64 };
    public Option<string> OnError { get; } = CreateOnError();

    private static Option<string> CreateOnError()
    {
        var onError = new Option<string>("--on-error") { Description = "skip (report and continue) or fail (stop at the first bad line).", DefaultValueFactory = _ => "skip" };
        onError.AcceptOnlyFromAmong("skip", "fail");
        return onError;
    }

    public void AddTo(Command command)
    {
        command.Arguments.Add(Input);
        foreach (var option in new Option[] { Model, Output, TopK, Format, TextColumn, IdColumn, BatchSize, OnError }) command.Options.Add(option);
    }

    /// <summary>The job's options (the model directory is read separately).</summary>
    public ClassifyJobOptions Parse(ParseResult parse)
    {
        var inputPath = parse.GetValue(Input)!.FullName;
        return new ClassifyJobOptions(
            InputPath: inputPath,
            OutputPath: parse.GetValue(Output)?.FullName ?? Path.ChangeExtension(inputPath, ".predictions.jsonl"),
            Format: parse.GetValue(Format),
            TopK: parse.GetValue(TopK),
            OnError: parse.GetValue(OnError) == "fail" ? BatchErrorPolicy.Fail : BatchErrorPolicy.Skip,
            BatchSize: parse.GetValue(BatchSize),
            TextColumn: parse.GetValue(TextColumn)!,
            IdColumn: parse.GetValue(IdColumn)!);
    }
}
