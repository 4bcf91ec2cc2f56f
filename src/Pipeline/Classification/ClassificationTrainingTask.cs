// Text classification as an ITrainingTask for the generic Trainer: the task owns the encoded data,
// the model and the validation metric; the Trainer owns the loop, checkpoints, early stopping and
// resume. Each epoch is planned as length-bucketed batches (similar lengths together, chunk order
// shuffled), so padding — wasted compute — stays small; the padding ratio is logged per epoch.
//
// Loss: cross-entropy of the logits (B, K) against the targets (B). The TextCNN max-norm constraint
// (Kim 2014) must hold after every optimizer step; the Trainer has no post-step hook, so the task
// applies it before anything reads the weights again (next forward, validation, save) — the same
// weights are used as if it had run right after the step.
//
// B = batch size, T = padded length, K = classes.
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Models.Autograd;
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Classification;
using Pipeline.Models.Nn;
using Pipeline.Models.Optim;
using Pipeline.Models.Tensors;
using Pipeline.Models.Training;
using Pipeline.Preprocessing.Datasets;
using Pipeline.Preprocessing.Text;

namespace Pipeline.Classification;

/// <summary>Trains a <see cref="TextClassifierModel"/> on encoded texts under the generic <see cref="Trainer"/>.</summary>
public sealed class ClassificationTrainingTask : ITrainingTask
{
    private readonly TextClassifierModel model;
    private readonly ClassifierConfig config;
    private readonly ClassifierTrainingOptions options;
    private readonly TextEncoder encoder;
    private readonly LabelMap labels;
    private readonly EncodedCorpus training;
    private readonly EncodedCorpus validation;
    private readonly int[] trainingLengths;
    private readonly ILogger logger;
    private List<int[]> plan = [];

    /// <summary>
    /// Creates the model (seeded by <paramref name="seed"/>) and its optimizer (Adam or Adadelta). With <paramref name="pretrained"/>,
    /// the embedding table starts from those vectors (rows must equal the vocabulary size).
    /// </summary>
    public ClassificationTrainingTask(ClassifierTrainingOptions options, TextEncoder encoder, LabelMap labels, EncodedCorpus training, EncodedCorpus validation,
        EmbeddingMatrix? pretrained = null, ulong seed = 0, ILogger? logger = null)
    {
        options.Validate();
        if (training.Count == 0) throw new ArgumentException("The training set is empty.", nameof(training));
        if (validation.Count == 0) throw new ArgumentException("The validation set is empty.", nameof(validation));
        if (options.NeedsVectors && pretrained is null)
            throw new ArgumentException($"Embedding mode {options.Embedding} starts from pre-trained vectors: pass --vectors FILE (or use --embedding rand).", nameof(pretrained));
        if (pretrained is not null && pretrained.Rows != encoder.Vocabulary.Count)
            throw new ArgumentException($"Pre-trained matrix has {pretrained.Rows} rows for a vocabulary of {encoder.Vocabulary.Count}.", nameof(pretrained));
        this.options = options;
        this.encoder = encoder;
        this.labels = labels;
        this.training = training;
        this.validation = validation;
        this.logger = logger ?? NullLogger.Instance;
        trainingLengths = training.Lengths();
        int dims = pretrained?.Dimensions ?? options.EmbeddingDim;
        // The n-gram table and its NB ratios come from the training side only, like the vocabulary.
        var ngrams = options.NgramOrder > 0 ? NaiveBayesNgrams.Fit(training.Tokens, training.Targets, labels.Labels.Count, options.NgramOrder, options.NgramMinCount) : null;
        config = options.ToModelConfig(encoder.Vocabulary.Count, dims, labels.Labels.Count,
            options.BalanceClasses ? InverseFrequencyWeights(training.Targets, labels.Labels.Count) : null, ngrams?.Count ?? 0);
        // One generator for initialisation, dropout and batch order: the Trainer saves its state for exact resume.
        Generator = new Generator(seed);
        model = TextClassifierModel.Create(config, Generator);
        if (pretrained is not null) model.LoadPretrained(pretrained.Weights, pretrained.Rows, pretrained.Dimensions);
        if (ngrams is not null)
        {
            model.Ngrams!.Load(ngrams);
            this.logger.LogInformation("NB n-gram branch: {Count} n-grams of orders 1-{Order}", ngrams.Count, ngrams.Order);
        }
        Optimizer = options.Optimizer == ClassifierOptimizer.Adadelta
            ? new Adadelta(model.Parameters(), new AdadeltaOptions(options.LearningRate))
            : new Adam(model.Parameters(), new AdamOptions(options.LearningRate));
    }

    /// <inheritdoc />
    public Module Model => model;

    /// <summary>The model with its concrete type.</summary>
    public TextClassifierModel Classifier => model;

    /// <summary>The model configuration written to config.json.</summary>
    public ClassifierConfig Config => config;

    /// <inheritdoc />
    public Optimizer Optimizer { get; }

    /// <inheritdoc />
    public Generator Generator { get; }

    /// <summary>Padded cells / all cells of the last planned epoch (0 = no padding).</summary>
    public double LastPaddingRatio { get; private set; }

    /// <inheritdoc />
    public int PlanEpoch(int epoch, Generator generator)
    {
        // The batcher has its own integer seed; drawing it from the trainer's generator keeps the whole
        // plan a function of the trainer state, which is what exact resume rebuilds.
        var batcher = new LengthBucketBatcher(new BatchingOptions(options.BatchSize, Seed: generator.NextInt(int.MaxValue)));
        plan = batcher.CreateBatches(trainingLengths, epoch);
        LastPaddingRatio = LengthBucketBatcher.PaddingRatio(trainingLengths, plan);
        logger.LogInformation("epoch {Epoch}: {Batches} length-bucketed batches, padding ratio {Ratio:P1}", epoch + 1, plan.Count, LastPaddingRatio);
        return plan.Count;
    }

    /// <inheritdoc />
    public BatchResult TrainBatch(int batchIndex, Generator generator)
    {
        model.ApplyConstraints();
        var indices = plan[batchIndex];
        var batch = training.Pad(indices, options.MinimumLength);
        var targets = training.TargetsOf(indices);
        var (objective, loss) = model.TrainingLoss(batch.Ids, batch.BatchSize, batch.Length, batch.Lengths, targets, options.NetworkLossWeight, NgramRows(training, indices));
        objective.Backward();
        return new BatchResult(loss.Item(), batch.BatchSize);
    }

    /// <inheritdoc />
    public ValidationResult Validate(CancellationToken cancellationToken)
    {
        model.ApplyConstraints();
        var predicted = new int[validation.Count];
        double lossSum = 0;
        var order = Enumerable.Range(0, validation.Count).OrderBy(i => validation.Tokens[i].Length).ToArray();
        using (GradMode.NoGrad())
        {
            for (int start = 0; start < order.Length; start += options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var indices = order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start)).ToArray();
                using var scope = new TensorScope();
                var batch = validation.Pad(indices, options.MinimumLength);
                var logits = model.Forward(batch.Ids, batch.BatchSize, batch.Length, batch.Lengths, ngramRows: NgramRows(validation, indices));   // (B, K)
                lossSum += model.Loss(logits, validation.TargetsOf(indices)).Item() * indices.Length;
                var best = Tensor.Argmax(logits, 1);
                for (int i = 0; i < indices.Length; i++) predicted[indices[i]] = best[i];
            }
        }
        double accuracy = ClassificationMetrics.Accuracy(validation.Targets, predicted);
        double macroF1 = ClassificationMetrics.MacroF1(validation.Targets, predicted, labels.Labels.Count);
        var metrics = new Dictionary<string, double> { ["accuracy"] = accuracy, ["macro_f1"] = macroF1, ["loss"] = lossSum / validation.Count, ["padding_ratio"] = LastPaddingRatio };
        return new ValidationResult(options.Metric == ClassificationMetric.Accuracy ? accuracy : macroF1, metrics);
    }

    /// <inheritdoc />
    public void Save(string directory, Optimizer? optimizer, TrainerState? state)
    {
        model.ApplyConstraints();
        ClassifierDirectory.Save(directory, model, config, encoder, labels, optimizer, state);
    }

    /// <inheritdoc />
    public void LoadWeights(string directory) => Checkpoint.LoadModel(directory, model);

    // What the n-gram branch reads: every kept id of each text (the network sees the first MaxLength); null without a branch.
    private TokenRows? NgramRows(EncodedCorpus corpus, int[] indices) => model.Ngrams is null ? null : corpus.NgramRows(indices);

    /// <summary>w_c = N / (K · n_c): classes weigh equally in the loss whatever their frequency (absent classes get 0).</summary>
    public static float[] InverseFrequencyWeights(IReadOnlyList<int> targets, int classCount)
    {
        var counts = new int[classCount];
        foreach (var t in targets) counts[t]++;
        return counts.Select(n => n == 0 ? 0f : (float)targets.Count / (classCount * n)).ToArray();
    }
}
