// `pipeline classify` as a library function: stream an input file through a TextClassifier with the
// shared BatchRunner (bounded in-flight items, resumable output keyed by id, errors file, summary).
// Reading happens in the key enumerator (one pass over the file); each item's text waits in a small
// hand-off table until the prepare stage takes it, so at most MaxInFlight texts are in memory.
using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using Pipeline.Batch;

namespace Pipeline.Classification;

/// <summary>Settings of a classify run.</summary>
/// <param name="InputPath">Texts to classify (see <see cref="ClassifyInputFormat"/>).</param>
/// <param name="OutputPath">Result file (.jsonl, .csv or .tsv); appended to and resumed from when it exists.</param>
/// <param name="Format">Input layout.</param>
/// <param name="TopK">Labels listed per text with their probabilities.</param>
/// <param name="OnError">Skip bad lines (reported in the errors file) or stop at the first one.</param>
/// <param name="BatchSize">Texts per forward pass.</param>
/// <param name="TextPreviewLength">Characters of each text copied into the output.</param>
/// <param name="TextColumn">Text column (TSV/CSV header) or field (JSON lines).</param>
/// <param name="IdColumn">Id column or field (optional in the input; default key is the line number).</param>
public sealed record ClassifyJobOptions(
    string InputPath,
    string OutputPath,
    ClassifyInputFormat Format = ClassifyInputFormat.Auto,
    int TopK = TextClassifier.DefaultTopK,
    BatchErrorPolicy OnError = BatchErrorPolicy.Skip,
    int BatchSize = 64,
    int TextPreviewLength = 80,
    string TextColumn = "text",
    string IdColumn = "id")
{
    /// <summary>The errors file beside the output (<c>out.jsonl</c> → <c>out.errors.jsonl</c>).</summary>
    public string ErrorsPath => ErrorLog.PathFor(OutputPath);
}

/// <summary>A label with its probability, as written in the <c>top_k</c> output column.</summary>
public sealed record LabelProbability([property: JsonPropertyName("label")] string Label, [property: JsonPropertyName("probability")] float Probability);

/// <summary>Runs classify jobs.</summary>
public static class ClassifyJob
{
    /// <summary>Output column holding each record's key.</summary>
    public const string KeyColumn = "id";

    /// <summary>
    /// Classifies every usable line of the input not yet in the output. Bad lines (invalid UTF-8, empty, malformed)
    /// go to the errors file; the summary's exit code is non-zero when any line failed or the run was cancelled.
    /// </summary>
    public static async Task<BatchSummary> RunAsync(TextClassifier classifier, ClassifyJobOptions options, IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        if (options.TopK < 1) throw new ArgumentOutOfRangeException(nameof(options), options.TopK, "--top-k must be at least 1");
        var input = ClassifyInputReader.Read(options.InputPath, options.Format, options.TextColumn, options.IdColumn);
        var topClassifier = classifier.TopK == options.TopK ? classifier : classifier.WithTopK(options.TopK);
        using var output = new ResumableResultWriter(options.OutputPath, KeyColumn);
        using var errors = new ErrorLog(options.ErrorsPath);
        var pending = new ConcurrentDictionary<string, ClassifyInputLine>(StringComparer.Ordinal);

        IEnumerable<string> Keys()
        {
            foreach (var line in input)
            {
                // Finished keys are skipped by the runner; only keys it will prepare are parked for it.
                if (!output.IsDone(line.Key)) pending.TryAdd(line.Key, line);
                yield return line.Key;
            }
        }

        ValueTask<ClassifyInputLine> Prepare(string key, CancellationToken _)
        {
            if (!pending.TryRemove(key, out var line)) throw new InvalidOperationException($"id {key}: duplicate id in the input");
            if (line.Error is not null) throw new InvalidDataException(line.Error);
            return ValueTask.FromResult(line);
        }

        IReadOnlyList<ResultRecord> Compute(IReadOnlyList<(string Key, ClassifyInputLine Item)> batch, CancellationToken _)
        {
            var predictions = topClassifier.PredictMany(batch.Select(b => b.Item.Text!), options.BatchSize);
            var records = new ResultRecord[batch.Count];
            for (int i = 0; i < batch.Count; i++)
            {
                var (key, item) = batch[i];
                var p = predictions[i];
                records[i] = new ResultRecord(key,
                [
                    new(KeyColumn, key),
                    new("text", Preview(item.Text!, options.TextPreviewLength)),
                    new("label", p.Label),
                    new("confidence", p.Confidence),
                    new("top_k", p.TopK.Select(t => new LabelProbability(t.Label, t.Probability)).ToArray()),
                ]);
            }
            return records;
        }

        // Reading is cheap next to the model, so one prepare worker suffices; the batch size is the model's.
        var runner = new BatchRunner<ClassifyInputLine>(new BatchOptions(BatchSize: options.BatchSize, PrepareWorkers: 4, MaxInFlight: Math.Max(8 * options.BatchSize, 512), OnError: options.OnError, Retries: 0));
        return await runner.RunAsync(Keys(), Prepare, Compute, output, errors, progress, cancellationToken);
    }

    /// <summary>The first <paramref name="length"/> characters of <paramref name="text"/> on one line, with "…" when cut.</summary>
    public static string Preview(string text, int length)
    {
        var flat = text.ReplaceLineEndings(" ");
        return flat.Length <= length ? flat : flat[..length] + "…";
    }
}
