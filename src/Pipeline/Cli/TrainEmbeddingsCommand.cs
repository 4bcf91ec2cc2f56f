// `pipeline train embeddings`: thin CLI over word2vec training (Mikolov et al. 2013) in
// Pipeline.Models.Embeddings and the word-vector writer in Pipeline.Preprocessing.Text. It only parses
// options into a Word2VecOptions record, tokenizes each corpus line with the project's WordTokenizer
// (NFKC + optional lower-casing), and prints a summary with nearest neighbours of frequent words.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Pipeline.Models.Embeddings;
using Pipeline.Preprocessing.Files;
using Pipeline.Preprocessing.Text;

namespace Pipeline.Cli;

/// <summary><c>pipeline train embeddings --corpus FILE --out vectors.txt</c>: trains word2vec vectors and writes the word2vec text format.</summary>
internal static class TrainEmbeddingsCommand
{
    /// <summary>The <c>train embeddings</c> command (registered by <see cref="TrainCommand"/>).</summary>
    public static Command Create()
    {
        var defaults = new Word2VecOptions();
        var corpus = new Option<FileInfo>("--corpus") { Description = "UTF-8 text, one sentence or document per line.", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the vectors (word2vec text format).", Required = true };
        var column = new Option<int?>("--column") { Description = "Use only this zero-based tab-separated column of each line (1 for label<TAB>text files)." };
        var architecture = CliOptions.Choice("--arch", "Skip-gram or continuous bag of words.", defaults.Architecture, new Dictionary<Word2VecArchitecture, string> { [Word2VecArchitecture.SkipGram] = "skipgram" });
        var dimensions = new Option<int>("--embedding-dim") { Description = "Vector length.", DefaultValueFactory = _ => defaults.Dimensions };
        var window = new Option<int>("--window") { Description = "Maximum context distance (randomly shrunk per word).", DefaultValueFactory = _ => defaults.Window };
        var negative = new Option<int>("--negative") { Description = "Negative samples per positive pair.", DefaultValueFactory = _ => defaults.NegativeSamples };
        var minCount = new Option<int>("--min-count") { Description = "Drop words seen fewer times.", DefaultValueFactory = _ => defaults.MinCount };
        var subsample = new Option<double>("--subsample") { Description = "Sub-sampling threshold t (0 disables).", DefaultValueFactory = _ => defaults.SubsamplingThreshold };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the corpus.", DefaultValueFactory = _ => defaults.Epochs };
        var learningRate = new Option<float?>("--lr") { Description = "Initial learning rate (default 0.025 skip-gram, 0.05 CBOW)." };
        var seed = new Option<ulong>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => defaults.Seed };
        var lowerCase = new Option<bool>("--lowercase") { Description = "Lower-case the text before tokenizing.", DefaultValueFactory = _ => true };
        var show = CliOptions.List("--neighbours", "Words whose nearest neighbours to print (default: frequent words).");

        var command = new Command("embeddings", "Train word2vec vectors (skip-gram or CBOW, negative sampling) on a text corpus.");
        foreach (var option in new Option[] { corpus, output, column, architecture, dimensions, window, negative, minCount, subsample, epochs, learningRate, seed, lowerCase, show })
            command.Options.Add(option);
        command.SetAction((parse, cancellationToken) =>
        {
            var options = new Word2VecOptions(
                Architecture: architecture.Get(parse),
                Dimensions: parse.GetValue(dimensions),
                Window: parse.GetValue(window),
                NegativeSamples: parse.GetValue(negative),
                MinCount: parse.GetValue(minCount),
                SubsamplingThreshold: parse.GetValue(subsample),
                Epochs: parse.GetValue(epochs),
                LearningRate: parse.GetValue(learningRate),
                Threads: parse.GetValue(PipelineCli.Threads),   // the global --threads (only 1 is bit-reproducible)
                Seed: parse.GetValue(seed));
            var tokenizer = new WordTokenizer(parse.GetValue(lowerCase));
            if (!parse.GetValue(corpus)!.Exists)
            {
                Console.Error.WriteLine($"pipeline train embeddings: corpus file not found: {parse.GetValue(corpus)!.FullName}");
                return Task.FromResult(PipelineCli.ErrorExitCode);
            }
            // Bounded lines (a single 40 MB line is skipped and reported, not read whole), gzip corpora decompressed.
            string corpusPath = parse.GetValue(corpus)!.FullName;
            int tooLong = 0;
            var source = Word2VecCorpus.FromLines(corpusPath,
                () => TextLines.Read(corpusPath, onTooLong: line =>
                {
                    if (tooLong++ < 3) Console.Error.WriteLine($"train embeddings: skipped a line of {corpusPath}: {BoundedLineReader.DescribeTooLong(line, BoundedLineReader.DefaultMaxLineBytes)}");
                }),
                tokenizer.Tokenize, parse.GetValue(column));
            try
            {
                return Task.FromResult(Run(source, parse.GetValue(output)!.FullName, options, parse.GetValue(show) ?? [], PipelineCli.IsQuiet(parse), cancellationToken));
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or IOException or InvalidOperationException)
            {
                // Bad options or corpus: the message names the option or file; a stack trace would only hide it.
                Console.Error.WriteLine($"pipeline train embeddings: {PipelineCli.UserMessage(ex)}");
                return Task.FromResult(PipelineCli.ErrorExitCode);
            }
        });
        return command;
    }

    private static int Run(Word2VecCorpus corpus, string outputPath, Word2VecOptions options, string[] show, bool quiet, CancellationToken cancellationToken)
    {
        var trainer = new Word2Vec(options);
        var progress = new ConsoleProgress(quiet);
        var clock = Stopwatch.StartNew();
        var vectors = trainer.Train(corpus, progress, cancellationToken);
        var trainTime = clock.Elapsed;
        WordVectorsWriter.Write(vectors, outputPath);
        var tokens = progress.Last is { } last ? last.TotalWords / options.Epochs : 0;
        Console.WriteLine($"{corpus.Description}: {tokens:N0} tokens kept, vocabulary {vectors.Count:N0} words (min count {options.MinCount})");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{options.Architecture}, {options.Dimensions} dims, {options.Epochs} epochs, {options.EffectiveThreads} threads: {trainTime.TotalSeconds:F1} s including tokenization ({tokens * options.Epochs / Math.Max(trainTime.TotalSeconds, 1e-9):N0} words/s)"));
        Console.WriteLine($"wrote {vectors.Count:N0} × {vectors.Dimensions} vectors to {outputPath}");

        var probes = show.Length > 0 ? show : FrequentWords(vectors, 6);
        foreach (var word in probes)
        {
            if (!vectors.Contains(word))
            {
                Console.WriteLine($"  {word}: not in the vocabulary");
                continue;
            }
            var neighbours = vectors.MostSimilar(word, 8).Select(n => string.Create(CultureInfo.InvariantCulture, $"{n.Word} {n.Similarity:F2}"));
            Console.WriteLine($"  {word}: {string.Join(", ", neighbours)}");
        }
        // Collapsed vectors (every neighbour at cosine ≈ 1.00) are written all the same, but never silently.
        if (VectorCollapse.Check(vectors).Warning is { } warning) Console.Error.WriteLine($"train embeddings: {warning}");
        return 0;
    }

    // Frequent content-looking words: the very top of the list is punctuation and function words.
    private static IEnumerable<string> FrequentWords(WordVectors vectors, int count) =>
        vectors.Words.Where(w => w.Length >= 4 && w.All(char.IsLetter)).Take(count);

    // A status line on stderr: rewritten in place on a terminal (at most twice a second), one line per
    // epoch when redirected to a log.
    private sealed class ConsoleProgress(bool quiet) : IProgress<Word2VecProgress>
    {
        private readonly bool _interactive = !Console.IsErrorRedirected;
        private long _lastTicks;
        private int _lastEpoch = -1;

        public Word2VecProgress? Last { get; private set; }

        public void Report(Word2VecProgress value)
        {
            Last = value;
            if (quiet) return;
            var now = Stopwatch.GetTimestamp();
            var done = value.Fraction >= 1;
            if (_interactive ? !done && Stopwatch.GetElapsedTime(_lastTicks, now) < TimeSpan.FromMilliseconds(500) : !done && value.Epoch == _lastEpoch)
                return;
            _lastTicks = now;
            _lastEpoch = value.Epoch;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"epoch {value.Epoch + 1}/{value.Epochs}  {100 * value.Fraction,5:F1}%  lr {value.LearningRate:F5}  {value.WordsPerSecond / 1000,5:F0}k words/s");
            if (_interactive)
                Console.Error.Write((done ? "\r" + line + "\n" : "\r" + line));
            else
                Console.Error.WriteLine(line);
        }
    }
}
