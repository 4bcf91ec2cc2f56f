// The training data of a captioner, prepared once: the dataset is loaded in any supported format, the
// vocabulary is fitted on the training captions only (no peeking at validation text), captions are
// encoded as <start> w1 .. wn <end> (cut to the model's maximum length), and each split's images are
// decoded and resized once into a memory-mapped uint8 shard (PreparedCache) that later runs reuse.
// Captions are prepared as in the usual Flickr/COCO recipe (Karpathy's): lower-cased, punctuation tokens
// dropped (the metrics' PTB tokenizer drops them too), words rarer than MinWordFrequency → <unk>.
// Flips stay off: captions say "left of"/"right of", and a mirrored image would contradict them.
using Pipeline.Preprocessing.Caching;
using Pipeline.Preprocessing.Datasets;
using Pipeline.Preprocessing.Images;
using Pipeline.Preprocessing.Text;

namespace Pipeline.Captioning;

/// <summary>One split of the corpus: a prepared shard plus the raw reference captions of each shard item.</summary>
/// <param name="Shard">Decoded images (uint8, side = model input size) with encoded captions.</param>
/// <param name="References">Raw reference captions per shard item (for BLEU/CIDEr).</param>
/// <param name="Failures">Images of this split that could not be decoded (left out, never silently).</param>
public sealed record CaptionSplit(PreparedShard Shard, IReadOnlyList<IReadOnlyList<string>> References, IReadOnlyList<string> Failures);

/// <summary>Tokenized, encoded and image-cached caption data for training and validation.</summary>
public sealed class CaptionCorpus : IDisposable
{
    private CaptionCorpus(Vocabulary vocabulary, ITokenizer tokenizer, CaptionSplit train, CaptionSplit validation, ImagePreprocessingOptions imageOptions,
        CaptionDataset dataset, string cacheDirectory)
    {
        Dataset = dataset;
        CacheDirectory = cacheDirectory;
        Vocabulary = vocabulary;
        Tokenizer = tokenizer;
        Train = train;
        Validation = validation;
        ImageOptions = imageOptions;
    }

    /// <summary>Word ids (fitted on training captions).</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Caption tokenizer.</summary>
    public ITokenizer Tokenizer { get; }

    /// <summary>Training split.</summary>
    public CaptionSplit Train { get; }

    /// <summary>Validation split.</summary>
    public CaptionSplit Validation { get; }

    /// <summary>Deterministic (evaluation) preprocessing: resize, centre crop, normalise — no flips.</summary>
    public ImagePreprocessingOptions ImageOptions { get; }

    /// <summary>The loaded dataset (image root and split lists in effect, load report).</summary>
    public CaptionDataset Dataset { get; }

    /// <summary>Where the prepared shards (and any encoder features) are cached.</summary>
    public string CacheDirectory { get; }

    /// <summary>
    /// Loads <paramref name="options"/>.DataPath and prepares both splits. With <paramref name="vocabulary"/> (resume),
    /// that vocabulary is used instead of fitting a new one.
    /// </summary>
    public static CaptionCorpus Load(CaptioningTrainingOptions options, int imageSize, float[] mean, float[] std, int maxLength,
        Vocabulary? vocabulary = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var dataset = CaptionDatasetLoader.Load(options.DataPath, options.LoadOptions);
        var trainImages = dataset.InSplit(DatasetSplit.Train).ToList();
        var validImages = dataset.InSplit(DatasetSplit.Validation).ToList();
        if (trainImages.Count == 0)
            throw new InvalidDataException($"{options.DataPath} has no training images (split 'train'); for formats without splits pass split lists or use Karpathy JSON.");
        if (validImages.Count == 0)
            throw new InvalidDataException($"{options.DataPath} has no validation images (split 'val'); BLEU-4 on validation drives early stopping.");

        var tokenizer = new WordTokenizer();
        IReadOnlyList<string> Tokens(CaptionReference c) => CaptionWords(c.Tokens is { Count: > 0 } t ? t : tokenizer.Tokenize(c.Raw));
        vocabulary ??= new VocabularyBuilder(new VocabularyOptions(options.MinWordFrequency))
            .Fit(trainImages.SelectMany(i => i.Captions).Select(Tokens));

        var imageOptions = new ImagePreprocessingOptions
        {
            Size = imageSize,
            RandomHorizontalFlip = false,
            Mean = new ChannelStats(mean[0], mean[1], mean[2]),
            Std = new ChannelStats(std[0], std[1], std[2]),
        };
        string cache = options.CacheDirectory ?? DefaultCacheDirectory(options.DataPath);

        CaptionSplit Prepare(List<CaptionImage> images)
        {
            var sources = images.Select(i => new PreparedSource(i.Path, i.Captions.Select(c => Encode(vocabulary, Tokens(c), maxLength)).ToArray())).ToList();
            var result = PreparedCache.GetOrCreate(cache, sources, imageOptions, imageSize, cancellationToken: cancellationToken);
            var byPath = images.ToDictionary(i => Path.GetFullPath(i.Path), i => (IReadOnlyList<string>)i.Captions.Select(c => c.Raw).ToList(), StringComparer.Ordinal);
            var references = Enumerable.Range(0, result.Shard.Count).Select(k => byPath[result.Shard.SourcePath(k)]).ToList();
            return new CaptionSplit(result.Shard, references, result.Failures.Select(f => $"{f.Path}: {f.Error?.Message}").ToList());
        }

        var train = Prepare(trainImages);
        var validation = Prepare(validImages);
        return new CaptionCorpus(vocabulary, tokenizer, train, validation, imageOptions, dataset, cache);
    }

    /// <summary>A caption's training words: lower-cased, without tokens made only of punctuation or symbols.</summary>
    public static IReadOnlyList<string> CaptionWords(IEnumerable<string> tokens)
        => tokens.Select(t => t.ToLowerInvariant()).Where(t => t.Any(char.IsLetterOrDigit)).ToList();

    /// <summary>
    /// "&lt;data folder&gt;/.prepared" when that folder is writable; otherwise (a read-only dataset) the user's cache
    /// folder ($XDG_CACHE_HOME or ~/.cache)/pipeline/prepared.
    /// </summary>
    public static string DefaultCacheDirectory(string dataPath)
    {
        string beside = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dataPath))!, ".prepared");
        try
        {
            Directory.CreateDirectory(beside);
            string probe = Path.Combine(beside, $".write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return beside;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string root = string.IsNullOrWhiteSpace(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : xdg;
            return Path.Combine(root, "pipeline", "prepared");
        }
    }

    /// <summary>&lt;start&gt; ids… &lt;end&gt;, keeping at most <paramref name="maxLength"/> words.</summary>
    public static int[] Encode(Vocabulary vocabulary, IReadOnlyList<string> tokens, int maxLength)
    {
        int words = Math.Min(tokens.Count, maxLength);
        var ids = new int[words + 2];
        ids[0] = Vocabulary.StartId;
        for (int i = 0; i < words; i++) ids[i + 1] = vocabulary.GetId(tokens[i]);
        ids[^1] = Vocabulary.EndId;
        return ids;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Train.Shard.Dispose();
        Validation.Shard.Dispose();
    }
}
