// `pipeline classify` as a library function: stream an input file through a TextClassifier with the
// shared BatchRunner (bounded in-flight items, resumable output, errors file, summary).
// Each record is identified by its input line number (the `line` column), not by the user's id: ids may
// repeat or be missing, line numbers cannot, and they let the output's completion index be one bit per
// line (OrdinalCompletionIndex) instead of a string per line — memory stays flat at any corpus size.
// The input lines travel with their keys through the runner's bounded queues, so at most MaxInFlight
// texts are in memory, each at most MaxLineBytes long. Because records are keyed by position, the output
// carries a fingerprint of the input (InputFingerprint): a rerun against a changed input is refused.
using System.Globalization;
using System.Text.Json.Serialization;
using Pipeline.Batch;
using Pipeline.Preprocessing.Files;

namespace Pipeline.Classification;

/// <summary>Settings of a classify run.</summary>
/// <param name="InputPath">Texts to classify (see <see cref="ClassifyInputFormat"/>).</param>
/// <param name="OutputPath">Result file (.jsonl, .csv or .tsv); appended to and resumed from when it exists.</param>
/// <param name="Format">Input layout.</param>
/// <param name="TopK">Labels listed per text with their probabilities.</param>
/// <param name="OnError">Skip bad lines (reported in the errors file) or stop at the first one.</param>
/// <param name="BatchSize">Texts per forward pass.</param>
/// <param name="TextPreviewLength">Characters of each text copied into the output (default: the whole text, on one line).</param>
/// <param name="TextColumn">Text column (TSV/CSV header) or field (JSON lines).</param>
/// <param name="IdColumn">Id column or field (optional in the input; default id is the line number). Ids are copied to the output; they need not be unique.</param>
/// <param name="MaxLineBytes">Longest input line classified; a longer line is reported in the errors file without being read into memory.</param>
public sealed record ClassifyJobOptions(
    string InputPath,
    string OutputPath,
    ClassifyInputFormat Format = ClassifyInputFormat.Auto,
    int TopK = TextClassifier.DefaultTopK,
    BatchErrorPolicy OnError = BatchErrorPolicy.Skip,
    int BatchSize = 64,
    int TextPreviewLength = int.MaxValue,
    string TextColumn = "text",
    string IdColumn = "id",
    int MaxLineBytes = BoundedLineReader.DefaultMaxLineBytes)
{
    /// <summary>The errors file beside the output (<c>out.jsonl</c> → <c>out.errors.jsonl</c>).</summary>
    public string ErrorsPath => ErrorLog.PathFor(OutputPath);
}

/// <summary>A label with its probability, as written in the <c>top_k</c> output column.</summary>
public sealed record LabelProbability([property: JsonPropertyName("label")] string Label, [property: JsonPropertyName("probability")] float Probability);

/// <summary>Runs classify jobs.</summary>
public static class ClassifyJob
{
    /// <summary>Output column holding the input's id (or the line number when the input has none).</summary>
    public const string IdColumn = "id";

    /// <summary>Output column holding the 1-based input line number: the key a rerun resumes by (one bit per line).</summary>
    public const string LineColumn = "line";

    /// <summary>
    /// Classifies every usable line of the input not yet in the output (blank lines are passed over). Bad lines (invalid UTF-8, malformed)
    /// go to the errors file, keyed by line number; the summary's exit code is non-zero when any line failed or the run
    /// was cancelled.
    /// </summary>
    /// <exception cref="InvalidDataException">The existing output cannot be resumed (e.g. written by a version without the <c>line</c> column).</exception>
    public static async Task<BatchSummary> RunAsync(TextClassifier classifier, ClassifyJobOptions options, IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        if (options.TopK < 1) throw new ArgumentOutOfRangeException(nameof(options), options.TopK, "--top-k must be at least 1");
        if (options.MaxLineBytes < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MaxLineBytes, "the line length limit must be at least 1 byte");
        var input = ClassifyInputReader.Read(options.InputPath, options.Format, options.TextColumn, options.IdColumn, options.MaxLineBytes);
        RefuseInputAsOutput(options.InputPath, options.OutputPath);
        RefuseInputAsOutput(options.InputPath, options.ErrorsPath);
        using var output = new ResumableResultWriter(options.OutputPath, CreateCompletionIndex());
        // Records are keyed by line number: resume only against the input they were computed from (or an extension of it).
        output.BindInput(options.InputPath);
        using var errors = new ErrorLog(options.ErrorsPath);
        return await RunAsync(classifier, options, input, output, errors, progress, cancellationToken);
    }

    /// <summary>The completion index classify outputs are keyed by: one bit per input line (<see cref="LineColumn"/>).</summary>
    public static OrdinalCompletionIndex CreateCompletionIndex() => new(LineColumn);

    /// <summary>
    /// Classifies the lines of <paramref name="input"/> (the whole file, or one line range of it such as a cluster shard)
    /// into <paramref name="output"/> and <paramref name="errors"/>; of <paramref name="options"/> only the model settings
    /// (top-k, batch size, preview length, error policy) are used.
    /// </summary>
    public static async Task<BatchSummary> RunAsync(TextClassifier classifier, ClassifyJobOptions options, IEnumerable<ClassifyInputLine> input,
        ResumableResultWriter output, ErrorLog errors, IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(input);
        if (options.TopK < 1) throw new ArgumentOutOfRangeException(nameof(options), options.TopK, "--top-k must be at least 1");
        var reporting = new ClassifyOptions(TopK: options.TopK);

        static string KeyOf(ClassifyInputLine line) => line.LineNumber.ToString(CultureInfo.InvariantCulture);

        static ValueTask<ClassifyInputLine> Prepare(ClassifyInputLine line, CancellationToken _) =>
            line.Error is not null ? throw new InvalidDataException(line.Error) : ValueTask.FromResult(line);

        IReadOnlyList<ResultRecord> Compute(IReadOnlyList<(string Key, ClassifyInputLine Item)> batch, CancellationToken _)
        {
            var predictions = classifier.PredictMany(batch.Select(b => b.Item.Text!), reporting, options.BatchSize);
            var records = new ResultRecord[batch.Count];
            for (int i = 0; i < batch.Count; i++)
                records[i] = ToRecord(batch[i].Key, batch[i].Item, predictions[i], options.TextPreviewLength);
            return records;
        }

        // Preparing is only a check of the already-read line, so a few workers keep up with any model; the batch size is the model's.
        var runner = new BatchRunner<ClassifyInputLine>(new BatchOptions(BatchSize: options.BatchSize, PrepareWorkers: 4, MaxInFlight: Math.Max(8 * options.BatchSize, 512), OnError: options.OnError, Retries: 0));
        return await runner.RunAsync(input, KeyOf, Prepare, Compute, output, errors, progress, cancellationToken);
    }

    /// <summary>The output record of one classified line (the layout every classify output has, file or stream).</summary>
    public static ResultRecord ToRecord(string key, ClassifyInputLine item, Prediction prediction, int textPreviewLength) =>
        // `line` goes last so the first columns (id, text, label, …) read as before in CSV/TSV.
        new(key,
        [
            new(IdColumn, item.Key),
            new("text", Preview(item.Text!, textPreviewLength)),
            new("label", prediction.Label),
            new("confidence", prediction.Confidence),
            new("top_k", prediction.TopK.Select(t => new LabelProbability(t.Label, t.Probability)).ToArray()),
            new(LineColumn, item.LineNumber),
        ]);

    private static void RefuseInputAsOutput(string inputPath, string outputPath)
    {
        var input = FileSystemEntry.Stat(inputPath);
        var output = FileSystemEntry.Stat(outputPath);
        bool same = input.Identity is { } a && output.Identity is { } b ? a == b
            : string.Equals(Path.GetFullPath(inputPath), Path.GetFullPath(outputPath), StringComparison.Ordinal);
        if (same && output.Kind != FileKind.Missing)
            throw new ArgumentException($"the output '{outputPath}' is the input file itself; choose another output file (default: INPUT.predictions.jsonl).");
    }

    /// <summary>The first <paramref name="length"/> characters of <paramref name="text"/> on one line, with "…" when cut (never cut at <see cref="int.MaxValue"/>).</summary>
    public static string Preview(string text, int length)
    {
        var flat = text.ReplaceLineEndings(" ");
        return flat.Length <= length ? flat : flat[..length] + "…";
    }
}
