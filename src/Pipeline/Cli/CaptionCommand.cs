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
        var inputs = new Argument<string[]>("INPUT") { Description = "Image files and/or folders.", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string>("--model") { Description = "Model directory (from `pipeline train captioner`).", Required = true };
        var output = new Option<string?>("--out") { Description = "Result file: .jsonl (default), .csv or .tsv; reruns skip images already in it. Omitted: print to stdout (not resumable)." };
        var beam = new Option<int>("--beam") { Description = "Beam width (1 = greedy).", DefaultValueFactory = _ => 3 };
        var maxLength = new Option<int?>("--max-length") { Description = "Maximum caption words (default: the model's)." };
        var topK = new Option<int>("--top-k") { Description = "Captions per image: the best plus TOP_K-1 alternatives (≤ beam).", DefaultValueFactory = _ => 1 };
        var recursive = new Option<bool>("--recursive") { Description = "Descend into sub-folders of folder inputs." };
        var maps = new Option<string?>("--attention-maps") { Description = "Write one attention-overlay PNG per image into this folder." };
        var onError = new Option<BatchErrorPolicy>("--on-error") { Description = "skip: report bad files and go on; fail: stop at the first.", DefaultValueFactory = _ => BatchErrorPolicy.Skip };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per forward pass.", DefaultValueFactory = _ => 16 };

        var command = new Command("caption", "Caption images with a trained captioner.");
        command.Arguments.Add(inputs);
        foreach (var option in new Option[] { model, output, beam, maxLength, topK, recursive, maps, onError, batchSize })
            command.Options.Add(option);
        command.SetAction(async (parse, cancellationToken) =>
        {
            CaptionBatchOptions options;
            try
            {
                options = new CaptionBatchOptions(
                    parse.GetValue(inputs)!,
                    parse.GetValue(output),
                    parse.GetValue(recursive),
                    parse.GetValue(maps),
                    new CaptionOptions(BeamSize: parse.GetValue(beam), MaxLength: parse.GetValue(maxLength), TopK: parse.GetValue(topK)),
                    new BatchOptions(BatchSize: parse.GetValue(batchSize), OnError: parse.GetValue(onError))).Validate();
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"caption: {PipelineCli.UserMessage(e)}");
                return 2;
            }
            return await RunAsync(parse.GetValue(model)!, options, cancellationToken);
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
