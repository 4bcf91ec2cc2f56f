// `pipeline train captioner`: parses the command line into a CaptionerTrainingRequest and runs it with
// CaptionerExperiment (library code: training, the in-domain density, test evaluation and test_metrics.json);
// the CLI adds only progress display, Ctrl-C handling and the printed results, as `train classifier` does.
// Progress: a Spectre.Console bar on an interactive terminal, plain lines otherwise. Ctrl-C while training
// stops after the batch and saves a resumable checkpoint.
using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Pipeline.Captioning;
using Pipeline.Models.Captioning;
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Training;
using Pipeline.Preprocessing.Datasets;
using Spectre.Console;

namespace Pipeline.Cli;

/// <summary><c>pipeline train captioner --data D --out MODEL_DIR</c>: trains an image captioner.</summary>
internal static class TrainCaptionerCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Caption annotations: Karpathy/COCO JSON, Flickr token file or TSV/CSV.", Required = true };
        var images = new Option<string?>("--images") { Description = "Image folder (default: the annotation file's folder)." };
        var format = CliOptions.Choice("--format", "Annotation format (default: detected from the file).", CaptionFormat.Auto);
        var output = new Option<string>("--out") { Description = "Model directory to write (best model at its root, checkpoints/last for --resume).", Required = true };
        var preset = new Option<string>("--preset") { Description = "Encoder preset: resnet18 (ImageNet-pretrained, 224 px, for photos; the default), or trained from scratch: tiny (64 px), small or base (128 px).", DefaultValueFactory = _ => "resnet18" };
        preset.AcceptOnlyFromAmong([.. CaptionerConfig.PresetNames]);
        var fineTune = new Option<int>("--fine-tune-stages") { Description = "resnet18: how many of its last residual stages train with the decoder (0 = frozen features, computed once and cached).", DefaultValueFactory = _ => 0 };
        var splitLists = new Option<string[]>("--split-list") { Description = "SPLIT=FILE: a Flickr-style split list (one image name per line) for train, val/dev or test; repeatable. Default for a Flickr token file: the *trainImages.txt/*devImages.txt/*testImages.txt beside it.", AllowMultipleArgumentsPerToken = false };
        var epochs = new Option<int>("--epochs") { Description = "Maximum epochs.", DefaultValueFactory = _ => CaptionerTrainingRequest.DefaultEpochs };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per batch (each with all its reference captions).", DefaultValueFactory = _ => 32 };
        var learningRate = new Option<double?>("--lr") { Description = "Adam learning rate (default: 1e-3 for resnet18, 2e-3 from scratch)." };
        var patience = new Option<int>("--patience") { Description = "Early stopping: epochs without BLEU-4 improvement (0 = off).", DefaultValueFactory = _ => CaptionerTrainingRequest.DefaultPatience };
        var noAttention = new Option<bool>("--no-attention") { Description = "Train the baseline: the decoder sees only the mean image feature." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of initialisation, shuffling and dropout.", DefaultValueFactory = _ => 1UL };
        var resume = new Option<bool>("--resume") { Description = "Continue exactly from OUT/checkpoints/last." };
        var embedding = new Option<int?>("--embedding-dim") { Description = "Word embedding size (default: 256 for resnet18, 128 from scratch)." };
        var hidden = new Option<int?>("--hidden-size") { Description = "LSTM hidden size (default: 512 for resnet18, 256 from scratch)." };
        var attentionDim = new Option<int?>("--attention-dim") { Description = "Attention MLP size (default: 256 for resnet18, 128 from scratch)." };
        var lambda = new Option<float?>("--attention-lambda") { Description = "Weight λ of the doubly stochastic attention penalty (per caption, relative to per-token cross-entropy; default 0.1)." };
        var dropout = new Option<float?>("--dropout") { Description = "Dropout before the word classifier (default: 0.5 for resnet18, 0.3 from scratch)." };
        var minFrequency = new Option<int>("--min-count") { Description = "Training words seen fewer times become <unk>.", DefaultValueFactory = _ => CaptioningTrainingOptions.DefaultMinWordFrequency };
        var validationImages = new Option<int>("--validation-images") { Description = "Validation images decoded per epoch (0 = all).", DefaultValueFactory = _ => 0 };
        var cache = new Option<string?>("--cache") { Description = "Prepared-image cache folder (default: DATA_FOLDER/.prepared)." };
        var timeLimit = new Option<double?>("--time-limit") { Description = "Stop training after this many minutes (the best model so far is kept, the last checkpoint is resumable)." };
        var evaluateOnly = new Option<bool>("--evaluate-only") { Description = "Skip training; score the model in --out on the test split." };

        var command = new Command("captioner", "Train an image captioner (CNN encoder + LSTM decoder with soft attention) and score it on the test split.");
        foreach (var option in new Option[] { data, images, format, splitLists, output, preset, fineTune, epochs, batchSize, learningRate, patience, noAttention, seed, resume,
                     embedding, hidden, attentionDim, lambda, dropout, minFrequency, validationImages, cache, timeLimit, evaluateOnly })
            command.Options.Add(option);

        command.SetAction((parse, cancellationToken) =>
        {
            try
            {
                var architecture = CaptionerConfig.FromPreset(parse.GetValue(preset)!, vocabularySize: 8);
                var recipe = CaptionerRecipe.For(architecture.EncoderPreset);
                if (parse.GetValue(fineTune) != 0)
                {
                    if (architecture.Backbone is null) throw new ArgumentException("--fine-tune-stages applies to a pretrained preset (resnet18) only.");
                    architecture = architecture with { Backbone = architecture.Backbone with { TrainableStages = parse.GetValue(fineTune) } };
                }
                architecture = architecture with
                {
                    UseAttention = !parse.GetValue(noAttention),
                    EmbeddingDim = parse.GetValue(embedding) ?? recipe.EmbeddingDim,
                    HiddenSize = parse.GetValue(hidden) ?? recipe.HiddenSize,
                    AttentionDim = parse.GetValue(attentionDim) ?? recipe.AttentionDim,
                    Dropout = parse.GetValue(dropout) ?? recipe.Dropout,
                    DoublyStochasticLambda = parse.GetValue(lambda) ?? recipe.AttentionLambda,
                };
                var request = new CaptionerTrainingRequest(
                    Data: new CaptioningTrainingOptions
                    {
                        DataPath = parse.GetValue(data)!,
                        ImageRoot = parse.GetValue(images),
                        Format = format.Get(parse),
                        SplitLists = ParseSplitLists(parse.GetValue(splitLists)),
                        CacheDirectory = parse.GetValue(cache),
                        BatchSize = parse.GetValue(batchSize),
                        LearningRate = parse.GetValue(learningRate) ?? recipe.LearningRate,
                        MinWordFrequency = parse.GetValue(minFrequency),
                        ValidationImages = parse.GetValue(validationImages),
                    }.Validate(),
                    Architecture: architecture.Validated(),
                    OutputDirectory: parse.GetValue(output)!,
                    Trainer: CaptionerTrainingRequest.DefaultTrainer(parse.GetValue(epochs), parse.GetValue(patience)),
                    Seed: parse.GetValue(seed),
                    Resume: parse.GetValue(resume),
                    EvaluateOnly: parse.GetValue(evaluateOnly),
                    TimeLimit: parse.GetValue(timeLimit) is { } minutes ? TimeSpan.FromMinutes(minutes) : null);
                return Task.FromResult(Run(request, PipelineCli.IsQuiet(parse), cancellationToken));
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException or CheckpointFormatException or DatasetFormatException)
            {
                Console.Error.WriteLine($"pipeline train captioner: {PipelineCli.UserMessage(e)}");
                return Task.FromResult(PipelineCli.ErrorExitCode);
            }
        });
        return command;
    }

    private static int Run(CaptionerTrainingRequest request, bool quiet, CancellationToken commandToken)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(commandToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;   // let the Trainer finish the batch and save instead of killing the process
            Console.Error.WriteLine("train captioner: stopping after this batch and saving a resumable checkpoint (Ctrl-C again to abort)...");
            cancel.Cancel();
            Console.CancelKeyPress -= OnSecondCancel;
            Console.CancelKeyPress += OnSecondCancel;
        };
        // --quiet: warnings and errors only, no progress or per-epoch lines (the test scores, the command's result, stay).
        var logger = new CommandLogger(quiet ? LogLevel.Warning : LogLevel.Information);
        Console.CancelKeyPress += onCancel;
        try
        {
            if (!request.EvaluateOnly && Train(request, logger, quiet, cancel.Token).Interrupted) return PipelineCli.CancelledExitCode;
            // Evaluation is not resumable: from here Ctrl-C ends the process as usual.
            Console.CancelKeyPress -= onCancel;
            var scores = CaptionerExperiment.Evaluate(request, logger);
            foreach (var s in scores ?? [])
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test ({s.Decoding}, {s.Metrics.ImageCount} images, {s.Duration.TotalSeconds:F1}s): ") +
                                  string.Join("  ", s.Metrics.Scores.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:F4}"))));
            return 0;
        }
        finally { Console.CancelKeyPress -= onCancel; }
    }

    private static void OnSecondCancel(object? sender, ConsoleCancelEventArgs e) => e.Cancel = false;

    /// <summary>Runs CaptionerExperiment.Train with a progress bar on an interactive terminal, plain lines otherwise.</summary>
    private static CaptionerExperimentResult Train(CaptionerTrainingRequest request, CommandLogger logger, bool quiet, CancellationToken cancellationToken)
    {
        if (quiet) return CaptionerExperiment.Train(request, progress: null, onEpoch: null, logger, cancellationToken);
        static void OnEpoch(EpochSummary e) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"epoch {e.Epoch}: loss {e.TrainLoss:F4}  valid BLEU-4 {e.ValidMetric:F4}  CIDEr-D {e.ValidMetrics.GetValueOrDefault("CIDEr-D"):F3}  lr {e.LearningRate:G3}  {e.Seconds:F0}s  {e.ItemsPerSecond:F0} tokens/s{(e.Improved ? "  *best" : "")}"));

        // InlineProgress, not Progress<T>: reports must arrive in order, on the training thread (see InlineProgress).
        if (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
        {
            return AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(context =>
                {
                    ProgressTask? bar = null;
                    int barEpoch = -1;
                    var progress = new InlineProgress<TrainingProgress>(p =>
                    {
                        if (p.Epoch != barEpoch) { bar?.StopTask(); bar = context.AddTask($"epoch {p.Epoch}/{p.Epochs}", maxValue: p.Batches); barEpoch = p.Epoch; }
                        bar!.Value = p.Batch;
                        bar.Description = string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch}/{p.Epochs} loss {p.RunningLoss:F3} {p.ItemsPerSecond:F0} tok/s ETA {p.EpochEta:mm\\:ss}");
                    });
                    return CaptionerExperiment.Train(request, progress, e => { bar?.StopTask(); OnEpoch(e); }, logger, cancellationToken);
                });
        }
        var lines = new InlineProgress<TrainingProgress>(p =>
        {
            int every = Math.Max(1, p.Batches / 5);
            if (p.Batch % every == 0 && p.Batch != p.Batches)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  epoch {p.Epoch}/{p.Epochs} batch {p.Batch}/{p.Batches} loss {p.RunningLoss:F4} {p.ItemsPerSecond:F0} tokens/s ETA {p.EpochEta:mm\\:ss}"));
        });
        return CaptionerExperiment.Train(request, lines, OnEpoch, logger, cancellationToken);
    }

    /// <summary>"train=a.txt", "dev=b.txt" → split lists; null when none are given (the loader then looks beside the data).</summary>
    private static IReadOnlyDictionary<DatasetSplit, string>? ParseSplitLists(string[]? values)
    {
        if (values is not { Length: > 0 }) return null;
        var lists = new Dictionary<DatasetSplit, string>();
        foreach (var value in values)
        {
            int eq = value.IndexOf('=');
            var split = eq > 0 ? DatasetFormatDetector.ParseSplit(value[..eq]) : null;
            if (split is null || eq == value.Length - 1)
                throw new ArgumentException($"--split-list '{value}': expected SPLIT=FILE with SPLIT one of train, val, dev, test.");
            if (!lists.TryAdd(split.Value, value[(eq + 1)..])) throw new ArgumentException($"--split-list: {split} is given twice.");
        }
        return lists;
    }

    /// <summary>The experiment's messages as the command's lines: information on stdout, warnings and errors on stderr.</summary>
    private sealed class CommandLogger(LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            (logLevel >= LogLevel.Warning ? Console.Error : Console.Out).WriteLine($"train captioner: {formatter(state, exception)}");
        }
    }
}
