// Batch captioning of files and folders on top of BatchRunner: parallel decoding with retry/timeout,
// batched model runs, resumable appends to the result file, every bad file in the errors file, and
// optional attention-overlay PNGs (names made safe by SafeOutputPath).
// Result columns: image, caption, score [, confidence] [, alternatives] [, attention_map]; confidence when the
// model has an in-domain density (domain.safetensors), for every record of the run.
using Pipeline.Batch;
using Pipeline.Models.Tensors;
using Pipeline.Preprocessing.Images;
using Pipeline.Reports;

namespace Pipeline.Captioning;

/// <summary>Runs <see cref="ImageCaptioner"/> over many files with resumable output.</summary>
public static class CaptionBatchJob
{
    /// <summary>Name of the key column (the image path).</summary>
    public const string KeyColumn = "image";

    /// <summary>
    /// Expands <paramref name="inputs"/> into image paths with a display id each: files are taken as given (a file
    /// that is not an image fails later and is reported), folders contribute their image files (sorted) and the id
    /// is the path relative to the folder (without extension; it names the attention map). Paths that do not exist are kept so that they are reported as failures.
    /// </summary>
    public static IReadOnlyList<(string Path, string Id)> ExpandInputs(IEnumerable<string> inputs, bool recursive)
    {
        var list = new List<(string, string)>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                string root = Path.GetFullPath(input);
                foreach (var file in ImageFiles.List(root, recursive))
                    list.Add((file, Path.ChangeExtension(Path.GetRelativePath(root, file), null)));
            }
            else
                list.Add((Path.GetFullPath(input), Path.GetFileNameWithoutExtension(input)));
        }
        return list;
    }

    /// <summary>
    /// Captions every input not yet in <paramref name="output"/>, writing results there and failures to <paramref name="errors"/>.
    /// </summary>
    public static async Task<BatchSummary> RunAsync(ImageCaptioner captioner, CaptionBatchOptions options, ResumableResultWriter output, ErrorLog errors,
        IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(captioner);
        options.Validate();
        var items = ExpandInputs(options.Inputs, options.Recursive);
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, id) in items) ids.TryAdd(path, id);
        bool maps = options.AttentionMapsDirectory is not null && captioner.Config.UseAttention;
        var captionOptions = maps ? options.Caption with { ReturnAttention = true } : options.Caption;

        var runner = new BatchRunner<float[]>(options.Batch);
        return await runner.RunAsync(
            items.Select(i => i.Path),
            (path, ct) => ValueTask.FromResult(Read(captioner, path, ct)),
            (batch, ct) =>
            {
                ct.ThrowIfCancellationRequested();
                var results = captioner.CaptionPrepared(batch.Select(b => (b.Key, b.Item)).ToList(), captionOptions);
                var records = results.Select(r => ToRecord(r, ids[r.Source], maps ? options.AttentionMapsDirectory : null, captionOptions.TopK, captioner.HasConfidence)).ToList();
                // The pixels came from the pool (Read). Returned only once the whole batch succeeded: a batch that
                // failed anywhere (model or attention-map files) keeps them for the item-by-item retry.
                foreach (var (_, pixels) in batch) BufferPool.Return(pixels);
                return records;
            },
            output, errors, progress, cancellationToken).ConfigureAwait(false);
    }

    private static float[] Read(ImageCaptioner captioner, string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist.", path);
        // Pooled: a fresh 600 KB array per 224-px photo is large-object-heap garbage that a run never collects, only pages in.
        var pixels = BufferPool.Rent(captioner.InputLength);
        try { captioner.Preprocess(path, pixels); }
        catch { BufferPool.Return(pixels); throw; }
        return pixels;
    }

    private static ResultRecord ToRecord(CaptionResult result, string id, string? mapsDirectory, int topK, bool confidence)
    {
        var fields = new List<KeyValuePair<string, object?>>
        {
            new(KeyColumn, result.Source),
            new("caption", result.Caption),
            new("score", MathF.Round(result.Score, 4)),
        };
        if (confidence)
            fields.Add(new("confidence", result.Confidence is { } c ? Math.Round(c, 4) : null));
        if (topK > 1)
            fields.Add(new("alternatives", result.Alternatives.Select(a => a.Caption).ToArray()));
        if (mapsDirectory is not null)
        {
            string? map = result.Attention is { Length: > 0 } attention
                ? AttentionOverlay.WritePng(mapsDirectory, id, result.Source, result.Words, attention, result.GridH, result.GridW)
                : null;
            fields.Add(new("attention_map", map));
        }
        return new ResultRecord(result.Source, fields);
    }
}
