// Captioning as an ITrainingTask for the generic Trainer (which owns the loop, clipping, checkpoints,
// LR decay, early stopping and resume). This class owns the data and the model-specific steps:
//   PlanEpoch  shuffles training images and cuts them into batches of BatchSize images;
//   TrainBatch encodes each image once (B, R, F) and scores all of its reference captions against it
//              (teacher forcing; loss = cross-entropy + λ·attention penalty, Xu et al. 2015); with a
//              pretrained encoder the frozen front comes from the feature cache (FrozenEncoderFeatures) and
//              only the trainable rest (fine-tuned stages, if any) runs;
//   Validate   greedy-decodes the validation images and scores them with BLEU-4 (monitored) and the
//              other COCO metrics (CaptionEvaluator).
// Key: B = images in a batch, S = image side, R = encoder regions, F = feature size, N = captions.
using Pipeline.Evaluation.Captioning;
using Pipeline.Models.Autograd;
using Pipeline.Models.Captioning;
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Nn;
using Pipeline.Models.Optim;
using Pipeline.Models.Tensors;
using Pipeline.Models.Training;
using Pipeline.Preprocessing.Caching;

namespace Pipeline.Captioning;

/// <summary>Trains a <see cref="CaptionModel"/> on a <see cref="CaptionCorpus"/> through <see cref="Trainer"/>.</summary>
public sealed class CaptioningTrainingTask : ITrainingTask, IDisposable
{
    /// <summary>Name of the monitored validation metric.</summary>
    public const string MonitoredMetric = "BLEU-4";

    private readonly CaptioningTrainingOptions options;
    private readonly CachedImageStage imageStage;
    private readonly CaptionModel model;
    private readonly FrozenEncoderFeatures? frozen;
    private int[] order = [];

    /// <summary>
    /// Prepares the corpus (vocabulary from the training captions, cached images) and builds the model of
    /// <paramref name="architecture"/> with its vocabulary size set from the corpus. When <paramref name="resumeDirectory"/>
    /// holds a checkpoint, its vocabulary and config are reused so the weights fit.
    /// </summary>
    /// <param name="options">Data and optimisation settings.</param>
    /// <param name="architecture">The model configuration (its vocabulary size is replaced by the corpus's).</param>
    /// <param name="seed">Seed of initialisation, shuffling and dropout.</param>
    /// <param name="resumeDirectory">A checkpoint whose vocabulary and config to reuse, or null.</param>
    /// <param name="cancellationToken">Cancels preparation (image decoding, feature extraction).</param>
    /// <param name="status">Receives preparation messages (feature extraction progress); optional.</param>
    public CaptioningTrainingTask(CaptioningTrainingOptions options, CaptionerConfig architecture, ulong seed, string? resumeDirectory = null,
        CancellationToken cancellationToken = default, IProgress<string>? status = null)
    {
        this.options = options.Validate();
        Preprocessing.Text.Vocabulary? vocabulary = null;
        if (resumeDirectory is not null && File.Exists(Path.Combine(resumeDirectory, CaptionerDirectory.VocabularyFile)))
            (architecture, vocabulary, _) = CaptionerDirectory.ReadMetadata(resumeDirectory);
        Corpus = CaptionCorpus.Load(options, architecture.ImageSize, architecture.ImageMean, architecture.ImageStd, architecture.MaxCaptionLength, vocabulary, cancellationToken);
        Config = architecture with { VocabularySize = Corpus.Vocabulary.Count };
        imageStage = new CachedImageStage(Corpus.ImageOptions);
        model = new CaptionModel(Config, new Generator(seed));
        model.LoadPretrainedWeights();
        try { frozen = FrozenEncoderFeatures.Build(model, Corpus, options.FeatureBatchSize, status, cancellationToken); }
        catch { Corpus.Dispose(); throw; }
        // A separate stream for shuffling/dropout, so changing the architecture does not change the batch order.
        Generator = new Generator(seed ^ 0x9E3779B97F4A7C15UL);
        // Two groups when backbone stages are fine-tuned: those train at a fraction of the decoder's rate (see
        // BackboneLearningRateScale); the plateau schedule then halves both together.
        Optimizer = Config.Backbone is { TrainableStages: > 0 }
            ? new Adam([new ParameterGroup(model.Decoder.Parameters(), options.LearningRate),
                        new ParameterGroup(model.Encoder.Parameters(), options.LearningRate * options.BackboneLearningRateScale)], new AdamOptions(options.LearningRate))
            : new Adam(model.Parameters(), new AdamOptions(options.LearningRate));
    }

    /// <summary>The model configuration (vocabulary size filled in).</summary>
    public CaptionerConfig Config { get; }

    /// <summary>The prepared data.</summary>
    public CaptionCorpus Corpus { get; }

    /// <inheritdoc/>
    public Module Model => model;

    /// <summary>The model, typed.</summary>
    public CaptionModel CaptionModel => model;

    /// <inheritdoc/>
    public Optimizer Optimizer { get; }

    /// <inheritdoc/>
    public Generator Generator { get; }

    /// <inheritdoc/>
    public int PlanEpoch(int epoch, Generator generator)
    {
        order = Enumerable.Range(0, Corpus.Train.Shard.Count).ToArray();
        generator.Shuffle(order);
        return (order.Length + options.BatchSize - 1) / options.BatchSize;
    }

    /// <inheritdoc/>
    public BatchResult TrainBatch(int batchIndex, Generator generator)
    {
        var shard = Corpus.Train.Shard;
        int start = batchIndex * options.BatchSize;
        var images = order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start)).ToArray();

        var captions = new List<int[]>();
        var imageOfCaption = new List<int>();
        for (int i = 0; i < images.Length; i++)
            foreach (var caption in shard.Captions(images[i]))
            {
                captions.Add(caption);
                imageOfCaption.Add(i);
            }

        var features = EncodeBatch(shard, frozen?.Train, images, out var input);                             // (B, R, F)
        using var _ = input;
        var loss = model.Loss(features, imageOfCaption.ToArray(), captions.ToArray(), generator);             // over N captions
        loss.Loss.Backward();
        return new BatchResult(loss.Loss.Item(), loss.Tokens);
    }

    /// <inheritdoc/>
    /// <remarks>Runs to completion even when cancellation is requested: the Trainer saves right after it.</remarks>
    public ValidationResult Validate(CancellationToken cancellationToken)
    {
        var metrics = Evaluate(Corpus.Validation, new DecodeOptions(BeamSize: 1, MaxLength: Config.MaxCaptionLength, LengthPenalty: 0f, TopK: 1, ReturnAttention: false),
            options.ValidationImages);
        return new ValidationResult(metrics.Bleu4, metrics.Scores);
    }

    /// <summary>Decodes the first <paramref name="limit"/> images of <paramref name="split"/> (0 = all) and scores them.</summary>
    public CaptionMetrics Evaluate(CaptionSplit split, DecodeOptions decode, int limit = 0)
    {
        int count = limit > 0 ? Math.Min(limit, split.Shard.Count) : split.Shard.Count;
        var predictions = new Dictionary<string, string>(StringComparer.Ordinal);
        var references = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        bool wasTraining = model.IsTraining;
        model.Eval();
        using (GradMode.NoGrad())
        {
            for (int start = 0; start < count; start += options.DecodeBatchSize)
            {
                using var scope = new TensorScope();
                var indices = Enumerable.Range(start, Math.Min(options.DecodeBatchSize, count - start)).ToArray();
                var features = EncodeBatch(split.Shard, CachedFeatures(split), indices, out var input);                    // (B, R, F)
                using var _ = input;
                var hypotheses = model.Generate(features, decode);
                for (int i = 0; i < indices.Length; i++)
                {
                    string id = split.Shard.SourcePath(indices[i]);
                    predictions[id] = CaptionText.Detokenize(Corpus.Tokenizer, Corpus.Vocabulary, hypotheses[i].Tokens);
                    references[id] = split.References[indices[i]];
                }
            }
        }
        model.Train(wasTraining);
        return CaptionEvaluator.Evaluate(predictions, references);
    }

    /// <summary>
    /// Fits the in-domain density (<see cref="FeatureDensity"/>) of the model as it is now — call after loading the best
    /// weights — on the pooled features of up to <paramref name="maxTrainingImages"/> evenly spaced training images,
    /// calibrates it on the whole validation split, and writes <see cref="FeatureDensity.FileName"/> into <paramref name="directory"/>.
    /// </summary>
    public FeatureDensity FitFeatureDensity(string directory, int maxTrainingImages = 6000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTrainingImages, 2);
        float[] Pooled(CaptionSplit split, int limit)
        {
            int count = split.Shard.Count, taken = Math.Min(limit, count);
            var indices = Enumerable.Range(0, taken).Select(i => (int)((long)i * count / taken)).ToArray();
            var pooled = new float[taken * model.FeatureSize];
            for (int start = 0; start < taken; start += options.DecodeBatchSize)
            {
                using var scope = new TensorScope();
                var chunk = indices.AsSpan(start, Math.Min(options.DecodeBatchSize, taken - start)).ToArray();
                var features = EncodeBatch(split.Shard, CachedFeatures(split), chunk, out var input);                  // (B, R, F)
                using var _ = input;
                FeatureDensity.Pool(features).CopyTo(pooled, start * model.FeatureSize);
            }
            return pooled;
        }
        bool wasTraining = model.IsTraining;
        model.Eval();
        FeatureDensity density;
        using (GradMode.NoGrad())
            density = FeatureDensity.Fit(Pooled(Corpus.Train, maxTrainingImages), Pooled(Corpus.Validation, int.MaxValue), model.FeatureSize);
        model.Train(wasTraining);
        density.Save(Path.Combine(directory, FeatureDensity.FileName));
        return density;
    }

    /// <summary>The frozen-feature store of <paramref name="split"/> (null without a frozen encoder front).</summary>
    private FeatureShard? CachedFeatures(CaptionSplit split)
        => frozen is null ? null : split == Corpus.Train ? frozen.Train : split == Corpus.Validation ? frozen.Validation : null;

    /// <summary>
    /// Region features (B, R, F) of shard items <paramref name="indices"/>: the encoder's trainable part applied to the cached
    /// frozen features when there are some, otherwise the whole encoder applied to the prepared pixels.
    /// </summary>
    private Tensor EncodeBatch(PreparedShard shard, FeatureShard? cached, int[] indices, out Tensor input)
    {
        // The input is a pooled tensor filled in place; the caller disposes it after the step (a fresh array per batch is
        // large-object garbage the GC collects late, and an undisposed tensor takes its pooled buffer with it).
        if (frozen is not null)
        {
            if (cached is null) throw new InvalidOperationException("frozen encoder features are cached for the training and validation splits only.");
            input = frozen.Batch(cached, indices);                                                                  // (B, frozen shape…)
            return model.Encoder.ForwardTrainable(input);
        }
        input = Tensor.Zeros(indices.Length, 3, Config.ImageSize, Config.ImageSize);                               // (B, 3, S, S)
        imageStage.Batch(shard, indices, input.Data);
        return model.Encode(input);
    }

    /// <inheritdoc/>
    public void Save(string directory, Optimizer? optimizer, TrainerState? state) =>
        CaptionerDirectory.Save(directory, model, Config, Corpus.Vocabulary, Corpus.Tokenizer.Spec, optimizer, state);

    /// <inheritdoc/>
    public void LoadWeights(string directory) => Checkpoint.LoadModel(directory, model);

    /// <inheritdoc/>
    public void Dispose()
    {
        frozen?.Dispose();
        Corpus.Dispose();
    }
}
