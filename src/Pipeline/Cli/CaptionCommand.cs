// `pipeline caption INPUT... [--model DIR] [--out FILE|-]`: parses the command line into CaptionBatchOptions
// and runs CaptionBatchJob (resumable output, errors file, retries/timeouts, optional attention overlays).
// Without --out (or with --out -, /dev/stdout, a pipe) the captions go to that stream via a temporary file:
// such a run is not resumable. "-" as an INPUT is one image read from stdin (`curl -sL URL | pipeline
// caption -`); URLs themselves are refused — nothing is downloaded (docs/cli.md).
using System.CommandLine;
using System.Text.Json;
using Pipeline.Batch;
using Pipeline.Captioning;
using Pipeline.Models.Checkpoints;

namespace Pipeline.Cli;

/// <summary><c>pipeline caption</c>: captions image files and folders with a trained model.</summary>
internal static class CaptionCommand
{
    public static Command Create()
    {
        var line = new CaptionCommandLine();
        var command = new Command("caption", "Caption images with a trained captioner (default: the shipped photo captioner); JSON lines on stdout, or a resumable --out file.");
        line.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            CaptionBatchOptions options;
            ResultTarget target;
            try
            {
                options = line.Parse(parse);
                target = ResultTarget.From(parse.GetValue(line.Output), parse.GetValue(line.OutputFormat));
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"pipeline caption: {PipelineCli.UserMessage(e)}");
                return PipelineCli.ErrorExitCode;
            }
            if (line.ResolveModel(parse) is not { } modelDirectory)
            {
                Console.Error.WriteLine("pipeline caption: no --model given and the shipped model data/models/captioner was not found from the current folder or the program's folder.");
                return PipelineCli.ErrorExitCode;
            }
            return await RunAsync(modelDirectory, options, target, PipelineCli.IsQuiet(parse), cancellationToken);
        });
        return command;
    }

    /// <summary>Captions <paramref name="options"/>' inputs into its output file (null: stdout), reporting on stderr unless <paramref name="quiet"/>.</summary>
    public static Task<int> RunAsync(string modelDirectory, CaptionBatchOptions options, bool quiet, CancellationToken commandToken) =>
        RunAsync(modelDirectory, options, ResultTarget.From(options.OutputPath, null), quiet, commandToken);

    private static async Task<int> RunAsync(string modelDirectory, CaptionBatchOptions options, ResultTarget target, bool quiet, CancellationToken commandToken)
    {
        ImageCaptioner captioner;
        try { captioner = ImageCaptioner.Load(modelDirectory); }
        catch (Exception e) when (e is IOException or InvalidDataException or CheckpointFormatException or ArgumentException)
        {
            Console.Error.WriteLine($"pipeline caption: cannot load the model: {PipelineCli.UserMessage(e)}");
            return PipelineCli.ErrorExitCode;
        }
        if (options.AttentionMapsDirectory is not null && !captioner.Config.UseAttention)
            Console.Error.WriteLine("pipeline caption: this model has no attention (trained with --no-attention); --attention-maps writes nothing.");

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(commandToken);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;

        // A stream target (stdout, a pipe, /dev/stdout) or an image on stdin makes the run one pass, not resumable: the job
        // writes a private temporary file, which is then copied to the target with stdin's temporary name shown as "-".
        bool fromStdin = options.Inputs.Any(StandardStreams.IsDash);
        bool oneShot = !target.IsResumableFile || fromStdin;
        string scratch = Path.Combine(Path.GetTempPath(), $"pipeline-caption-{Environment.ProcessId}-{Guid.NewGuid():N}");
        string outputPath = oneShot ? Path.Combine(scratch, "captions" + Extension(target.Format)) : target.Path!;
        string errorsPath = ErrorLog.PathFor(outputPath);
        string? stdinImage = null;
        BatchSummary summary;
        try
        {
            if (oneShot) Directory.CreateDirectory(scratch);
            if (fromStdin)
            {
                stdinImage = Path.Combine(scratch, "stdin");
                await CopyStandardInputAsync(stdinImage, cancel.Token);
                options = options with { Inputs = options.Inputs.Select(i => StandardStreams.IsDash(i) ? stdinImage : i).ToList() };
            }
            using (var writer = new ResumableResultWriter(outputPath, CaptionBatchJob.KeyColumn, target.Format))
            using (var errors = new ErrorLog(errorsPath))
            {
                if (!oneShot && writer.ExistingRecords > 0 && !quiet)
                    Console.Error.WriteLine($"pipeline caption: resuming; {writer.ExistingRecords} images already in {outputPath}.");
                var inputs = CaptionBatchJob.ListInputs(options.Inputs, options.Recursive);
                foreach (var skipped in inputs.Ignored.Take(5))
                    Console.Error.WriteLine($"pipeline caption: ignored {skipped.Path}: {skipped.Reason}");
                if (inputs.Ignored.Count > 5) Console.Error.WriteLine($"pipeline caption: ignored {inputs.Ignored.Count - 5} more entries that are not images");
                summary = await CaptionBatchJob.RunAsync(captioner, options, inputs, writer, errors, cancellationToken: cancel.Token);
            }
            if (oneShot)
            {
                string Shown(string text) => stdinImage is null ? text : text.Replace(stdinImage, StandardStreams.Dash, StringComparison.Ordinal);
                using (var open = target.Open())
                    foreach (var record in File.ReadLines(outputPath)) open.Writer.WriteLine(Shown(record));
                foreach (var failure in File.ReadLines(errorsPath)) Console.Error.WriteLine($"pipeline caption: failed: {Shown(DescribeFailure(failure))}");
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            if (oneShot && Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        }

        if (!quiet)
            Console.Error.WriteLine($"pipeline caption: {summary.Completed} captioned, {summary.Skipped} skipped (already done), {summary.Failed} failed" +
                                    (summary.Ignored > 0 ? $", {summary.Ignored} ignored (not images)" : "") +
                                    (summary.Cancelled ? ", cancelled" : "") +
                                    (oneShot ? "" : $"; results in {outputPath}") +
                                    (summary.Failed > 0 && !oneShot ? $", failures in {errorsPath}" : ""));
        return summary.ExitCode;
    }

    private static string Extension(OutputFormat format) => format switch { OutputFormat.Csv => ".csv", OutputFormat.Tsv => ".tsv", _ => ".jsonl" };

    /// <summary>An errors-file line ({"key", "stage", "error"}) as "KEY: ERROR" for a human.</summary>
    private static string DescribeFailure(string jsonLine)
    {
        try
        {
            using var doc = JsonDocument.Parse(jsonLine);
            var root = doc.RootElement;
            string key = root.TryGetProperty("key", out var k) ? k.GetString() ?? "" : "";
            string error = root.TryGetProperty("error", out var e) ? e.GetString() ?? "" : jsonLine;
            return error.Contains(key, StringComparison.Ordinal) ? error : $"{key}: {error}";
        }
        catch (JsonException) { return jsonLine; }
    }

    /// <summary>Largest image accepted on stdin (as for files, a bound instead of reading without end).</summary>
    public const long MaxStdinImageBytes = 256L << 20;

    private static async Task CopyStandardInputAsync(string path, CancellationToken cancellationToken)
    {
        await using var input = StandardStreams.OpenInput();
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > MaxStdinImageBytes) throw new InvalidDataException($"the image on stdin is larger than {MaxStdinImageBytes >> 20} MiB.");
            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        if (total == 0) throw new InvalidDataException("stdin is empty: pipe an image into `pipeline caption -`.");
    }
}

/// <summary>The inputs and options of <c>pipeline caption</c>; <c>pipeline cluster caption</c> takes the same ones.</summary>
internal sealed class CaptionCommandLine
{
    public Argument<string[]> Inputs { get; } = new("INPUT") { Description = "Image files and/or folders; - reads one image from stdin.", Arity = ArgumentArity.OneOrMore };
    public Option<string?> Model { get; } = new("--model") { Description = "Model directory (from `pipeline train captioner`); default: the shipped photo captioner, data/models/captioner." };

    /// <summary>--model, or the shipped photo captioner when it is not given; null when neither exists.</summary>
    public string? ResolveModel(ParseResult parse) => parse.GetValue(Model) ?? DefaultModels.Find(DefaultModels.Captioner);
    public Option<string?> Output { get; } = new("--out") { Description = "Result file (.jsonl, .csv, .tsv), resumable: a rerun skips images already in it. Default (or -): stdout." };
    public Option<OutputFormat?> OutputFormat { get; } = ResultTarget.CreateFormatOption();
    public Option<int> Beam { get; } = new("--beam") { Description = "Beam width (1 = greedy).", DefaultValueFactory = _ => CaptionOptions.DefaultBeamSize };
    public Option<float> LengthPenalty { get; } = new("--length-penalty") { Description = "Beam length normalisation α: captions ranked by log-probability / length^α (0 = raw log-probability, favours short captions).", DefaultValueFactory = _ => CaptionOptions.DefaultLengthPenalty };
    public Option<int?> MaxLength { get; } = new("--max-length") { Description = "Maximum caption words (default: the model's)." };
    public Option<int> TopK { get; } = new("--top-k") { Description = "Captions per image: the best plus TOP_K-1 alternatives (≤ beam).", DefaultValueFactory = _ => 1 };
    public Option<bool> Recursive { get; } = new("--recursive") { Description = "Descend into sub-folders of folder inputs." };
    public Option<string?> Maps { get; } = new("--attention-maps") { Description = "Write one attention-overlay PNG per image into this folder." };
    public ChoiceOption<BatchErrorPolicy> OnError { get; } = CliOptions.Choice("--on-error", "skip: report bad files and go on; fail: stop at the first.", BatchErrorPolicy.Skip);
    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Images per forward pass.", DefaultValueFactory = _ => 16 };

    public void AddTo(Command command)
    {
        command.Arguments.Add(Inputs);
        foreach (var option in new Option[] { Model, Output, OutputFormat, Beam, LengthPenalty, MaxLength, TopK, Recursive, Maps, OnError, BatchSize })
            command.Options.Add(option);
    }

    /// <summary>The job's options (the model directory is read separately).</summary>
    /// <exception cref="ArgumentException">A value is out of range, or an input is a URL.</exception>
    public CaptionBatchOptions Parse(ParseResult parse)
    {
        var inputs = parse.GetValue(Inputs)!;
        foreach (var input in inputs)
            if (Uri.TryCreate(input, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "ftp" or "s3" or "gs")
                throw new ArgumentException($"'{input}': URLs are not supported (nothing is downloaded); download the file first, or pipe it in: curl -sL '{input}' | pipeline caption -");
        if (inputs.Count(StandardStreams.IsDash) > 1) throw new ArgumentException("'-' (stdin) can be given once.");
        return new CaptionBatchOptions(
            inputs,
            parse.GetValue(Output),
            parse.GetValue(Recursive),
            parse.GetValue(Maps),
            CaptionOptions.Default with { BeamSize = parse.GetValue(Beam), LengthPenalty = parse.GetValue(LengthPenalty), MaxLength = parse.GetValue(MaxLength), TopK = parse.GetValue(TopK) },
            new BatchOptions(BatchSize: parse.GetValue(BatchSize), OnError: OnError.Get(parse))).Validate();
    }
}
