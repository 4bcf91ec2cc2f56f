// The public entry point for using a trained text classifier: load a model directory, classify one
// text or many. Loading validates that the pieces belong together (config ↔ vocabulary size ↔
// embedding rows, labels ↔ classes) so a mixed-up directory fails with a message, not with wrong
// predictions. Prediction: encode → pad → logits (B, K) → softmax → top-k (ClassifyOptions.TopK).
// The weights live in buffers rented from the engine's BufferPool; Dispose gives them back once the calls in
// flight have finished (ModelLease). Nothing else is held: the model files are read and closed at load.
//
// B = batch size, T = padded length, K = classes.
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Batch;
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Classification;
using Pipeline.Models.Tensors;
using Pipeline.ModelFiles;
using Pipeline.Preprocessing.Datasets;
using Pipeline.Preprocessing.Text;

namespace Pipeline.Classification;

/// <summary>A trained text classifier loaded from a model directory written by <c>pipeline train classifier</c>.</summary>
/// <remarks>
/// Thread-safe: any number of threads may call <see cref="Predict"/>, <see cref="PredictMany(IEnumerable{string}, ClassifyOptions?, int)"/> and <see cref="ClassifyAsync(IEnumerable{string}, ClassifyOptions?, int, CancellationToken)"/>
/// at once (the model is in eval mode and only read; each forward pass has its own tensor scope). Dispose it to return the
/// model's pooled weight buffers (calls still running finish first; later calls throw <see cref="ObjectDisposedException"/>).
/// </remarks>
/// <example>
/// <code>
/// using var classifier = TextClassifier.Load("data/models/classifier");
/// var prediction = classifier.Predict("a gripping, beautifully acted film", new ClassifyOptions(TopK: 2));
/// await foreach (var p in classifier.ClassifyAsync(File.ReadLines("reviews.txt"), cancellationToken: token))
///     Console.WriteLine($"{p.Label} {p.Confidence:P0}");
/// </code>
/// </example>
public sealed class TextClassifier : IDisposable
{
    /// <summary>Default number of labels listed in <see cref="Prediction.TopK"/> (<see cref="ClassifyOptions.DefaultTopK"/>).</summary>
    public const int DefaultTopK = ClassifyOptions.DefaultTopK;

    /// <summary>Texts per forward pass unless told otherwise.</summary>
    public const int DefaultBatchSize = 64;

    private readonly TextClassifierModel model;
    private readonly TextEncoder encoder;
    private readonly LabelMap labels;
    private readonly int minimumLength;
    private readonly ModelLease lease;

    private TextClassifier(TextClassifierModel model, ClassifierConfig config, TextEncoder encoder, LabelMap labels, string directory, ModelLease? lease = null)
    {
        this.model = model;
        this.lease = lease ?? new ModelLease(model);
        this.encoder = encoder;
        this.labels = labels;
        Config = config;
        Labels = labels.Labels;
        Directory = directory;
        minimumLength = config.Architecture == ClassifierArchitecture.TextCnn ? config.MaxFilterWidth : 1;
    }

    /// <summary>Class names, indexed like <see cref="Prediction.Probabilities"/>.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The model configuration.</summary>
    public ClassifierConfig Config { get; }

    /// <summary>The directory the model was loaded from.</summary>
    public string Directory { get; }

    /// <summary>How many labels <see cref="Prediction.TopK"/> lists when a call passes no options (clamped to the number of classes).</summary>
    public int TopK { get; private init; } = DefaultTopK;

    /// <summary>The same classifier (sharing the loaded model and its lifetime) listing <paramref name="topK"/> labels when a call passes no options.</summary>
    [Obsolete("Pass new ClassifyOptions(TopK: k) to Predict, PredictMany or ClassifyAsync.")]
    public TextClassifier WithTopK(int topK)
    {
        if (topK < 1) throw new ArgumentOutOfRangeException(nameof(topK), topK, "must be at least 1");
        return new TextClassifier(model, Config, encoder, labels, Directory, lease) { TopK = topK };
    }

    /// <summary>
    /// Loads and validates a model directory (weights, config, vocabulary, labels, tokenizer, preprocessing).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    /// <exception cref="FileNotFoundException">A required file is missing.</exception>
    /// <exception cref="InvalidDataException">The files disagree with each other or are malformed; the message says which.</exception>
    public static TextClassifier Load(string directory, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        if (!System.IO.Directory.Exists(directory)) throw new DirectoryNotFoundException($"model directory not found: {directory}");
        if (!File.Exists(Path.Combine(directory, Checkpoint.ConfigFile)))
            throw new FileNotFoundException($"{Path.Combine(directory, Checkpoint.ConfigFile)} is missing: '{directory}' is not a classifier directory.");
        ClassifierConfig config;
        try
        {
            config = ModelFiles.ModelDirectoryValidator.ReadConfig<ClassifierConfig>(directory);
            ModelFiles.ModelDirectorySpecs.Require(directory, ModelFiles.ModelLimits.Default.Check(config));
        }
        catch (ModelFiles.ModelDirectoryException e) { throw new InvalidDataException(e.Message, e); }
        // Sizes are checked before anything large is read: the vocabulary with the config's size as a bound.
        var encoder = ClassifierDirectory.LoadEncoder(directory, maxTokens: config.VocabularySize + 1);
        var labels = ClassifierDirectory.LoadLabels(directory);
        if (config.VocabularySize != encoder.Vocabulary.Count)
            throw new InvalidDataException($"{directory}: config.json says the vocabulary has {config.VocabularySize} ids but {ClassifierDirectory.VocabularyFile} has {encoder.Vocabulary.Count}; the files come from different models.");
        if (config.NumClasses != labels.Labels.Count)
            throw new InvalidDataException($"{directory}: config.json says {config.NumClasses} classes but {ClassifierDirectory.LabelsFile} lists {labels.Labels.Count}; the files come from different models.");
        // The weights' header is checked against config, vocabulary and labels before the model is allocated.
        CheckEmbeddingRows(directory, config);
        var model = TextClassifierModel.Create(config, new Generator(0));
        try { Checkpoint.LoadModel(directory, model); }
        catch (CheckpointFormatException e) { throw new InvalidDataException(e.Message, e); }
        model.Eval();
        logger.LogInformation("loaded {Architecture} classifier from {Directory}: {Classes} classes, vocabulary {Vocabulary}, {Parameters:N0} parameters",
            config.Architecture, directory, labels.Labels.Count, encoder.Vocabulary.Count, model.ParameterCount());
        return new TextClassifier(model, config, encoder, labels, directory);
    }

    // Validates the weights' header against config, vocabulary and labels before anything is allocated
    // (untrusted model directories); the message lists every mismatch in the user's terms.
    private static void CheckEmbeddingRows(string directory, ClassifierConfig config)
    {
        var path = Path.Combine(directory, Checkpoint.ModelFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing: the classifier has no weights.", path);
        try { ModelFiles.ModelDirectoryValidator.Validate(directory, ModelFiles.ModelDirectorySpecs.Classifier(directory)); }
        catch (ModelFiles.ModelDirectoryException e) { throw new InvalidDataException(e.Message, e); }
    }

    /// <summary>Classifies one text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="options">Reporting settings; null = top-<see cref="TopK"/>.</param>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public Prediction Predict(string text, ClassifyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Forward([encoder.Encode(text)], EffectiveTopK(options))[0];
    }

    /// <summary>
    /// Classifies many texts; they are encoded, grouped by length into batches of <paramref name="batchSize"/> (little
    /// padding) and the results returned in input order. Gives the same result per text as <see cref="Predict"/>.
    /// </summary>
    /// <param name="texts">The texts (none null).</param>
    /// <param name="batchSize">Texts per forward pass.</param>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public IReadOnlyList<Prediction> PredictMany(IEnumerable<string> texts, int batchSize = DefaultBatchSize) => PredictMany(texts, null, batchSize);

    /// <summary>
    /// Classifies many texts with <paramref name="options"/>; they are encoded, grouped by length into batches of
    /// <paramref name="batchSize"/> (little padding) and the results returned in input order. Gives the same result per
    /// text as <see cref="Predict"/>.
    /// </summary>
    /// <param name="texts">The texts (none null).</param>
    /// <param name="options">Reporting settings; null = top-<see cref="TopK"/>.</param>
    /// <param name="batchSize">Texts per forward pass.</param>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public IReadOnlyList<Prediction> PredictMany(IEnumerable<string> texts, ClassifyOptions? options, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "must be at least 1");
        int topK = EffectiveTopK(options);
        var encoded = texts.Select(t => t ?? throw new ArgumentException("a text is null", nameof(texts))).AsParallel().AsOrdered().Select(encoder.Encode).ToArray();
        var results = new Prediction[encoded.Length];
        // Sort by length so each batch holds similar lengths; a stable sort keeps the order deterministic.
        var order = Enumerable.Range(0, encoded.Length).OrderBy(i => encoded[i].Length).ToArray();
        for (int start = 0; start < order.Length; start += batchSize)
        {
            var indices = order.AsSpan(start, Math.Min(batchSize, order.Length - start)).ToArray();
            var predictions = Forward(indices.Select(i => encoded[i]).ToArray(), topK);
            for (int i = 0; i < indices.Length; i++) results[indices[i]] = predictions[i];
        }
        return results;
    }

    /// <summary>
    /// Streams the predictions of <paramref name="texts"/> in input order, <paramref name="batchSize"/> texts per forward
    /// pass (run off the caller's thread). Cancellation is checked between batches. Same result per text as <see cref="Predict"/>.
    /// </summary>
    /// <param name="texts">The texts (none null), e.g. <c>File.ReadLines(path)</c>.</param>
    /// <param name="options">Reporting settings; null = top-<see cref="TopK"/>.</param>
    /// <param name="batchSize">Texts per forward pass.</param>
    /// <param name="cancellationToken">Stops the stream between batches.</param>
    public IAsyncEnumerable<Prediction> ClassifyAsync(IEnumerable<string> texts, ClassifyOptions? options = null, int batchSize = DefaultBatchSize,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return ClassifyAsync(AsyncBatches.AsAsync(texts), options, batchSize, cancellationToken);
    }

    /// <summary>
    /// Streams the predictions of the texts that <paramref name="texts"/> produces (e.g. lines arriving on a socket or
    /// stdin), in input order: a batch is classified as soon as <paramref name="batchSize"/> texts have arrived or the
    /// source ends. Same result per text as <see cref="Predict"/>.
    /// </summary>
    /// <param name="texts">The texts (none null), as they arrive.</param>
    /// <param name="options">Reporting settings; null = top-<see cref="TopK"/>.</param>
    /// <param name="batchSize">Texts per forward pass.</param>
    /// <param name="cancellationToken">Stops the stream (passed on to <paramref name="texts"/>, checked between batches).</param>
    public IAsyncEnumerable<Prediction> ClassifyAsync(IAsyncEnumerable<string> texts, ClassifyOptions? options = null, int batchSize = DefaultBatchSize,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "must be at least 1");
        // Validated here, so bad options fail at the call rather than at the first MoveNextAsync.
        var validated = options?.Validate() ?? new ClassifyOptions(TopK);
        ObjectDisposedException.ThrowIf(lease.IsDisposed, this);
        return AsyncBatches.Stream(texts, batchSize, batch => PredictMany(batch, validated, batch.Length), cancellationToken);
    }

    /// <summary>Returns the model's pooled weight buffers once the calls in flight have finished; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    /// <remarks>Classifiers made by the obsolete <see cref="WithTopK"/> share the model, and so its lifetime, with this one.</remarks>
    public void Dispose() => lease.Dispose();

    private int EffectiveTopK(ClassifyOptions? options) => options?.Validate().TopK ?? TopK;

    private Prediction[] Forward(int[][] sequences, int topK)
    {
        using var use = lease.Use(this);
        // The network reads the first MaxLength ids of each text, the n-gram branch all the encoder kept.
        var corpus = new EncodedCorpus(sequences, new int[sequences.Length], [], encoder.Preprocessing.MaxLength, encoder.Preprocessing.Truncation);
        var all = Enumerable.Range(0, sequences.Length).ToArray();
        var batch = corpus.Pad(all, minimumLength);
        int classes = Labels.Count;
        var probabilities = model.PredictProbabilities(batch.Ids, batch.BatchSize, batch.Length, batch.Lengths,
            model.Ngrams is null ? null : corpus.NgramRows(all));   // (B, K) row-major
        var results = new Prediction[sequences.Length];
        for (int b = 0; b < results.Length; b++)
            results[b] = ToPrediction(probabilities.AsSpan(b * classes, classes).ToArray(), topK);
        return results;
    }

    private Prediction ToPrediction(float[] probabilities, int topK)
    {
        int k = Math.Clamp(topK, 1, probabilities.Length);
        var top = Enumerable.Range(0, probabilities.Length).OrderByDescending(c => probabilities[c]).ThenBy(c => c).Take(k)
            .Select(c => (Labels[c], probabilities[c])).ToArray();
        return new Prediction(top[0].Item1, top[0].Item2, probabilities, top);
    }
}
