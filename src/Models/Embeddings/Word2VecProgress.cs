// Progress snapshots of word2vec training (Mikolov et al. 2013), reported through IProgress<T> so a CLI can
// draw a progress line and tests can observe the learning-rate schedule without touching the trainer.
namespace Pipeline.Models.Embeddings;

/// <summary>A snapshot of a running word2vec training.</summary>
/// <param name="Epoch">Zero-based epoch the corpus reader is in (workers may lag a batch behind).</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="WordsProcessed">In-vocabulary corpus words trained on so far, counted before sub-sampling.</param>
/// <param name="TotalWords">Words to process over all epochs (vocabulary token count × epochs).</param>
/// <param name="LearningRate">The current learning rate.</param>
/// <param name="Elapsed">Wall time since training (after vocabulary counting) began.</param>
public sealed record Word2VecProgress(int Epoch, int Epochs, long WordsProcessed, long TotalWords, float LearningRate, TimeSpan Elapsed)
{
    /// <summary>Fraction of the work done, in [0, 1].</summary>
    public double Fraction => TotalWords == 0 ? 1 : Math.Min(1.0, (double)WordsProcessed / TotalWords);

    /// <summary>Throughput so far.</summary>
    public double WordsPerSecond => Elapsed.TotalSeconds > 0 ? WordsProcessed / Elapsed.TotalSeconds : 0;
}
