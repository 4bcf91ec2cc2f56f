// word2vec training with negative sampling (Mikolov et al. 2013, "Efficient Estimation of Word
// Representations in Vector Space" and "Distributed Representations of Words and Phrases and their
// Compositionality"). This file owns the schedule: tokenize the corpus once into an id file while counting
// the vocabulary, initialise the matrices, stream the ids once per epoch in batches to worker threads, and
// decay the learning rate linearly with the share of words processed. The per-sentence maths is in
// Word2VecWorker and NegativeSampling.
//
// Reproducibility: with Threads = 1 the result is a pure function of (corpus, options): the initialisation
// generator is seeded from Seed and the only worker from Seed + 1, batches arrive in corpus order, and the
// learning rate depends only on words processed. With several threads the workers update the shared
// matrices Hogwild-style and draw batches in whatever order they get them, so runs are NOT bit-reproducible
// (quality is the same).
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Embeddings;

/// <summary>Trains word vectors with skip-gram or CBOW and negative sampling.</summary>
public sealed class Word2Vec
{
    // Sentences are shipped to workers in batches of about this many words: large enough that queue overhead
    // vanishes, small enough that threads share the last epoch's work evenly.
    private const int BatchWords = 10_000;

    /// <summary>Creates a trainer; the options are validated here.</summary>
    public Word2Vec(Word2VecOptions? options = null)
    {
        Options = options ?? new Word2VecOptions();
        Options.Validate();
    }

    /// <summary>The validated hyper-parameters.</summary>
    public Word2VecOptions Options { get; }

    /// <summary>
    /// Reads and tokenizes <paramref name="corpus"/> once (counting words and caching their ids in a temporary
    /// file), keeps words seen at least <see cref="Word2VecOptions.MinCount"/> times, and trains on them.
    /// </summary>
    public WordVectors Train(Word2VecCorpus corpus, IProgress<Word2VecProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        using var encoded = EncodedCorpusFile.Encode(corpus, cancellationToken);
        var vocabulary = Word2VecVocabulary.FromCounts(encoded.Words.Zip(encoded.Counts, KeyValuePair.Create), Options.MinCount);
        return Train(corpus.Description, encoded, vocabulary, progress, cancellationToken);
    }

    /// <summary>Trains on <paramref name="corpus"/> with a vocabulary chosen beforehand (words outside it are skipped).</summary>
    public WordVectors Train(Word2VecCorpus corpus, Word2VecVocabulary vocabulary, IProgress<Word2VecProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(vocabulary);
        using var encoded = EncodedCorpusFile.Encode(corpus, cancellationToken);
        return Train(corpus.Description, encoded, vocabulary, progress, cancellationToken);
    }

    private WordVectors Train(string description, EncodedCorpusFile encoded, Word2VecVocabulary vocabulary, IProgress<Word2VecProgress>? progress, CancellationToken cancellationToken)
    {
        if (vocabulary.Count == 0)
            throw new InvalidOperationException($"{description}: no word occurs at least {Options.MinCount} times; lower the min count or use a larger corpus.");

        var dimensions = Options.Dimensions;
        var input = new float[(long)vocabulary.Count * dimensions];
        var output = new float[input.Length];
        // Input rows start small and random (uniform in ±0.5/D, as in the reference code) to break symmetry.
        // Output rows start at zero, also as there: every score starts at 0 (σ = ½), so early steps move the
        // output rows towards their contexts before any input row is pushed around by random output vectors.
        var initGenerator = new Generator(Options.Seed);
        for (var i = 0; i < input.Length; i++)
            input[i] = (initGenerator.NextFloat() - 0.5f) / dimensions;

        var remap = encoded.Words.Select(vocabulary.IndexOf).ToArray();
        // Words the vocabulary holds but the corpus never shows still count in TotalCount (a caller-built
        // vocabulary), so the schedule uses the corpus's own count of kept tokens.
        long tokens = 0;
        for (var i = 0; i < remap.Length; i++)
            tokens += remap[i] >= 0 ? encoded.Counts[i] : 0;
        var noise = new NoiseDistribution(vocabulary.Counts);
        var keep = vocabulary.KeepProbabilities(Options.SubsamplingThreshold);
        var schedule = new Schedule(Options.EffectiveLearningRate, Options.MinLearningRateFraction, tokens * Options.Epochs);
        RunWorkers(encoded, remap, input, output, noise, keep, schedule, progress, cancellationToken);
        return new WordVectors(vocabulary.Words, input, dimensions);
    }

    private void RunWorkers(EncodedCorpusFile encoded, int[] remap, float[] input, float[] output, NoiseDistribution noise,
        float[] keep, Schedule schedule, IProgress<Word2VecProgress>? progress, CancellationToken cancellationToken)
    {
        var threads = Options.EffectiveThreads;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var queue = new BlockingCollection<int[][]>(boundedCapacity: 2 * threads);
        var workers = new Task[threads];
        for (var t = 0; t < threads; t++)
        {
            var worker = new Word2VecWorker(Options, input, output, noise, keep, new Generator(Options.Seed + 1 + (ulong)t));
            workers[t] = Task.Factory.StartNew(() =>
            {
                try
                {
                    foreach (var batch in queue.GetConsumingEnumerable(stop.Token))
                    {
                        foreach (var sentence in batch)
                        {
                            worker.TrainSentence(sentence, schedule.CurrentRate);
                            schedule.Advance(sentence.Length);
                        }
                    }
                }
                catch
                {
                    stop.Cancel();
                    throw;
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        var clock = Stopwatch.StartNew();
        ExceptionDispatchInfo? producerError = null;
        var epoch = 0;
        try
        {
            for (epoch = 0; epoch < Options.Epochs; epoch++)
            {
                foreach (var batch in Batches(encoded, remap, stop.Token))
                {
                    queue.Add(batch, stop.Token);
                    progress?.Report(new Word2VecProgress(epoch, Options.Epochs, schedule.WordsProcessed, schedule.TotalWords, schedule.CurrentRate, clock.Elapsed));
                }
            }
        }
        catch (Exception ex)
        {
            producerError = ExceptionDispatchInfo.Capture(ex);
            stop.Cancel();
        }
        finally
        {
            queue.CompleteAdding();
        }

        try
        {
            Task.WaitAll(workers);
        }
        catch (AggregateException)
        {
            // Inspected below: a worker's own failure wins over the cancellation it caused elsewhere.
        }
        cancellationToken.ThrowIfCancellationRequested();
        var workerError = workers.Where(w => w.IsFaulted).Select(w => w.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
        if (workerError is not null)
            ExceptionDispatchInfo.Throw(workerError);
        producerError?.Throw();
        progress?.Report(new Word2VecProgress(Options.Epochs - 1, Options.Epochs, schedule.WordsProcessed, schedule.TotalWords, schedule.CurrentRate, clock.Elapsed));
    }

    // One pass over the encoded corpus as vocabulary-id sentences (out-of-vocabulary words removed, as the
    // reference code does before windowing), cut at MaxSentenceLength and grouped into batches of about
    // BatchWords words.
    private IEnumerable<int[][]> Batches(EncodedCorpusFile encoded, int[] remap, CancellationToken cancellationToken)
    {
        var batch = new List<int[]>();
        var batchWords = 0;
        foreach (var sentence in encoded.ReadSentences(remap))
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var start = 0; start < sentence.Length; start += Options.MaxSentenceLength)
            {
                var piece = sentence.Length <= Options.MaxSentenceLength
                    ? sentence
                    : sentence[start..Math.Min(sentence.Length, start + Options.MaxSentenceLength)];
                batch.Add(piece);
                batchWords += piece.Length;
            }
            if (batchWords >= BatchWords)
            {
                yield return batch.ToArray();
                batch.Clear();
                batchWords = 0;
            }
        }
        if (batch.Count > 0)
            yield return batch.ToArray();
    }

    // Linear decay α = α₀ · max(floor, 1 − processed / total), shared by all workers. Reads race benignly with
    // Interlocked updates: a rate a few sentences stale makes no difference to SGD.
    private sealed class Schedule(float initialRate, float floorFraction, long totalWords)
    {
        private long _processed;

        public long TotalWords => totalWords;

        public long WordsProcessed => Interlocked.Read(ref _processed);

        public float CurrentRate
        {
            get
            {
                var remaining = 1.0 - (double)WordsProcessed / (totalWords + 1);
                return initialRate * (float)Math.Max(floorFraction, remaining);
            }
        }

        public void Advance(int words) => Interlocked.Add(ref _processed, words);
    }
}
