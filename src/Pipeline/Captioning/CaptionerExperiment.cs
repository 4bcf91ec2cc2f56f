// Runs a CaptionerTrainingRequest end to end, as ClassifierExperiment does for classifiers: prepare the
// corpus and model (CaptioningTrainingTask: vocabulary from the training captions, cached images, frozen
// pretrained features), train through the generic Trainer (clipping, LR decay, early stopping on BLEU-4,
// resumable checkpoints), fit the in-domain feature density on the best weights (the confidence users get),
// then score the best model on the test split with greedy and beam-3 decoding through the public inference
// path (ImageCaptioner) and write test_metrics.json beside it. Train and Evaluate are public on their own so a
// caller can treat cancellation differently in the two phases (the CLI: Ctrl-C saves a checkpoint while
// training, and ends the process while evaluating).
using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Evaluation;
using Pipeline.Evaluation.Captioning;
using Pipeline.Models.Captioning;
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Training;
using Pipeline.Preprocessing.Datasets;

namespace Pipeline.Captioning;

/// <summary>One decoding setting's scores on the test split.</summary>
/// <param name="Decoding">Name of the setting, the key in test_metrics.json (<c>greedy</c>, <c>beam3</c>).</param>
/// <param name="Options">The decoding settings used.</param>
/// <param name="Metrics">BLEU-1..4, METEOR, ROUGE-L and CIDEr-D of the best model.</param>
/// <param name="Duration">Wall-clock time of captioning and scoring the split.</param>
public sealed record CaptionerTestScores(string Decoding, CaptionOptions Options, CaptionMetrics Metrics, TimeSpan Duration);

/// <summary>What a captioner training request produced.</summary>
/// <param name="Training">The training result (null with <see cref="CaptionerTrainingRequest.EvaluateOnly"/>).</param>
/// <param name="TimeLimitReached">Training stopped at <see cref="CaptionerTrainingRequest.TimeLimit"/>; the run still counts as done.</param>
/// <param name="Density">The in-domain feature density fitted on the best weights (null when training was interrupted before its end or time limit).</param>
/// <param name="Test">Test-split scores per decoding setting (null when the dataset has no test split, or not evaluated).</param>
/// <param name="Duration">Wall-clock time of the whole request.</param>
public sealed record CaptionerExperimentResult(TrainingResult? Training, bool TimeLimitReached, FeatureDensity? Density,
    IReadOnlyList<CaptionerTestScores>? Test, TimeSpan Duration)
{
    /// <summary>True when the caller interrupted training (not the time limit); resume with <see cref="CaptionerTrainingRequest.Resume"/>.</summary>
    public bool Interrupted => Training?.Interrupted == true && !TimeLimitReached;
}

/// <summary>Runs captioner training requests.</summary>
public static class CaptionerExperiment
{
    /// <summary>
    /// Runs <paramref name="request"/>: <see cref="Train"/> (unless evaluate-only), then, when training was not
    /// interrupted, <see cref="Evaluate"/>. Cancellation during training saves a resumable checkpoint and returns.
    /// </summary>
    /// <param name="request">What to train and where.</param>
    /// <param name="progress">Per-batch progress. Reports arrive on the training thread; pass an
    /// <see cref="InlineProgress{T}"/> (not <see cref="Progress{T}"/>, which posts them to the thread pool out of order).</param>
    /// <param name="onEpoch">Called after each epoch with its summary.</param>
    /// <param name="logger">Receives preparation and summary messages; warnings name skipped images.</param>
    /// <param name="cancellationToken">Stops training after the current batch (a checkpoint is saved).</param>
    public static CaptionerExperimentResult Run(CaptionerTrainingRequest request, IProgress<TrainingProgress>? progress = null, Action<EpochSummary>? onEpoch = null,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var trained = request.EvaluateOnly ? null : Train(request, progress, onEpoch, logger, cancellationToken);
        if (trained is { Interrupted: true }) return trained with { Duration = clock.Elapsed };
        var test = Evaluate(request, logger);
        return new CaptionerExperimentResult(trained?.Training, trained?.TimeLimitReached ?? false, trained?.Density, test, clock.Elapsed);
    }

    /// <summary>
    /// Prepares the corpus and model, trains into <see cref="CaptionerTrainingRequest.OutputDirectory"/> and, when training
    /// ran to its end, fits the in-domain feature density on the best weights. The result's <see cref="CaptionerExperimentResult.Test"/> is null.
    /// </summary>
    /// <inheritdoc cref="Run" path="/param"/>
    public static CaptionerExperimentResult Train(CaptionerTrainingRequest request, IProgress<TrainingProgress>? progress = null, Action<EpochSummary>? onEpoch = null,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        request.Validate();
        logger ??= NullLogger.Instance;
        // The time limit cancels training like the caller's token does (checkpoint saved), but the run still counts as done.
        using var timer = new CancellationTokenSource();
        if (request.TimeLimit is { } limit) timer.CancelAfter(limit);
        using var trainingToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);

        var clock = Stopwatch.StartNew();
        string? resumeFrom = request.Resume ? Path.Combine(request.OutputDirectory, "checkpoints", "last") : null;
        using var task = new CaptioningTrainingTask(request.Data, request.Architecture, request.Seed, resumeFrom, trainingToken.Token,
            new InlineProgress<string>(message => logger.LogInformation("{Message}", message)));
        foreach (var (split, list) in task.Corpus.Dataset.SplitLists)
            logger.LogInformation("{Split} split list {List}", split, list);
        logger.LogInformation("{Train} training / {Validation} validation images, {Words} words, {Parameters:N0} parameters, preset {Preset}, attention {Attention}, prepared in {Seconds:F1}s",
            task.Corpus.Train.Shard.Count, task.Corpus.Validation.Shard.Count, task.Corpus.Vocabulary.Count, task.Model.ParameterCount(), task.Config.EncoderPreset,
            task.Config.UseAttention ? "on" : "off", clock.Elapsed.TotalSeconds);
        foreach (var failure in task.Corpus.Train.Failures.Concat(task.Corpus.Validation.Failures))
            logger.LogWarning("skipped undecodable image {Failure}", failure);

        var trainer = new Trainer(request.EffectiveTrainer, task, request.OutputDirectory);
        var result = trainer.Fit(request.Resume, progress, onEpoch, trainingToken.Token);

        FeatureDensity? density = null;
        // A run stopped by --time-limit counts as done (its best model is what users get), so it gets its density too;
        // only Ctrl-C leaves it for the resumed run.
        bool done = !result.Interrupted || timer.IsCancellationRequested;
        if (done && File.Exists(Path.Combine(request.OutputDirectory, Checkpoint.ModelFile)))
        {
            // The in-domain confidence belongs to the model users get: the best weights, not the last ones.
            task.LoadWeights(request.OutputDirectory);
            density = task.FitFeatureDensity(request.OutputDirectory);
            logger.LogInformation("in-domain confidence fitted on {Train} training images, calibrated on {Calibration} validation images",
                task.Corpus.Train.Shard.Count, density.CalibrationCount);
        }
        string how = timer.IsCancellationRequested && result.Interrupted ? "stopped at the time limit (continue with --resume)"
            : result.Interrupted ? "interrupted (resume with --resume)" : result.StoppedEarly ? "stopped early" : "finished";
        logger.LogInformation("{Outcome} after {Epochs} epochs in {Minutes:F1} min; best valid BLEU-4 {Best:F4}; model in {Directory}",
            how, result.EpochsCompleted, clock.Elapsed.TotalMinutes, result.BestMetric ?? double.NaN, request.OutputDirectory);
        return new CaptionerExperimentResult(result, timer.IsCancellationRequested, density, null, clock.Elapsed);
    }

    /// <summary>
    /// Scores the best model in <see cref="CaptionerTrainingRequest.OutputDirectory"/> on the test split with greedy and
    /// beam-3 decoding and writes the scores to <see cref="MetricsJson.TestMetricsFile"/> beside it; null when the dataset has no test split.
    /// </summary>
    public static IReadOnlyList<CaptionerTestScores>? Evaluate(CaptionerTrainingRequest request, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        var dataset = CaptionDatasetLoader.Load(request.Data.DataPath, request.Data.LoadOptions);
        if (!dataset.InSplit(DatasetSplit.Test).Any())
        {
            logger.LogInformation("the dataset has no test split; skipping test evaluation.");
            return null;
        }
        var captioner = ImageCaptioner.Load(request.OutputDirectory);
        var scores = new List<CaptionerTestScores>();
        foreach (var (name, options) in new[] { ("greedy", CaptionOptions.Greedy), ("beam3", CaptionOptions.Default with { BeamSize = 3 }) })
        {
            var clock = Stopwatch.StartNew();
            var metrics = CaptionerEvaluation.Evaluate(captioner, request.Data.DataPath, DatasetSplit.Test, options, request.Data.ImageRoot, request.Data.Format);
            scores.Add(new CaptionerTestScores(name, options, metrics, clock.Elapsed));
        }
        var report = scores.ToDictionary(s => s.Decoding, s => (object)s.Metrics.Scores);
        AtomicFile.WriteAllText(Path.Combine(request.OutputDirectory, MetricsJson.TestMetricsFile), JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        return scores;
    }
}
