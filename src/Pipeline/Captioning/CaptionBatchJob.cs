// Batch captioning of files and folders on top of BatchRunner: parallel decoding with retry/timeout,
// batched model runs, resumable appends to the result file, every bad file in the errors file, and
// optional attention-overlay PNGs (names made safe by SafeOutputPath and unique per input: the id plus a
// short hash of the image's full path, so dupA/x.png and dupB/x.png, or gray.jpg and gray.png, never share
// one map). Folders are listed by ImageFiles.Scan: each folder entered once (symlink cycles are skipped),
// and entries that are not images are counted in the summary (Ignored) instead of vanishing.
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
    public static IReadOnlyList<(string Path, string Id)> ExpandInputs(IEnumerable<string> inputs, bool recursive) => ListInputs(inputs, recursive).Items;

    /// <summary>
    /// As <see cref="ExpandInputs"/>, and also returns the folder entries that were left out (not an image extension, no
    /// extension, a FIFO or device, a broken link, a folder cycle), each with the reason.
    /// </summary>
    public static CaptionInputs ListInputs(IEnumerable<string> inputs, bool recursive)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var list = new List<(string, string)>();
        var ignored = new List<SkippedFile>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                string root = Path.GetFullPath(input);
                var listing = ImageFiles.Scan(root, recursive);
                foreach (var file in listing.Images)
                    list.Add((file, Path.ChangeExtension(Path.GetRelativePath(root, file), null)));
                ignored.AddRange(listing.Skipped);
            }
            else
                list.Add((Path.GetFullPath(input), Path.GetFileNameWithoutExtension(input)));
        }
        return new CaptionInputs(list, ignored);
    }

    /// <summary>
    /// The attention map's file name (without extension) for an image: its display id and the first 8 hex digits of the
    /// SHA-256 of its full path, so two inputs with the same id never overwrite each other's map, and a rerun names it the same.
    /// </summary>
    public static string AttentionMapName(string id, string imagePath)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(imagePath)));
        return $"{id}-{Convert.ToHexString(hash, 0, 4).ToLowerInvariant()}";
    }

    /// <summary>
    /// Captions every input not yet in <paramref name="output"/>, writing results there and failures to <paramref name="errors"/>.
    /// </summary>
    public static Task<BatchSummary> RunAsync(ImageCaptioner captioner, CaptionBatchOptions options, ResumableResultWriter output, ErrorLog errors,
        IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return RunAsync(captioner, options, ListInputs(options.Validate().Inputs, options.Recursive), output, errors, progress, cancellationToken);
    }

    /// <summary>
    /// Captions <paramref name="inputs"/> (listed beforehand with <see cref="ListInputs"/>, e.g. to report what was left out);
    /// the summary's <see cref="BatchSummary.Ignored"/> counts the entries it left out.
    /// </summary>
    public static async Task<BatchSummary> RunAsync(ImageCaptioner captioner, CaptionBatchOptions options, CaptionInputs inputs, ResumableResultWriter output, ErrorLog errors,
        IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(captioner);
        ArgumentNullException.ThrowIfNull(inputs);
        options.Validate();
        var items = inputs.Items;
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, id) in items) ids.TryAdd(path, id);
        bool maps = options.AttentionMapsDirectory is not null && captioner.Config.UseAttention;
        var captionOptions = maps ? options.Caption with { ReturnAttention = true } : options.Caption;

        var view = captioner.ImageOptions;
        var runner = new BatchRunner<ArraySegment<float>>(options.Batch);
        var summary = await runner.RunAsync(
            items.Select(i => i.Path),
            (path, ct) => ValueTask.FromResult(Read(captioner, path, ct)),
            (batch, ct) =>
            {
                ct.ThrowIfCancellationRequested();
                var results = captioner.CaptionPrepared(batch.Select(b => (b.Key, (ReadOnlyMemory<float>)b.Item)).ToList(), captionOptions);
                var records = results.Select(r => ToRecord(r, ids[r.Source], maps ? options.AttentionMapsDirectory : null, captionOptions.TopK, view, captioner.HasConfidence)).ToList();
                // The pixels came from the pool (Read). Returned only once the whole batch succeeded: a batch that
                // failed anywhere (model or attention-map files) keeps them for the item-by-item retry.
                foreach (var (_, pixels) in batch) BufferPool.Return(pixels.Array!);
                return records;
            },
            output, errors, progress, cancellationToken).ConfigureAwait(false);
        return summary with { Ignored = inputs.Ignored.Count };
    }

    /// <summary>
    /// Captions <paramref name="items"/> (already expanded, e.g. one shard of a cluster job) that are not yet in
    /// <paramref name="output"/>; <paramref name="options"/> supplies everything but the inputs, which it ignores.
    /// </summary>
    public static Task<BatchSummary> RunAsync(ImageCaptioner captioner, CaptionBatchOptions options, IReadOnlyList<(string Path, string Id)> items,
        ResumableResultWriter output, ErrorLog errors, IProgress<BatchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        return RunAsync(captioner, options, new CaptionInputs(items, []), output, errors, progress, cancellationToken);
    }

    private static ArraySegment<float> Read(ImageCaptioner captioner, string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist.", path);
        // Pooled: a fresh 600 KB array per 224-px photo is large-object-heap garbage that a run never collects, only pages in.
        // The pool rounds up to its size classes, so the image is the buffer's first InputLength floats.
        var buffer = BufferPool.Rent(captioner.InputLength);
        var pixels = new ArraySegment<float>(buffer, 0, captioner.InputLength);
        try { captioner.Preprocess(path, pixels); }
        catch { BufferPool.Return(buffer); throw; }
        return pixels;
    }

    private static ResultRecord ToRecord(CaptionResult result, string id, string? mapsDirectory, int topK, ImagePreprocessingOptions view, bool confidence)
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
                ? AttentionOverlay.WritePng(mapsDirectory, AttentionMapName(id, result.Source), result.Source, result.Words, attention, result.GridH, result.GridW, view: view)
                : null;
            fields.Add(new("attention_map", map));
        }
        return new ResultRecord(result.Source, fields);
    }
}

/// <summary>What a caption job will process: image paths with display ids, and the folder entries left out.</summary>
/// <param name="Items">Image paths (full) with their display ids, in processing order.</param>
/// <param name="Ignored">Folder entries that are not taken as images, with the reason.</param>
public sealed record CaptionInputs(IReadOnlyList<(string Path, string Id)> Items, IReadOnlyList<SkippedFile> Ignored);
