// `pipeline train classifier`: parses options into a ClassifierTrainingRequest and runs it with
// ClassifierExperiment (library code; the CLI adds only progress display and the results table).
// Progress: a Spectre.Console bar when stderr is a terminal, one log line per epoch otherwise.
// Ctrl-C: the Trainer stops between batches and saves checkpoints/last; rerun with --resume.
using System.CommandLine;
using System.Globalization;
using Pipeline.Classification;
using Pipeline.Evaluation.Classification;
using Pipeline.Models.Classification;
using Pipeline.Models.Training;
using Pipeline.Preprocessing.Datasets;
using Pipeline.Preprocessing.Text;
using Spectre.Console;

namespace Pipeline.Cli;

/// <summary>The <c>train classifier</c> command.</summary>
internal static class TrainClassifierCommand
{
    public static Command Create()
    {
        var d = new ClassifierTrainingOptions();
        var data = new Option<FileSystemInfo>("--data") { Description = "Training data: TSV/CSV, fastText, JSONL or a folder per class.", Required = true };
        var valid = new Option<FileSystemInfo?>("--valid") { Description = "Validation data (default: a seeded stratified 10% of --data)." };
        var test = new Option<FileSystemInfo?>("--test") { Description = "Test data, evaluated with the best model at the end." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Model directory to write.", Required = true };
        var format = CliOptions.Choice("--format", "Data format (default: detected from the file).", ClassificationFormat.Auto, new Dictionary<ClassificationFormat, string> { [ClassificationFormat.FastText] = "fasttext" });
        var arch = new Option<string>("--arch") { Description = "textcnn or birnn.", DefaultValueFactory = _ => "textcnn" };
        arch.AcceptOnlyFromAmong("textcnn", "birnn");
        var tokenizer = new Option<string>("--tokenizer") { Description = "word or bpe (cl100k_base).", DefaultValueFactory = _ => "word" };
        tokenizer.AcceptOnlyFromAmong("word", "bpe");
        var embedding = new Option<string?>("--embedding") { Description = "rand, static, non-static or multichannel (default: non-static with --vectors, else rand)." };
        embedding.AcceptOnlyFromAmong("rand", "static", "non-static", "multichannel");
        var vectors = new Option<FileInfo?>("--vectors") { Description = "Pre-trained word vectors (word2vec text/binary or GloVe)." };
        var embeddingDim = new Option<int>("--embedding-dim") { Description = "Embedding width without --vectors.", DefaultValueFactory = _ => d.EmbeddingDim };
        var cell = new Option<string>("--cell") { Description = "BiRNN cell: lstm or gru.", DefaultValueFactory = _ => "lstm" };
        cell.AcceptOnlyFromAmong("lstm", "gru");
        var pooling = new Option<string?>("--pooling") { Description = "BiRNN: attention, max, mean or last (default attention); TextCNN: max or kmax (default max)." };
        pooling.AcceptOnlyFromAmong("attention", "max", "mean", "last", "kmax");
        var hidden = new Option<int>("--hidden-size") { Description = "BiRNN hidden units per direction.", DefaultValueFactory = _ => d.HiddenSize };
        var layers = new Option<int>("--layers") { Description = "BiRNN stacked layers (1 or 2).", DefaultValueFactory = _ => d.Layers };
        var maps = new Option<int>("--feature-maps") { Description = "TextCNN feature maps per filter width.", DefaultValueFactory = _ => d.FeatureMaps };
        var widths = CliOptions.IntList("--widths", "TextCNN filter widths.");
        var dropout = new Option<float>("--dropout") { Description = "Dropout before the output layer.", DefaultValueFactory = _ => d.Dropout };
        var wordDropout = new Option<float>("--word-dropout") { Description = "Probability of replacing a training token by <unk>.", DefaultValueFactory = _ => d.WordDropout };
        var maxNorm = new Option<float>("--max-norm") { Description = "TextCNN: L2 bound of each output-layer weight row.", DefaultValueFactory = _ => d.MaxNorm };
        var lrDecay = new Option<double>("--lr-decay") { Description = "Multiply the learning rate by this after an epoch without validation improvement (1 = constant).", DefaultValueFactory = _ => d.LearningRateDecay };
        var ngrams = new Option<int>("--ngrams") { Description = "Longest n-gram of the NB-weighted n-gram branch (0 = none, up to 3).", DefaultValueFactory = _ => d.NgramOrder };
        var ngramScale = new Option<float>("--ngram-scale") { Description = "Initial weight of each n-gram's NB log-count ratio.", DefaultValueFactory = _ => d.NgramScale };
        var ngramDropout = new Option<float>("--ngram-dropout") { Description = "Training-time drop probability of each n-gram.", DefaultValueFactory = _ => d.NgramDropout };
        var ngramNorm = new Option<string>("--ngram-norm") { Description = "Normalise the n-gram branch's sum by the number of n-grams in the text: l2 (÷√n), l1 (÷n, the mean) or none.", DefaultValueFactory = _ => NgramNormName(d.NgramNormalization) };
        ngramNorm.AcceptOnlyFromAmong("l2", "l1", "none");
        var networkLoss = new Option<float>("--network-loss") { Description = "With the n-gram branch: weight of the network's own loss in the training objective (0 = none).", DefaultValueFactory = _ => d.NetworkLossWeight };
        var ngramMinCount = new Option<int>("--ngram-min-count") { Description = "Keep n-grams that occur in at least this many training texts.", DefaultValueFactory = _ => d.NgramMinCount };
        var embeddingInit = new Option<float>("--embedding-init") { Description = "Random word vectors start from U(-a, a) with this a (0 = N(0, 1)).", DefaultValueFactory = _ => d.EmbeddingInitRange };
        var maxLength = new Option<int>("--max-length") { Description = "Tokens of each text the network reads.", DefaultValueFactory = _ => ClassifierPreprocessing.DefaultMaxLength };
        var ngramMaxLength = new Option<int>("--ngram-max-length") { Description = "Tokens of each text the n-gram branch reads (at least --max-length).", DefaultValueFactory = _ => ClassifierPreprocessing.DefaultNgramMaxLength };
        var minFreq = new Option<int>("--min-count") { Description = "Vocabulary: tokens seen fewer times become <unk>.", DefaultValueFactory = _ => ClassifierPreprocessing.DefaultMinFrequency };
        var maxVocab = new Option<int>("--max-vocab") { Description = "Vocabulary: maximum size.", DefaultValueFactory = _ => 50_000 };
        var epochs = new Option<int>("--epochs") { Description = "Maximum epochs (training stops earlier when validation stops improving, see --patience).", DefaultValueFactory = _ => ClassifierTrainingRequest.DefaultEpochs };
        var batchSize = new Option<int>("--batch-size") { Description = "Examples per batch.", DefaultValueFactory = _ => d.BatchSize };
        var lr = new Option<double>("--lr") { Description = "Learning rate (Adam; Adadelta's is 1).", DefaultValueFactory = _ => d.LearningRate };
        var patience = new Option<int>("--patience") { Description = "Early-stopping patience in epochs (0 = off).", DefaultValueFactory = _ => ClassifierTrainingRequest.DefaultPatience };
        var metric = new Option<string>("--metric") { Description = "Validation metric: accuracy or macro-f1.", DefaultValueFactory = _ => "accuracy" };
        metric.AcceptOnlyFromAmong("accuracy", "macro-f1");
        var optimizer = new Option<string>("--optimizer") { Description = "adam or adadelta.", DefaultValueFactory = _ => d.Optimizer == ClassifierOptimizer.Adadelta ? "adadelta" : "adam" };
        optimizer.AcceptOnlyFromAmong("adam", "adadelta");
        var preset = new Option<string>("--preset") { Description = "default, or kim: Kim (2014) CNN-rand's hyper-parameters (300-d, widths 3/4/5 × 100 maps, dropout 0.5, max-norm 3, batch 50, Adadelta, 25 epochs, no word dropout/n-grams, all words); explicit options still win.", DefaultValueFactory = _ => "default" };
        preset.AcceptOnlyFromAmong("default", "kim");
        var balance = new Option<bool>("--balance-classes") { Description = "Weight the loss by inverse class frequency." };
        var folds = new Option<int?>("--folds") { Description = "K-fold cross-validation on --data; reports mean ± std." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of split, initialisation, dropout and batch order.", DefaultValueFactory = _ => 42 };
        var resume = new Option<bool>("--resume") { Description = "Continue from <out>/checkpoints/last." };
        var baseline = new Option<bool>("--baseline") { Description = "Also train the ML.NET baseline on --data and report it beside the model on --test (as `evaluate classifier --baseline`)." };

        var command = new Command("classifier", "Train a TextCNN or BiRNN text classifier.");
        foreach (var o in new Option[] { data, valid, test, output, format, arch, tokenizer, embedding, vectors, embeddingDim, cell, pooling, hidden, layers, maps, widths, dropout,
                     wordDropout, maxNorm, lrDecay, ngrams, ngramScale, ngramDropout, ngramMinCount, ngramNorm, networkLoss, embeddingInit, maxLength, ngramMaxLength, minFreq, maxVocab, epochs, batchSize, lr, optimizer, preset, patience, metric, balance, folds, seed, resume, baseline })
            command.Options.Add(o);

        command.SetAction((parse, cancellationToken) =>
        {
            try
            {
                // A preset replaces the defaults; options given on the command line still win.
                bool kim = parse.GetValue(preset) == "kim";
                var p = kim ? ClassifierPresets.KimCnnRand : d;
                T Pick<T>(Option<T> option, T fallback) => parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option)! : fallback;
                if (kim && parse.GetValue(arch) == "birnn") throw new ArgumentException("--preset kim is Kim (2014)'s CNN-rand: use it with --arch textcnn.");
                var architecture = parse.GetValue(arch) == "birnn" ? ClassifierArchitecture.BiRnn : ClassifierArchitecture.TextCnn;
                var vectorsFile = parse.GetValue(vectors);
                var poolingName = parse.GetValue(pooling);
                var model = new ClassifierTrainingOptions(
                    Architecture: architecture,
                    Embedding: ParseEmbedding(parse.GetValue(embedding), vectorsFile is not null),
                    EmbeddingDim: Pick(embeddingDim, p.EmbeddingDim),
                    Cell: parse.GetValue(cell) == "gru" ? RnnCellType.Gru : RnnCellType.Lstm,
                    Pooling: architecture == ClassifierArchitecture.BiRnn ? ParseRnnPooling(poolingName ?? "attention") : RnnPooling.Attention,
                    CnnPooling: architecture == ClassifierArchitecture.TextCnn ? ParseCnnPooling(poolingName ?? "max") : CnnPooling.Max,
                    HiddenSize: parse.GetValue(hidden),
                    Layers: parse.GetValue(layers),
                    FilterWidths: parse.GetValue(widths) is { Length: > 0 } w ? w : p.FilterWidths,
                    FeatureMaps: Pick(maps, p.FeatureMaps),
                    Dropout: Pick(dropout, p.Dropout),
                    BatchSize: Pick(batchSize, p.BatchSize),
                    LearningRate: Pick(lr, p.LearningRate),
                    Metric: parse.GetValue(metric) == "macro-f1" ? ClassificationMetric.MacroF1 : ClassificationMetric.Accuracy,
                    BalanceClasses: parse.GetValue(balance),
                    WordDropout: Pick(wordDropout, p.WordDropout),
                    MaxNorm: Pick(maxNorm, p.MaxNorm),
                    LearningRateDecay: Pick(lrDecay, p.LearningRateDecay),
                    NgramOrder: Pick(ngrams, p.NgramOrder),
                    NgramScale: Pick(ngramScale, p.NgramScale),
                    NgramDropout: Pick(ngramDropout, p.NgramDropout),
                    NgramMinCount: Pick(ngramMinCount, p.NgramMinCount),
                    NetworkLossWeight: Pick(networkLoss, p.NetworkLossWeight),
                    NgramNormalization: parse.GetResult(ngramNorm) is { Implicit: false } ? ParseNgramNorm(parse.GetValue(ngramNorm)!) : p.NgramNormalization,
                    EmbeddingInitRange: Pick(embeddingInit, p.EmbeddingInitRange),
                    Optimizer: parse.GetResult(optimizer) is { Implicit: false } ? (parse.GetValue(optimizer) == "adadelta" ? ClassifierOptimizer.Adadelta : ClassifierOptimizer.Adam) : p.Optimizer);
                var request = new ClassifierTrainingRequest(
                    TrainPath: parse.GetValue(data)!.FullName,
                    OutputDirectory: parse.GetValue(output)!.FullName,
                    Model: model,
                    ValidPath: parse.GetValue(valid)?.FullName,
                    TestPath: parse.GetValue(test)?.FullName,
                    Format: format.Get(parse),
                    Tokenizer: parse.GetValue(tokenizer) == "bpe" ? TokenizerSpec.Bpe() : TokenizerSpec.Word(),
                    Preprocessing: new ClassifierPreprocessing(TextNormalizerOptions.Default, parse.GetValue(maxLength), MinFrequency: Pick(minFreq, kim ? ClassifierPresets.KimMinFrequency : ClassifierPreprocessing.DefaultMinFrequency), MaxVocabularySize: parse.GetValue(maxVocab),
                        NgramMaxLength: model.NgramOrder > 0 ? parse.GetValue(ngramMaxLength) : null),
                    VectorsPath: vectorsFile?.FullName,
                    Epochs: Pick(epochs, kim ? ClassifierPresets.KimEpochs : ClassifierTrainingRequest.DefaultEpochs),
                    Patience: Pick(patience, kim ? ClassifierPresets.KimPatience : ClassifierTrainingRequest.DefaultPatience),
                    Seed: parse.GetValue(seed),
                    Folds: parse.GetValue(folds),
                    Resume: parse.GetValue(resume),
                    Baseline: parse.GetValue(baseline));
                return Task.FromResult(Run(request, PipelineCli.IsQuiet(parse), cancellationToken));
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException or DatasetFormatException or FormatException or Models.Checkpoints.CheckpointFormatException)
            {
                Console.Error.WriteLine($"pipeline train classifier: {PipelineCli.UserMessage(e)}");
                return Task.FromResult(PipelineCli.ErrorExitCode);
            }
        });
        return command;
    }

    private static int Run(ClassifierTrainingRequest request, bool quiet, CancellationToken cancellationToken)
    {
        // --quiet: warnings and errors only on stderr, no progress bar or per-epoch lines.
        var logger = new StderrLogger(quiet ? Microsoft.Extensions.Logging.LogLevel.Warning : Microsoft.Extensions.Logging.LogLevel.Information);
        ClassifierExperimentResult result;
        void OnEpoch(EpochSummary s) { if (!quiet) logger.LogEpoch(s); }
        if (!quiet && !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive)
        {
            result = AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var bar = ctx.AddTask("training");
                    // InlineProgress, not Progress<T>: reports must arrive in order, on the training thread (see InlineProgress).
                    var progress = new InlineProgress<TrainingProgress>(p =>
                    {
                        bar.Description = string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch}/{p.Epochs} loss {p.RunningLoss:F4} {p.ItemsPerSecond:F0} ex/s");
                        bar.MaxValue = p.Batches;
                        bar.Value = p.Batch;
                    });
                    return ClassifierExperiment.Run(request, progress, OnEpoch, logger, cancellationToken);
                });
        }
        else result = ClassifierExperiment.Run(request, null, OnEpoch, logger, cancellationToken);

        if (result.Interrupted)
        {
            Console.Error.WriteLine($"interrupted: checkpoint saved; continue with the same command plus --resume.");
            return PipelineCli.CancelledExitCode;
        }
        if (result.Folds is { } folds) Console.WriteLine(folds);
        if (result.Test is { } test) PrintTable(result.Test, result.Baseline, request.Model.Architecture.ToString());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done in {result.Duration.TotalSeconds:F0} s; model in {request.OutputDirectory}"));
        return 0;
    }

    private static void LogEpoch(this StderrLogger logger, EpochSummary s) => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"[{DateTime.UtcNow:HH:mm:ss}] epoch {s.Epoch}: train loss {s.TrainLoss:F4}, valid {string.Join(", ", s.ValidMetrics.Select(m => $"{m.Key} {m.Value:F4}"))}, {s.Seconds:F0} s, {s.ItemsPerSecond:F0} ex/s{(s.Improved ? " *" : "")}"));

    private static void PrintTable(ClassificationReport model, ClassificationReport? baseline, string name)
    {
        var table = new Table().AddColumn("model").AddColumn("accuracy").AddColumn("macro-F1").AddColumn("log-loss");
        foreach (var c in model.Labels) table.AddColumn($"F1 {Markup.Escape(c)}");
        void Row(string title, ClassificationReport r) => table.AddRow(new[] { Markup.Escape(title), F(r.MicroAccuracy), F(r.PerClass.Average(c => c.F1)), F(r.LogLoss) }
            .Concat(r.PerClass.Select(c => F(c.F1))).ToArray());
        Row(name, model);
        if (baseline is not null) Row(MlNetBaseline.ModelName, baseline);
        CliTables.Write(table);
    }

    private static string F(double v) => v.ToString("F4", CultureInfo.InvariantCulture);

    private static EmbeddingMode ParseEmbedding(string? name, bool haveVectors) => name switch
    {
        null => haveVectors ? EmbeddingMode.NonStatic : EmbeddingMode.Rand,
        "rand" => EmbeddingMode.Rand,
        "static" => EmbeddingMode.Static,
        "non-static" => EmbeddingMode.NonStatic,
        _ => EmbeddingMode.Multichannel,
    };

    private static RnnPooling ParseRnnPooling(string name) => name switch
    {
        "attention" => RnnPooling.Attention,
        "max" => RnnPooling.Max,
        "mean" => RnnPooling.Mean,
        "last" => RnnPooling.Last,
        _ => throw new ArgumentException($"--pooling {name} is not available for birnn (attention, max, mean, last)."),
    };

    private static CnnPooling ParseCnnPooling(string name) => name switch
    {
        "max" => CnnPooling.Max,
        "kmax" => CnnPooling.KMax,
        _ => throw new ArgumentException($"--pooling {name} is not available for textcnn (max, kmax)."),
    };

    private static NgramNormalization ParseNgramNorm(string name) => name switch
    {
        "l2" => NgramNormalization.L2,
        "l1" => NgramNormalization.L1,
        "none" => NgramNormalization.None,
        _ => throw new ArgumentException($"--ngram-norm {name}: expected l2, l1 or none."),
    };

    private static string NgramNormName(NgramNormalization normalization) => normalization.ToString().ToLowerInvariant();
}
