// The application-facing captioner: loads a model directory written by training (weights, config,
// vocabulary, tokenizer), preprocesses images exactly as training did (resize shorter side, centre crop,
// normalise with the model's mean/std, no flips), encodes them in batches and decodes greedily or with
// beam search (CaptionOptions.Default: beam 3, length penalty 1, the CLI's defaults too). Inference keeps no
// per-call state in the model (eval mode, no autograd; tensor scopes are per thread), so one instance serves
// concurrent callers. The weights live in buffers rented from the engine's BufferPool (a loaded ResNet-18
// captioner holds ~45 MB); Dispose gives them back, after the calls in flight have finished. Nothing else is
// held: the model files are read into memory and closed at load (no memory mapping, no open handles).
// Key: B = images in a batch, S = image side, R = GridH·GridW encoder regions, F = feature size.
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Batch;
using Pipeline.Models.Autograd;
using Pipeline.Models.Captioning;
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Tensors;
using Pipeline.ModelFiles;
using Pipeline.Preprocessing.Images;
using Pipeline.Preprocessing.Text;

namespace Pipeline.Captioning;

/// <summary>
/// Captions images with a trained <see cref="CaptionModel"/>. Thread-safe: share one instance. Dispose it to return the
/// model's pooled weight buffers (calls still running finish first; later calls throw <see cref="ObjectDisposedException"/>).
/// </summary>
/// <example>
/// <code>
/// using var captioner = ImageCaptioner.Load("data/models/captioner");
/// Console.WriteLine(captioner.Caption("photo.png").Caption);                   // beam 3, length penalty 1 (CaptionOptions.Default)
/// await foreach (var result in captioner.CaptionAsync(Directory.EnumerateFiles("photos"), CaptionOptions.Default with { TopK = 2 }, cancellationToken: token))
///     Console.WriteLine($"{result.Source}: {result.Caption}");
/// </code>
/// </example>
public sealed class ImageCaptioner : IDisposable
{
    /// <summary>Images per forward pass in <see cref="CaptionMany"/> unless told otherwise.</summary>
    public const int DefaultBatchSize = 16;

    private readonly CaptionModel model;
    private readonly ITokenizer tokenizer;
    private readonly ImagePipeline images;
    private readonly ILogger logger;
    private readonly FeatureDensity? density;
    private readonly ModelLease lease;

    private ImageCaptioner(CaptionModel model, CaptionerConfig config, Vocabulary vocabulary, ITokenizer tokenizer, ILogger logger, FeatureDensity? density)
    {
        this.model = model;
        this.density = density;
        this.tokenizer = tokenizer;
        this.logger = logger;
        lease = new ModelLease(model);
        Config = config;
        Vocabulary = vocabulary;
        images = new ImagePipeline(new ImagePreprocessingOptions
        {
            Size = config.ImageSize,
            RandomHorizontalFlip = false,
            Mean = new ChannelStats(config.ImageMean[0], config.ImageMean[1], config.ImageMean[2]),
            Std = new ChannelStats(config.ImageStd[0], config.ImageStd[1], config.ImageStd[2]),
        });
    }

    /// <summary>The model's configuration.</summary>
    public CaptionerConfig Config { get; }

    /// <summary>How images are preprocessed for this model (size, resize, centre crop, normalisation): what the model "sees".</summary>
    public ImagePreprocessingOptions ImageOptions => images.Options;

    /// <summary>The model's vocabulary.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Encoder grid height (attention rows).</summary>
    public int GridHeight => model.GridHeight;

    /// <summary>Encoder grid width (attention columns).</summary>
    public int GridWidth => model.GridWidth;

    /// <summary>
    /// Loads the model in <paramref name="modelDir"/> (model.safetensors, config.json, vocab.json, tokenizer.json).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">A required file is missing (the message names it).</exception>
    /// <exception cref="InvalidDataException">The files disagree (vocabulary size vs. embedding rows) or the weights do not fit the config.</exception>
    public static ImageCaptioner Load(string modelDir, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(modelDir);
        logger ??= NullLogger.Instance;
        var (config, vocabulary, tokenizerSpec) = CaptionerDirectory.ReadMetadata(modelDir);
        // Check the weights' header against config and vocabulary before allocating the model (untrusted files).
        if (File.Exists(Path.Combine(modelDir, Checkpoint.ModelFile)))
        {
            try { ModelFiles.ModelDirectoryValidator.Validate(modelDir, ModelFiles.ModelDirectorySpecs.Captioner(modelDir)); }
            catch (ModelFiles.ModelDirectoryException e) { throw new InvalidDataException(e.Message, e); }
        }
        var model = new CaptionModel(config, new Generator(0));
        model.LoadPretrainedWeights();
        try { Checkpoint.LoadModel(modelDir, model, strict: true); }
        catch (CheckpointFormatException e) { throw new InvalidDataException($"{Path.Combine(modelDir, Checkpoint.ModelFile)} does not fit {Checkpoint.ConfigFile}: {e.Message}", e); }
        model.Eval();
        logger.LogInformation("Loaded captioner from {ModelDir}: {Parameters:N0} parameters, {Vocabulary} words, {Size}px input, attention {Attention}",
            modelDir, model.ParameterCount(), vocabulary.Count, config.ImageSize, config.UseAttention ? "on" : "off");
        string densityPath = Path.Combine(modelDir, FeatureDensity.FileName);
        FeatureDensity? density = null;
        if (File.Exists(densityPath))
        {
            try { density = FeatureDensity.Load(densityPath, model.FeatureSize); }
            catch (CheckpointFormatException e) { throw new InvalidDataException(e.Message, e); }
        }
        return new ImageCaptioner(model, config, vocabulary, tokenizerSpec.Create(), logger, density);
    }

    /// <summary>Whether results carry <see cref="CaptionResult.Confidence"/> (the model directory has a domain.safetensors).</summary>
    public bool HasConfidence => density is not null;

    /// <summary>Captions the image file at <paramref name="path"/> (default options: <see cref="CaptionOptions.Default"/>).</summary>
    /// <exception cref="ImageDecodeException">The file is not a decodable image.</exception>
    /// <exception cref="ObjectDisposedException">The captioner was disposed.</exception>
    public CaptionResult Caption(string path, CaptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return CaptionPrepared([(path, Preprocess(path))], options)[0];
    }

    /// <summary>Captions an encoded image (PNG, JPEG, ...) read from <paramref name="image"/>; <paramref name="name"/> becomes <see cref="CaptionResult.Source"/>.</summary>
    /// <exception cref="ImageDecodeException">The bytes are not a decodable image.</exception>
    public CaptionResult Caption(Stream image, string name = "<stream>", CaptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var buffer = new MemoryStream();
        image.CopyTo(buffer);
        var rgb = images.LoadRgb(buffer.ToArray(), name);
        var resized = Preprocessing.Images.ResizeStage.Apply(rgb, images.Options.EffectiveResizeSize, images.Options.Resize);
        var chw = new float[images.ImageLength];
        images.ToChw(resized, chw);
        return CaptionPrepared([(name, chw)], options)[0];
    }

    /// <summary>Captions many files, <paramref name="batchSize"/> images per forward pass, in input order. The first undecodable file throws.</summary>
    public IReadOnlyList<CaptionResult> CaptionMany(IEnumerable<string> paths, CaptionOptions? options = null, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var results = new List<CaptionResult>();
        foreach (var chunk in paths.Chunk(batchSize))
            results.AddRange(CaptionPrepared(chunk.Select(p => (p, Preprocess(p))).ToList(), options));
        return results;
    }

    /// <summary>
    /// Streams the captions of <paramref name="paths"/> in input order, <paramref name="batchSize"/> images per forward pass
    /// (decoding and the model run off the caller's thread). Cancellation is checked between batches. The first
    /// undecodable file throws <see cref="ImageDecodeException"/>; use <see cref="CaptionBatchJob"/> to skip and report bad files.
    /// </summary>
    /// <param name="paths">Image files.</param>
    /// <param name="options">Decoding settings; null = <see cref="CaptionOptions.Default"/>.</param>
    /// <param name="batchSize">Images per forward pass.</param>
    /// <param name="cancellationToken">Stops the stream between batches.</param>
    public IAsyncEnumerable<CaptionResult> CaptionAsync(IEnumerable<string> paths, CaptionOptions? options = null, int batchSize = DefaultBatchSize,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return CaptionAsync(AsyncBatches.AsAsync(paths), options, batchSize, cancellationToken);
    }

    /// <summary>
    /// Streams the captions of the image files that <paramref name="paths"/> produces (e.g. files arriving in a watched
    /// folder), in input order: a batch is captioned as soon as <paramref name="batchSize"/> paths have arrived or the
    /// source ends. The first undecodable file throws <see cref="ImageDecodeException"/>.
    /// </summary>
    /// <param name="paths">Image files, as they arrive.</param>
    /// <param name="options">Decoding settings; null = <see cref="CaptionOptions.Default"/>.</param>
    /// <param name="batchSize">Images per forward pass.</param>
    /// <param name="cancellationToken">Stops the stream (passed on to <paramref name="paths"/>, checked between batches).</param>
    public IAsyncEnumerable<CaptionResult> CaptionAsync(IAsyncEnumerable<string> paths, CaptionOptions? options = null, int batchSize = DefaultBatchSize,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        // Validated here, so a bad option fails at the call rather than at the first MoveNextAsync.
        var validated = (options ?? CaptionOptions.Default).Validate();
        ObjectDisposedException.ThrowIf(lease.IsDisposed, this);
        return AsyncBatches.Stream(paths, batchSize, batch => CaptionPrepared(batch.Select(p => (p ?? throw new ArgumentException("a path is null", nameof(paths)), Preprocess(p))).ToList(), validated), cancellationToken);
    }

    /// <summary>Streams captions of many files batch by batch; the older name of <see cref="CaptionAsync(IEnumerable{string}, CaptionOptions?, int, CancellationToken)"/>.</summary>
    [Obsolete("Use CaptionAsync.")]
    public IAsyncEnumerable<CaptionResult> CaptionManyAsync(IEnumerable<string> paths, CaptionOptions? options = null, int batchSize = DefaultBatchSize,
        CancellationToken cancellationToken = default) => CaptionAsync(paths, options, batchSize, cancellationToken);

    /// <summary>Decodes and preprocesses one file into the model's CHW input (3·S² floats). Thread-safe; used by batch jobs to read in parallel.</summary>
    /// <exception cref="ImageDecodeException">The file is not a decodable image.</exception>
    public float[] Preprocess(string path) => images.Process(path);

    /// <summary>Floats of one preprocessed image: 3·S².</summary>
    public int InputLength => images.ImageLength;

    /// <summary>As <see cref="Preprocess(string)"/>, into <paramref name="destination"/> (<see cref="InputLength"/> floats; e.g. a pooled buffer).</summary>
    /// <exception cref="ImageDecodeException">The file is not a decodable image.</exception>
    public void Preprocess(string path, Span<float> destination)
    {
        if (destination.Length != InputLength) throw new ArgumentException($"The destination has {destination.Length} floats; the model expects {InputLength}.", nameof(destination));
        images.Process(path, destination);
    }

    /// <summary>Captions images already preprocessed by <see cref="Preprocess(string)"/>, as one batch.</summary>
    /// <param name="batch">Per image, its name (becomes <see cref="CaptionResult.Source"/>) and its CHW pixels (3·S² floats).</param>
    /// <param name="options">Decoding settings; null = <see cref="CaptionOptions.Default"/>.</param>
    /// <exception cref="ObjectDisposedException">The captioner was disposed.</exception>
    public IReadOnlyList<CaptionResult> CaptionPrepared(IReadOnlyList<(string Source, float[] Pixels)> batch, CaptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return CaptionPrepared(batch.Select(b => (b.Source, (ReadOnlyMemory<float>)b.Pixels)).ToList(), options);
    }

    /// <summary>As the public overload, on views (e.g. the first <see cref="InputLength"/> floats of pooled buffers, which may be longer).</summary>
    internal IReadOnlyList<CaptionResult> CaptionPrepared(IReadOnlyList<(string Source, ReadOnlyMemory<float> Pixels)> batch, CaptionOptions? options = null)
    {
        using var use = lease.Use(this);
        ArgumentNullException.ThrowIfNull(batch);
        options = (options ?? CaptionOptions.Default).Validate();
        if (batch.Count == 0) return [];
        int side = Config.ImageSize, length = 3 * side * side;
        for (int i = 0; i < batch.Count; i++)
        {
            if (batch[i].Pixels.Length != length)
                throw new ArgumentException($"Image '{batch[i].Source}' has {batch[i].Pixels.Length} floats; the model expects 3x{side}x{side} = {length}.", nameof(batch));
        }
        var decode = new DecodeOptions(options.BeamSize, options.MaxLength ?? Config.MaxCaptionLength, options.LengthPenalty, options.TopK,
            options.ReturnAttention && Config.UseAttention);

        IReadOnlyList<CaptionHypothesis> hypotheses;
        double[]? confidence = null;
        using (GradMode.NoGrad())
        using (new TensorScope())
        {
            // Copied straight into a pooled tensor (disposed here), not through a fresh batch-sized array.
            using var input = Tensor.Zeros(batch.Count, 3, side, side);                // (B, 3, S, S)
            for (int i = 0; i < batch.Count; i++) batch[i].Pixels.Span.CopyTo(input.Data.Slice(i * length, length));
            var features = model.Encode(input);                                    // (B, R, F)
            if (density is not null)
            {
                var pooled = FeatureDensity.Pool(features);                        // (B·F)
                int f = model.FeatureSize;
                confidence = Enumerable.Range(0, batch.Count).Select(i => density.Confidence(pooled.AsSpan(i * f, f))).ToArray();
            }
            hypotheses = model.Generate(features, decode);
        }
        var results = new CaptionResult[batch.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            var best = hypotheses[i];
            var words = CaptionText.Words(Vocabulary, best.Tokens);
            var alternatives = best.Alternatives.Skip(1).Take(options.TopK - 1)
                .Select(a => (CaptionText.Detokenize(tokenizer, Vocabulary, a.Tokens), a.Score)).ToList();
            var attention = decode.ReturnAttention ? best.Attention?.Take(words.Count).ToArray() : null;
            results[i] = new CaptionResult(batch[i].Source, tokenizer.Detokenize(words), best.Score, words, attention, GridHeight, GridWidth, alternatives, confidence?[i]);
        }
        logger.LogDebug("Captioned {Count} images", batch.Count);
        return results;
    }

    /// <summary>Returns the model's pooled weight buffers once the calls in flight have finished; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => lease.Dispose();
}
