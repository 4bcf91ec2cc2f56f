// `pipeline classify [INPUT | - | --text TEXT...] [--model DIR] [--out FILE|-]`: thin CLI over TextClassifier.
// Two ways to run (docs/cli.md):
//   * to a file (--out FILE with a file INPUT): ClassifyJob — resumable by input line, bad lines in the
//     errors file beside it;
//   * to a stream (the default: stdout; also --out -, /dev/stdout, a pipe): the texts stream through the
//     model as they arrive — from the file, from stdin ("-", one text per line, like `fasttext
//     predict-prob model.bin -`) or from --text — and each result is written and flushed at once; bad
//     lines are reported on stderr. Lines waiting on stdin are classified together (up to --batch-size),
//     so an interactive line is answered at once and a pipe still runs in batches.
// Progress and the summary go to stderr (not with --quiet); stdout carries results only. The exit code is
// 0, 1 when any line failed, 2 on a usage or input error, 130 when cancelled.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Pipeline.Batch;
using Pipeline.Classification;
using Pipeline.Preprocessing.Files;

namespace Pipeline.Cli;

/// <summary>The <c>classify</c> command.</summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var line = new ClassifyCommandLine();
        var command = new Command("classify", "Classify texts with a trained classifier: a file, stdin (-) or --text; JSON lines on stdout, or a resumable --out file.");
        line.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            bool quiet = PipelineCli.IsQuiet(parse);
            try
            {
                var request = line.Parse(parse);
                var classifier = TextClassifier.Load(request.ModelDirectory, quiet ? null : new StderrLogger(Microsoft.Extensions.Logging.LogLevel.Warning));
                if (request.Output.IsResumableFile && request.Job.InputPath != StandardStreams.Dash && request.Texts is null)
                    return await RunJobAsync(classifier, request, quiet, cancellationToken);
                return await StreamAsync(classifier, request, quiet, cancellationToken);
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException or IOException)
            {
                Console.Error.WriteLine($"pipeline classify: {PipelineCli.UserMessage(e)}");
                return PipelineCli.ErrorExitCode;
            }
        });
        return command;
    }

    private static async Task<int> RunJobAsync(TextClassifier classifier, ClassifyRequest request, bool quiet, CancellationToken cancellationToken)
    {
        var options = request.Job with { OutputPath = request.Output.Path! };
        var clock = Stopwatch.StartNew();
        var progress = quiet ? null : new ThrottledProgress(clock);
        var summary = await ClassifyJob.RunAsync(classifier, options, progress, cancellationToken);
        if (!quiet)
        {
            Console.Error.WriteLine(Summary(summary, clock.Elapsed));
            Console.Error.WriteLine($"pipeline classify: results in {options.OutputPath}" + (summary.Failed > 0 ? $", failures in {options.ErrorsPath}" : ""));
        }
        return summary.ExitCode;
    }

    private static async Task<int> StreamAsync(TextClassifier classifier, ClassifyRequest request, bool quiet, CancellationToken cancellationToken)
    {
        var job = request.Job;
        string source;
        IEnumerable<ClassifyInputLine> items;
        Stream? input = null;
        if (request.Texts is { } texts)
        {
            source = "--text";
            items = texts.Select((text, i) => string.IsNullOrWhiteSpace(text)
                ? new ClassifyInputLine(Key(i + 1), i + 1, null, $"text {i + 1} is empty")
                : new ClassifyInputLine(Key(i + 1), i + 1, text, null));
        }
        else if (job.InputPath == StandardStreams.Dash)
        {
            source = "stdin";
            input = StandardStreams.OpenInput();
            items = ClassifyInputReader.Read(input, source, job.Format, job.TextColumn, job.IdColumn, job.MaxLineBytes);
        }
        else
        {
            source = job.InputPath;
            items = ClassifyInputReader.Read(job.InputPath, job.Format, job.TextColumn, job.IdColumn, job.MaxLineBytes);
        }

        var clock = Stopwatch.StartNew();
        using var target = request.Output.Open();
        var writer = new ResultStreamWriter(target.Writer, request.Output.Format);
        var summary = await ClassifyStreamAsync(classifier, items, writer, job, error => Console.Error.WriteLine($"pipeline classify: {source}: {error}"), cancellationToken);
        if (!quiet) Console.Error.WriteLine(Summary(summary, clock.Elapsed));
        return summary.ExitCode;
    }

    /// <summary>
    /// Classifies <paramref name="items"/> in order as they arrive, writing each result at once. A reader task fills a bounded
    /// queue; the model takes whatever is waiting (one text, or up to a batch when the input runs ahead of it).
    /// </summary>
    internal static async Task<BatchSummary> ClassifyStreamAsync(TextClassifier classifier, IEnumerable<ClassifyInputLine> items, ResultStreamWriter writer,
        ClassifyJobOptions job, Action<string> reportError, CancellationToken cancellationToken)
    {
        var queue = Channel.CreateBounded<ClassifyInputLine>(new BoundedChannelOptions(Math.Max(4 * job.BatchSize, 256)) { SingleReader = true, SingleWriter = true });
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = Task.Run(async () =>
        {
            try
            {
                foreach (var item in items) await queue.Writer.WriteAsync(item, stopReading.Token);
                queue.Writer.TryComplete();
            }
            catch (Exception e) { queue.Writer.TryComplete(e); }
        }, CancellationToken.None);

        int completed = 0, failed = 0;
        bool stopped = false;
        var batch = new List<ClassifyInputLine>(job.BatchSize);
        try
        {
            while (!stopped && await queue.Reader.WaitToReadAsync(cancellationToken))
            {
                batch.Clear();
                while (batch.Count < job.BatchSize && queue.Reader.TryRead(out var next)) batch.Add(next);
                // Under --on-error fail, the lines before the first bad one are still answered, then the run stops.
                int firstBad = job.OnError == BatchErrorPolicy.Fail ? batch.FindIndex(i => i.Error is not null) : -1;
                var usable = firstBad >= 0 ? batch.GetRange(0, firstBad) : batch;
                var good = usable.Where(i => i.Error is null).ToList();
                var predictions = good.Count > 0 ? classifier.PredictMany(good.Select(g => g.Text!), new ClassifyOptions(job.TopK), job.BatchSize) : [];
                int p = 0;
                foreach (var item in usable)
                {
                    if (item.Error is not null) { reportError(item.Error); failed++; continue; }
                    writer.Write(ClassifyJob.ToRecord(Key(item.LineNumber), item, predictions[p++], job.TextPreviewLength));
                    completed++;
                }
                if (firstBad >= 0)
                {
                    reportError(batch[firstBad].Error! + " (stopping: --on-error fail)");
                    failed++;
                    stopped = true;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stopped = true;
        }
        finally
        {
            stopReading.Cancel();
        }
        // A reader blocked on an interactive stdin cannot be interrupted; it ends with the process.
        if (!stopped) await reader;
        return new BatchSummary(completed, 0, failed, stopped);
    }

    private static string Key(int lineNumber) => lineNumber.ToString(CultureInfo.InvariantCulture);

    private static string Summary(BatchSummary summary, TimeSpan elapsed)
    {
        double seconds = elapsed.TotalSeconds;
        return string.Create(CultureInfo.InvariantCulture,
            $"pipeline classify: {summary.Completed:N0} texts classified in {seconds:F1} s ({summary.Completed / Math.Max(seconds, 1e-9):F0} texts/s); {summary.Skipped:N0} already done, {summary.Failed:N0} failed{(summary.Cancelled ? ", stopped" : "")}");
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
                $"{value.Completed:N0} done, {value.Skipped:N0} skipped, {value.Failed:N0} failed, {value.Completed / Math.Max(clock.Elapsed.TotalSeconds, 1e-9):F0} texts/s");
            if (interactive) Console.Error.Write("\r" + line); else Console.Error.WriteLine(line);
        }
    }
}

/// <summary>A parsed <c>classify</c> command line.</summary>
/// <param name="ModelDirectory">The classifier to use.</param>
/// <param name="Job">Input and model settings (its output path is the <paramref name="Output"/> file, when there is one).</param>
/// <param name="Output">Where results go.</param>
/// <param name="Texts">The <c>--text</c> values, when given instead of INPUT.</param>
internal sealed record ClassifyRequest(string ModelDirectory, ClassifyJobOptions Job, ResultTarget Output, IReadOnlyList<string>? Texts);

/// <summary>The input and options of <c>pipeline classify</c>; <c>pipeline cluster classify</c> takes the same ones.</summary>
internal sealed class ClassifyCommandLine
{
    private static readonly Dictionary<ClassifyInputFormat, string> FormatNames = new() { [ClassifyInputFormat.JsonLines] = "jsonl" };

    public Argument<string?> Input { get; } = new("INPUT")
    {
        Description = "Texts: one per line; TSV/CSV with a 'text' column, or label<TAB>text as training reads; JSON lines; .gz decompressed. - reads stdin.",
        Arity = ArgumentArity.ZeroOrOne,
    };
    public Option<string[]> Texts { get; } = new("--text") { Description = "A text to classify, instead of INPUT; repeatable." };
    public Option<string?> Model { get; } = new("--model") { Description = "Model directory (from `pipeline train classifier`); default: the shipped classifier, data/models/classifier." };
    public Option<string?> Output { get; } = new("--out") { Description = "Result file (.jsonl, .csv, .tsv), resumable: a rerun skips lines already in it. Default (or -): stdout." };
    public Option<OutputFormat?> OutputFormat { get; } = ResultTarget.CreateFormatOption();
    public Option<int> TopK { get; } = new("--top-k") { Description = "Labels listed per text with their probabilities.", DefaultValueFactory = _ => TextClassifier.DefaultTopK };
    public ChoiceOption<ClassifyInputFormat> Format { get; } = CliOptions.Choice("--format", "Input layout (default: from the extension; stdin: one text per line).", ClassifyInputFormat.Auto, FormatNames);
    public Option<string> TextColumn { get; } = new("--text-column") { Description = "Text column: a header name, or a 0-based position (1 for label<TAB>text).", DefaultValueFactory = _ => "text" };
    public Option<string> IdColumn { get; } = new("--id-column") { Description = "Id column/field name (default id: the line number).", DefaultValueFactory = _ => "id" };
    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Texts per forward pass.", DefaultValueFactory = _ => 64 };
    public ChoiceOption<BatchErrorPolicy> OnError { get; } = CliOptions.Choice("--on-error", "skip: report bad lines and go on; fail: stop at the first.", BatchErrorPolicy.Skip);

    public void AddTo(Command command)
    {
        command.Arguments.Add(Input);
        foreach (var option in new Option[] { Texts, Model, Output, OutputFormat, TopK, Format, TextColumn, IdColumn, BatchSize, OnError }) command.Options.Add(option);
    }

    /// <summary>--model, or the shipped classifier when it is not given.</summary>
    /// <exception cref="ArgumentException">Neither exists.</exception>
    public string ResolveModel(ParseResult parse) => parse.GetValue(Model) ?? DefaultModels.Find(DefaultModels.Classifier)
        ?? throw new ArgumentException("no --model given and the shipped model data/models/classifier was not found from the current folder or the program's folder.");

    /// <summary>The command line as a request.</summary>
    /// <exception cref="ArgumentException">INPUT and --text are both given, or neither, or a value is out of range.</exception>
    public ClassifyRequest Parse(ParseResult parse)
    {
        var input = parse.GetValue(Input);
        var texts = parse.GetValue(Texts) is { Length: > 0 } t ? t : null;
        if (input is not null && texts is not null) throw new ArgumentException("give either INPUT or --text, not both.");
        if (input is null && texts is null) throw new ArgumentException("nothing to classify: give INPUT (a file, or - for stdin) or --text TEXT.");
        if (input is not null && input != StandardStreams.Dash) input = Path.GetFullPath(input);
        var output = ResultTarget.From(parse.GetValue(Output), parse.GetValue(OutputFormat));
        return new ClassifyRequest(ResolveModel(parse), JobOptions(parse, input ?? StandardStreams.Dash, output.Path ?? ""), output, texts);
    }

    /// <summary>The job's options for a file INPUT writing a file (cluster classify).</summary>
    public ClassifyJobOptions ParseJob(ParseResult parse)
    {
        var input = parse.GetValue(Input);
        if (input is null || input == StandardStreams.Dash || parse.GetValue(Texts) is { Length: > 0 })
            throw new ArgumentException("a cluster job reads a file INPUT that every silo sees (not stdin or --text).");
        var output = ResultTarget.From(parse.GetValue(Output), parse.GetValue(OutputFormat));
        if (!output.IsResumableFile) throw new ArgumentException("--out: a cluster job writes a file that every silo sees (not stdout).");
        return JobOptions(parse, Path.GetFullPath(input), output.Path!);
    }

    private ClassifyJobOptions JobOptions(ParseResult parse, string input, string output)
    {
        int topK = parse.GetValue(TopK), batchSize = parse.GetValue(BatchSize);
        if (topK < 1) throw new ArgumentException($"--top-k must be at least 1 (got {topK}).");
        if (batchSize < 1) throw new ArgumentException($"--batch-size must be at least 1 (got {batchSize}).");
        return new ClassifyJobOptions(
            InputPath: input,
            OutputPath: output,
            Format: Format.Get(parse),
            TopK: topK,
            OnError: OnError.Get(parse),
            BatchSize: batchSize,
            TextColumn: parse.GetValue(TextColumn)!,
            IdColumn: parse.GetValue(IdColumn)!);
    }
}
