// The one training loop of the product (captioning and classification both use it): epochs of batches
// with gradient clipping, validation each epoch, best/last checkpoints, reduce-on-plateau LR decay,
// early stopping with patience, a JSONL metrics log, progress reports, and exact resume — also from
// the middle of an epoch after Ctrl-C, by rewinding the generator to the epoch's start, re-planning
// the same batch order and skipping the batches already trained.
using System.Diagnostics;
using System.Text.Json;
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Optim;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Training;

/// <summary>Trains an <see cref="ITrainingTask"/> into a model directory.</summary>
/// <remarks>
/// Layout of <c>outputDirectory</c>: the best model at its root (what users load), <c>metrics.jsonl</c>
/// (one line per epoch), and <c>checkpoints/last/</c> with optimizer and trainer state for <c>--resume</c> — a symbolic
/// link to the latest complete checkpoint folder, switched by one atomic rename (<see cref="AtomicDirectory"/>).
/// </remarks>
public sealed class Trainer
{
    /// <summary>File name of the per-epoch metrics log.</summary>
    public const string MetricsLogFile = "metrics.jsonl";

    private readonly TrainerOptions options;
    private readonly ITrainingTask task;
    private readonly string outputDirectory;

    /// <summary>Creates a trainer writing into <paramref name="outputDirectory"/>.</summary>
    public Trainer(TrainerOptions options, ITrainingTask task, string outputDirectory)
    {
        options.Validate();
        this.options = options;
        this.task = task;
        this.outputDirectory = outputDirectory;
    }

    /// <summary>Directory of the resumable last checkpoint.</summary>
    public string LastCheckpointDirectory => Path.Combine(outputDirectory, "checkpoints", "last");

    /// <summary>
    /// Runs training. With <paramref name="resume"/>, continues exactly from the last checkpoint (weights, optimizer,
    /// RNG, LR schedule, early-stopping counters, position inside the epoch).
    /// </summary>
    public TrainingResult Fit(bool resume = false, IProgress<TrainingProgress>? progress = null, Action<EpochSummary>? onEpoch = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(outputDirectory);
        var generator = task.Generator;
        var plateau = options.LrDecay is null ? null : new ReduceOnPlateau(task.Optimizer, options.LrDecay);
        int startEpoch = 0, startBatch = 0, badEpochs = 0;
        long step = 0;
        double? best = null;
        GeneratorState? epochStart = null;
        double carriedLoss = 0;
        long carriedItems = 0;
        var history = new List<EpochSummary>();
        var logPath = Path.Combine(outputDirectory, MetricsLogFile);

        if (resume)
        {
            var state = Checkpoint.LoadTrainerState(LastCheckpointDirectory)
                ?? throw new InvalidOperationException($"--resume: there is no checkpoint to resume in {LastCheckpointDirectory}; start without --resume.");
            task.LoadWeights(LastCheckpointDirectory);
            Checkpoint.LoadOptimizer(LastCheckpointDirectory, task.Optimizer);
            if (state.Generator is not null) generator.SetState(state.Generator);
            if (plateau is not null && state.Scheduler is not null) plateau.LoadState(state.Scheduler);
            (startEpoch, startBatch, step, best, badEpochs, epochStart) = (state.Epoch, state.BatchInEpoch, state.Step, state.BestMetric, state.EpochsWithoutImprovement, state.EpochStartGenerator);
            (carriedLoss, carriedItems) = (state.EpochLossSum, state.EpochItems);
            history.AddRange(ReadLog(logPath).Where(e => e.Epoch <= startEpoch));
            RewriteLog(logPath, history);   // drop lines of an epoch that was cut short
        }
        else if (File.Exists(logPath)) File.Delete(logPath);

        for (int epoch = startEpoch; epoch < options.Epochs; epoch++)
        {
            // Plan the epoch from a recorded generator state so a resumed run sees the same batch order.
            GeneratorState resumeState = generator.GetState();
            if (startBatch > 0 && epochStart is not null) generator.SetState(epochStart);
            var planState = generator.GetState();
            int batches = task.PlanEpoch(epoch, generator);
            if (startBatch > 0) generator.SetState(resumeState);

            task.Model.Train();
            var clock = Stopwatch.StartNew();
            // A resumed epoch carries the loss of the batches trained before the interruption.
            double lossSum = carriedLoss; long items = carriedItems; int counted = startBatch;
            carriedLoss = 0; carriedItems = 0;
            int firstBatch = startBatch; long firstItems = items;
            for (int b = startBatch; b < batches; b++)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    SaveLast(new TrainerState(epoch, step, best, generator.GetState(), plateau?.GetState(), b, planState, badEpochs, lossSum, items));
                    return new TrainingResult(epoch, best, Interrupted: true, StoppedEarly: false, history);
                }
                task.Optimizer.ZeroGrad();
                BatchResult result;
                using (new TensorScope()) result = task.TrainBatch(b, generator);
                if (options.GradientClipNorm is { } clip) GradientClipping.ClipGlobalNorm(task.Model.Parameters(), clip);
                task.Optimizer.Step();
                step++;
                lossSum += result.Loss; items += result.Items; counted++;
                double seconds = clock.Elapsed.TotalSeconds;
                int run = b + 1 - firstBatch;
                progress?.Report(new TrainingProgress(epoch + 1, options.Epochs, b + 1, batches, lossSum / counted, (items - firstItems) / Math.Max(seconds, 1e-9),
                    TimeSpan.FromSeconds(seconds / run * (batches - b - 1))));
            }
            startBatch = 0;
            double trainSeconds = clock.Elapsed.TotalSeconds;

            task.Model.Eval();
            var validation = task.Validate(cancellationToken);
            task.Model.Train();
            bool improved = best is null || (options.HigherIsBetter ? validation.Monitored > best + options.MinDelta : validation.Monitored < best - options.MinDelta);
            if (improved) { best = validation.Monitored; badEpochs = 0; task.Save(outputDirectory, null, null); }
            else badEpochs++;
            plateau?.Step(validation.Monitored);

            var summary = new EpochSummary(epoch + 1, counted == 0 ? double.NaN : lossSum / counted, validation.Monitored, validation.Metrics,
                task.Optimizer.LearningRate, trainSeconds, (items - firstItems) / Math.Max(trainSeconds, 1e-9), improved);
            history.Add(summary);
            AppendLog(logPath, summary);
            SaveLast(new TrainerState(epoch + 1, step, best, generator.GetState(), plateau?.GetState(), 0, null, badEpochs));
            onEpoch?.Invoke(summary);

            if (options.Patience > 0 && badEpochs >= options.Patience)
                return new TrainingResult(epoch + 1, best, Interrupted: false, StoppedEarly: true, history);
            if (cancellationToken.IsCancellationRequested)
                return new TrainingResult(epoch + 1, best, Interrupted: true, StoppedEarly: false, history);
        }
        return new TrainingResult(options.Epochs, best, Interrupted: false, StoppedEarly: false, history);
    }

    // Weights, optimizer and trainer state must come from the same step: written into a new folder, switched in by one rename.
    private void SaveLast(TrainerState state) => AtomicDirectory.Write(LastCheckpointDirectory, folder => task.Save(folder, task.Optimizer, state));

    private static readonly JsonSerializerOptions LogJson = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private static string ToLogLine(EpochSummary s)
    {
        var line = new Dictionary<string, object>
        {
            ["epoch"] = s.Epoch,
            ["train_loss"] = s.TrainLoss,
            ["valid_metric"] = s.ValidMetric,
            ["lr"] = s.LearningRate,
            ["seconds"] = Math.Round(s.Seconds, 3),
            ["items_per_s"] = Math.Round(s.ItemsPerSecond, 1),
            ["improved"] = s.Improved,
        };
        foreach (var (k, v) in s.ValidMetrics) line["valid_" + k.ToLowerInvariant().Replace('-', '_')] = v;
        return JsonSerializer.Serialize(line, LogJson);
    }

    private static void AppendLog(string path, EpochSummary summary)
    {
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        using var writer = new StreamWriter(stream);
        writer.WriteLine(ToLogLine(summary));
    }

    private static void RewriteLog(string path, IEnumerable<EpochSummary> entries) =>
        AtomicFile.WriteAllText(path, string.Concat(entries.Select(e => ToLogLine(e) + "\n")));

    /// <summary>Reads the metrics log back (used when resuming).</summary>
    public static List<EpochSummary> ReadLog(string path)
    {
        var list = new List<EpochSummary>();
        if (!File.Exists(path)) return list;
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                var metrics = new Dictionary<string, double>();
                foreach (var p in r.EnumerateObject())
                    if (p.Name.StartsWith("valid_") && p.Name != "valid_metric" && p.Value.ValueKind == JsonValueKind.Number) metrics[p.Name["valid_".Length..]] = p.Value.GetDouble();
                double Num(string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
                list.Add(new EpochSummary(r.GetProperty("epoch").GetInt32(), Num("train_loss"), Num("valid_metric"), metrics, Num("lr"), Num("seconds"), Num("items_per_s"),
                    r.TryGetProperty("improved", out var imp) && imp.ValueKind == JsonValueKind.True));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                break; // a torn last line from a crash: everything before it is intact
            }
        }
        return list;
    }
}
