// `pipeline caption INPUT... --model DIR`: parses the command line into CaptionBatchOptions and runs
// CaptionBatchJob (resumable output, errors file, retries/timeouts, optional attention overlays).
// Without --out the captions go to standard output via a temporary file: such a run is not resumable.
using System.CommandLine;
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
        var command = new Command("caption", "Caption images with a trained captioner.");
        line.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            CaptionBatchOptions options;
            try { options = line.Parse(parse); }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"caption: {PipelineCli.UserMessage(e)}");
                return 2;
            }
            if (line.ResolveModel(parse) is not { } modelDirectory)
            {
                Console.Error.WriteLine("caption: no --model given and the shipped model data/models/captioner was not found from the current folder or the program's folder.");
                return 2;
            }
            return await RunAsync(modelDirectory, options, cancellationToken);
        });
        return command;
    }

    public static async Task<int> RunAsync(string modelDirectory, CaptionBatchOptions options, CancellationToken commandToken)
    {
        ImageCaptioner captioner;
        try { captioner = ImageCaptioner.Load(modelDirectory); }
        catch (Exception e) when (e is IOException or InvalidDataException or CheckpointFormatException or ArgumentException)
        {
            Console.Error.WriteLine($"caption: cannot load the model: {PipelineCli.UserMessage(e)}");
            return 2;
        }
        if (options.AttentionMapsDirectory is not null && !captioner.Config.UseAttention)
            Console.Error.WriteLine("caption: this model has no attention (trained with --no-attention); --attention-maps writes nothing.");

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(commandToken);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;

        bool toStdout = options.OutputPath is null;
        string outputPath = options.OutputPath ?? Path.Combine(Path.GetTempPath(), $"pipeline-caption-{Environment.ProcessId}-{Guid.NewGuid():N}.jsonl");
        if (toStdout)
            Console.Error.WriteLine("caption: no --out given; printing JSON lines to stdout (this run is not resumable — use --out FILE to resume after an interruption).");
        string errorsPath = ErrorLog.PathFor(outputPath);
        BatchSummary summary;
        try
        {
            using (var writer = new ResumableResultWriter(outputPath, CaptionBatchJob.KeyColumn))
            using (var errors = new ErrorLog(errorsPath))
            {
                if (!toStdout && writer.ExistingRecords > 0)
                    Console.Error.WriteLine($"caption: resuming; {writer.ExistingRecords} images already in {outputPath}.");
                var inputs = CaptionBatchJob.ListInputs(options.Inputs, options.Recursive);
                foreach (var skipped in inputs.Ignored.Take(5))
                    Console.Error.WriteLine($"caption: ignored {skipped.Path}: {skipped.Reason}");
                if (inputs.Ignored.Count > 5) Console.Error.WriteLine($"caption: ignored {inputs.Ignored.Count - 5} more entries that are not images");
                summary = await CaptionBatchJob.RunAsync(captioner, options, inputs, writer, errors, cancellationToken: cancel.Token);
            }
            if (toStdout)
            {
                foreach (var line in File.ReadLines(outputPath)) Console.WriteLine(line);
                foreach (var line in File.ReadLines(errorsPath)) Console.Error.WriteLine($"caption: failed: {line}");
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            if (toStdout)
                foreach (var file in new[] { outputPath, errorsPath, OutputFileGuard.LockPathFor(outputPath), OutputFileGuard.LockPathFor(errorsPath) })
                    File.Delete(file);
        }

        Console.Error.WriteLine($"caption: {summary.Completed} captioned, {summary.Skipped} skipped (already done), {summary.Failed} failed" +
                                (summary.Ignored > 0 ? $", {summary.Ignored} ignored (not images)" : "") +
                                (summary.Cancelled ? ", cancelled" : "") +
                                (toStdout ? "" : $"; results in {outputPath}") +
                                (summary.Failed > 0 && !toStdout ? $", failures in {errorsPath}" : ""));
        return summary.ExitCode;
    }
}

/// <summary>The inputs and options of <c>pipeline caption</c>; <c>pipeline cluster caption</c> takes the same ones.</summary>
internal sealed class CaptionCommandLine
{
    public Argument<string[]> Inputs { get; } = new("INPUT") { Description = "Image files and/or folders.", Arity = ArgumentArity.OneOrMore };
    public Option<string?> Model { get; } = new("--model") { Description = "Model directory (from `pipeline train captioner`); default: the shipped photo captioner, data/models/captioner." };

    /// <summary>--model, or the shipped photo captioner when it is not given; null when neither exists.</summary>
    public string? ResolveModel(ParseResult parse) => parse.GetValue(Model) ?? DefaultModels.Find(DefaultModels.Captioner);
    public Option<string?> Output { get; } = new("--out") { Description = "Result file: .jsonl (default), .csv or .tsv; reruns skip images already in it. Omitted: print to stdout (not resumable)." };
    public Option<int> Beam { get; } = new("--beam") { Description = "Beam width (1 = greedy).", DefaultValueFactory = _ => CaptionOptions.Default.BeamSize };
    public Option<float> LengthPenalty { get; } = new("--length-penalty") { Description = "Beam length normalisation α: candidates ranked by log-probability / length^α (0 = raw log-probability, which favours short captions).", DefaultValueFactory = _ => CaptionOptions.Default.LengthPenalty };
    public Option<int?> MaxLength { get; } = new("--max-length") { Description = "Maximum caption words (default: the model's)." };
    public Option<int> TopK { get; } = new("--top-k") { Description = "Captions per image: the best plus TOP_K-1 alternatives (≤ beam).", DefaultValueFactory = _ => 1 };
    public Option<bool> Recursive { get; } = new("--recursive") { Description = "Descend into sub-folders of folder inputs." };
    public Option<string?> Maps { get; } = new("--attention-maps") { Description = "Write one attention-overlay PNG per image into this folder." };
    public Option<BatchErrorPolicy> OnError { get; } = new("--on-error") { Description = "skip: report bad files and go on; fail: stop at the first.", DefaultValueFactory = _ => BatchErrorPolicy.Skip };
    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Images per forward pass.", DefaultValueFactory = _ => 16 };

    public void AddTo(Command command)
    {
        command.Arguments.Add(Inputs);
        foreach (var option in new Option[] { Model, Output, Beam, LengthPenalty, MaxLength, TopK, Recursive, Maps, OnError, BatchSize })
            command.Options.Add(option);
    }

    /// <summary>The job's options (the model directory is read separately).</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public CaptionBatchOptions Parse(ParseResult parse) => new CaptionBatchOptions(
        parse.GetValue(Inputs)!,
        parse.GetValue(Output),
        parse.GetValue(Recursive),
        parse.GetValue(Maps),
        CaptionOptions.Default with { BeamSize = parse.GetValue(Beam), LengthPenalty = parse.GetValue(LengthPenalty), MaxLength = parse.GetValue(MaxLength), TopK = parse.GetValue(TopK) },
        new BatchOptions(BatchSize: parse.GetValue(BatchSize), OnError: parse.GetValue(OnError))).Validate();
}
