// Runs a ClassifierTrainingRequest end to end: load data (any format), hold out a stratified
// validation split when none is given, fit label map + text encoder on the training side only,
// optionally load pre-trained vectors, train through the generic Trainer, then evaluate the best
// model on the test set with ClassificationEvaluator (and the ML.NET baseline beside it). With
// --folds K, runs K stratified folds instead (Kim 2014's protocol: each fold held out once, early stopping
// on a slice of the rest) and reports mean ± std of the held-out folds' metric.
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Evaluation;
using Pipeline.Evaluation.Classification;
using Pipeline.Models.Embeddings;
using Pipeline.Models.Training;
using Pipeline.Preprocessing.Datasets;
using Pipeline.Preprocessing.Text;

namespace Pipeline.Classification;

/// <summary>What a training request produced.</summary>
/// <param name="Training">The run's training result (null for K-fold runs).</param>
/// <param name="Folds">Cross-validation summary (null unless K-fold).</param>
/// <param name="Test">Test-set report of our model (null without a test set or when interrupted).</param>
/// <param name="Baseline">Test-set report of the ML.NET baseline (null unless requested).</param>
/// <param name="Duration">Wall-clock time of the whole request.</param>
public sealed record ClassifierExperimentResult(TrainingResult? Training, CrossValidationSummary? Folds, ClassificationReport? Test, ClassificationReport? Baseline, TimeSpan Duration)
{
    /// <summary>True when the user interrupted training.</summary>
    public bool Interrupted => Training?.Interrupted == true;
}

/// <summary>Runs classifier training requests.</summary>
public static class ClassifierExperiment
{
    /// <summary>Runs <paramref name="request"/>; cancellation saves a resumable checkpoint and returns.</summary>
    /// <param name="request">What to train, evaluate and where.</param>
    /// <param name="progress">Per-batch progress. Reports arrive on the training thread; pass an
    /// <see cref="InlineProgress{T}"/> (not <see cref="Progress{T}"/>, which posts them to the thread pool out of order).</param>
    /// <param name="onEpoch">Called after each epoch with its summary.</param>
    /// <param name="logger">Receives progress messages and warnings (skipped lines).</param>
    /// <param name="cancellationToken">Stops training after the current batch (a checkpoint is saved).</param>
    public static ClassifierExperimentResult Run(ClassifierTrainingRequest request, IProgress<TrainingProgress>? progress = null, Action<EpochSummary>? onEpoch = null,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        request.Validate();
        logger ??= NullLogger.Instance;
        var clock = Stopwatch.StartNew();
        var loadOptions = new ClassificationLoadOptions(Format: request.Format, Policy: ErrorPolicy.Skip);
        var all = Load(request.TrainPath, loadOptions, logger);
        WordVectors? vectors = request.VectorsPath is null ? null : LoadVectors(request.VectorsPath, logger);

        if (request.Folds is int folds)
        {
            var summary = CrossValidate(all, folds, request, vectors, progress, onEpoch, logger, cancellationToken);
            return new ClassifierExperimentResult(null, summary, null, null, clock.Elapsed);
        }

        ClassificationDataset train, valid;
        if (request.ValidPath is not null) (train, valid) = (all, Load(request.ValidPath, loadOptions, logger));
        else
        {
            (train, valid) = StratifiedSplitter.TrainValidation(all, request.ValidationFraction, SplitSeed(request.Seed));
            logger.LogInformation("no --valid: held out a stratified {Fraction:P0} of the training data ({Valid} examples, seed {Seed})", request.ValidationFraction, valid.Examples.Count, SplitSeed(request.Seed));
        }
        var result = TrainOne(train, valid, request, request.OutputDirectory, vectors, request.Resume, progress, onEpoch, logger, cancellationToken);
        if (result.Interrupted || request.TestPath is null) return new ClassifierExperimentResult(result, null, null, null, clock.Elapsed);

        var test = Load(request.TestPath, loadOptions, logger);
        var classifier = TextClassifier.Load(request.OutputDirectory, logger);
        var report = Evaluate(classifier, test.Examples);
        var reports = new List<KeyValuePair<string, ClassificationReport>> { new(request.Model.Architecture.ToString(), report) };
        ClassificationReport? baseline = null;
        if (request.Baseline)
        {
            var baselineClock = Stopwatch.StartNew();
            baseline = MlNetBaseline.TrainAndEvaluate(train.Examples, test.Examples, new MlNetBaselineOptions(Seed: (int)(request.Seed % int.MaxValue)));
            logger.LogInformation("ML.NET baseline trained and evaluated in {Seconds:F1} s", baselineClock.Elapsed.TotalSeconds);
            reports.Add(new(MlNetBaseline.ModelName, baseline));
        }
        MetricsJson.Write(Path.Combine(request.OutputDirectory, MetricsJson.TestMetricsFile), reports);
        return new ClassifierExperimentResult(result, null, report, baseline, clock.Elapsed);
    }

    /// <summary>Scores <paramref name="classifier"/> on labelled examples with <see cref="ClassificationEvaluator"/>.</summary>
    /// <exception cref="InvalidDataException">An example's label is not one of the classifier's labels.</exception>
    public static ClassificationReport Evaluate(TextClassifier classifier, IReadOnlyList<ClassificationExample> examples)
    {
        var index = classifier.Labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        var truth = examples.Select(e => index.TryGetValue(e.Label, out var c) ? c
            : throw new InvalidDataException($"{e.Source}:{e.Line}: label '{e.Label}' is not one of the model's labels ({string.Join(", ", classifier.Labels)}).")).ToArray();
        var predictions = classifier.PredictMany(examples.Select(e => e.Text));
        return ClassificationEvaluator.Evaluate(truth, predictions.Select(p => p.Probabilities).ToArray(), classifier.Labels,
            ids: examples.Select((e, i) => e.Id ?? (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            texts: examples.Select(e => e.Text.Length <= 200 ? e.Text : e.Text[..200]).ToArray());
    }

    /// <summary>Fits the encoder and label map on <paramref name="train"/> and trains one model into <paramref name="directory"/>.</summary>
    public static TrainingResult TrainOne(ClassificationDataset train, ClassificationDataset valid, ClassifierTrainingRequest request, string directory, WordVectors? vectors,
        bool resume, IProgress<TrainingProgress>? progress, Action<EpochSummary>? onEpoch, ILogger logger, CancellationToken cancellationToken)
    {
        var task = CreateTask(train, valid, request, vectors, logger);
        // Reduce-on-plateau watches the same validation metric as early stopping: one epoch without improvement
        // multiplies the rate by the decay factor.
        var decay = request.Model.LearningRateDecay < 1
            ? new Models.Optim.ReduceOnPlateauOptions(Models.Optim.PlateauMode.Max, request.Model.LearningRateDecay, Patience: 0, Threshold: 0)
            : null;
        var trainer = new Trainer(new TrainerOptions(Epochs: request.Epochs, Patience: request.Patience, HigherIsBetter: true, LrDecay: decay), task, directory);
        var result = trainer.Fit(resume, progress, onEpoch, cancellationToken);
        logger.LogInformation("training {Outcome} after {Epochs} epochs; best validation {Metric} = {Best:F4}",
            result.Interrupted ? "interrupted" : result.StoppedEarly ? "stopped early" : "finished", result.EpochsCompleted, request.Model.Metric, result.BestMetric ?? double.NaN);
        return result;
    }

    /// <summary>Builds the training task: label map, text encoder and (optionally) the pre-trained embedding matrix.</summary>
    public static ClassificationTrainingTask CreateTask(ClassificationDataset train, ClassificationDataset valid, ClassifierTrainingRequest request, WordVectors? vectors, ILogger logger)
    {
        var labels = LabelMap.Fit(train);
        if (labels.Labels.Count < 2) throw new InvalidDataException($"{request.TrainPath}: the training data has only one label ('{labels.Labels[0]}'); a classifier needs two or more.");
        var encoder = TextEncoder.Fit(train.Examples.Select(e => e.Text), request.EffectivePreprocessing, request.EffectiveTokenizer);
        var trainSet = EncodedCorpus.Encode(train.Examples, encoder, labels);
        var validSet = EncodedCorpus.Encode(valid.Examples, encoder, labels);
        logger.LogInformation("{Train} training / {Valid} validation examples, {Classes} classes, vocabulary {Vocabulary} ({Tokenizer}), max length {MaxLength} (n-gram branch {NgramMaxLength})",
            trainSet.Count, validSet.Count, labels.Labels.Count, encoder.Vocabulary.Count, request.EffectiveTokenizer.Kind, request.EffectivePreprocessing.MaxLength,
            request.EffectivePreprocessing.EncodedLength);
        EmbeddingMatrix? matrix = null;
        if (vectors is not null)
        {
            if (request.Model.Embedding == Models.Classification.EmbeddingMode.Rand)
                logger.LogWarning("--vectors given with --embedding rand: the vectors are ignored");
            else
            {
                matrix = WordVectorsEmbeddingMatrix.Build(encoder.Vocabulary, vectors, new EmbeddingMatrixOptions(Seed: request.Seed));
                logger.LogInformation("pre-trained embeddings: {Matrix}", matrix);
            }
        }
        return new ClassificationTrainingTask(request.Model, encoder, labels, trainSet, validSet, matrix, request.Seed, logger);
    }

    // Kim (2014)'s protocol: each fold is held out once as the test set; early stopping and model selection use
    // a stratified slice of the other folds (request.ValidationFraction), never the held-out fold, whose score
    // (accuracy or macro-F1, as --metric) is what the summary reports.
    private static CrossValidationSummary CrossValidate(ClassificationDataset all, int folds, ClassifierTrainingRequest request, WordVectors? vectors,
        IProgress<TrainingProgress>? progress, Action<EpochSummary>? onEpoch, ILogger logger, CancellationToken cancellationToken)
    {
        var splits = StratifiedSplitter.KFold(all.Examples.Select(e => e.Label).ToArray(), folds, SplitSeed(request.Seed));
        var scores = new List<double>();
        for (int k = 0; k < splits.Length && !cancellationToken.IsCancellationRequested; k++)
        {
            var (train, valid) = StratifiedSplitter.TrainValidation(all.Subset(splits[k].Train), request.ValidationFraction, SplitSeed(request.Seed));
            var heldOut = all.Subset(splits[k].Validation);
            logger.LogInformation("fold {Fold}/{Folds}: {Train} train, {Valid} validation (early stopping), {Test} held out", k + 1, folds, train.Examples.Count, valid.Examples.Count, heldOut.Examples.Count);
            var directory = Path.Combine(request.OutputDirectory, $"fold-{k + 1}");
            var result = TrainOne(train, valid, request, directory, vectors, resume: false, progress, onEpoch, logger, cancellationToken);
            if (result.Interrupted || result.BestMetric is null) break;
            var report = Evaluate(TextClassifier.Load(directory), heldOut.Examples);
            double score = request.Model.Metric == ClassificationMetric.Accuracy ? report.MicroAccuracy : report.PerClass.Average(c => c.F1);
            logger.LogInformation("fold {Fold}/{Folds}: held-out {Metric} {Score:F4} (validation {Valid:F4})", k + 1, folds, request.Model.Metric, score, result.BestMetric.Value);
            scores.Add(score);
        }
        var summary = CrossValidationSummary.From(request.Model.Metric, scores, folds);
        logger.LogInformation("{Summary}", summary);
        return summary;
    }

    private static ClassificationDataset Load(string path, ClassificationLoadOptions options, ILogger logger)
    {
        var dataset = ClassificationDatasetLoader.Load(path, options);
        logger.LogInformation("{Path}: {Report} ({Format})", path, dataset.Report, dataset.Format);
        foreach (var skipped in dataset.Report.Skipped.Take(5)) logger.LogWarning("skipped {Error}", skipped);
        if (dataset.Examples.Count == 0) throw new InvalidDataException($"{path}: no usable examples.");
        return dataset;
    }

    private static WordVectors LoadVectors(string path, ILogger logger)
    {
        var read = WordVectorsReader.Read(path);
        logger.LogInformation("{Path}: {Count} vectors of {Dims} dimensions ({Format})", path, read.Vectors.Count, read.Vectors.Dimensions, read.Format);
        foreach (var warning in read.Warnings.Take(5)) logger.LogWarning("{Warning}", warning);
        return read.Vectors;
    }

    // The split seed is derived from the run seed so one --seed fixes everything, but kept apart from the
    // trainer's generator so changing the model does not change which examples are held out.
    private static int SplitSeed(ulong seed) => (int)(seed % int.MaxValue);
}
