// A labelled text set turned into token ids once, before training, so epochs only pad and batch.
// Batches are padded to their longest member (B, T_max) with <pad> = 0, which is why batching by
// length (LengthBucketBatcher) saves most of the padded cells.
//
// B = batch size, T = longest sequence in the batch.
using Pipeline.Preprocessing.Datasets;
using Pipeline.Preprocessing.Text;

namespace Pipeline.Classification;

/// <summary>Token ids and class indices of a set of examples.</summary>
/// <param name="Tokens">Per example, its ids (length ≥ 1, at most MaxLength).</param>
/// <param name="Targets">Per example, its class index.</param>
/// <param name="Examples">The source examples (texts, ids) in the same order.</param>
public sealed record EncodedCorpus(int[][] Tokens, int[] Targets, IReadOnlyList<ClassificationExample> Examples)
{
    /// <summary>Number of examples.</summary>
    public int Count => Tokens.Length;

    /// <summary>Sequence lengths (what the length batcher sorts by).</summary>
    public int[] Lengths() => Tokens.Select(t => t.Length).ToArray();

    /// <summary>
    /// Encodes <paramref name="examples"/>; an example whose label is not in <paramref name="labels"/> throws
    /// (naming its file and line), because validation/test classes must be known to the model.
    /// </summary>
    public static EncodedCorpus Encode(IReadOnlyList<ClassificationExample> examples, TextEncoder encoder, LabelMap labels)
    {
        var tokens = new int[examples.Count][];
        var targets = new int[examples.Count];
        Parallel.For(0, examples.Count, i => tokens[i] = encoder.Encode(examples[i].Text));
        for (int i = 0; i < examples.Count; i++)
        {
            var e = examples[i];
            if (!labels.TryGetIndex(e.Label, out targets[i]))
                throw new InvalidDataException($"{e.Source}:{e.Line}: label '{e.Label}' does not occur in the training data (known: {string.Join(", ", labels.Labels)}).");
        }
        return new EncodedCorpus(tokens, targets, examples);
    }

    /// <summary>
    /// The examples at <paramref name="indices"/>, padded to the longest of them but at least <paramref name="minimumLength"/>
    /// (a convolution of width w needs T ≥ w): ids (B, T) and lengths (B).
    /// </summary>
    public PaddedBatch Pad(IReadOnlyList<int> indices, int minimumLength = 1)
    {
        var padder = new SequencePadder(new PaddingOptions(int.MaxValue));
        return Widen(padder.Pad(indices.Select(i => (IReadOnlyList<int>)Tokens[i]).ToArray()), minimumLength);
    }

    /// <summary>Pads an already padded batch further on the right to at least <paramref name="minimumLength"/> positions.</summary>
    public static PaddedBatch Widen(PaddedBatch batch, int minimumLength)
    {
        if (batch.Length >= minimumLength) return batch;
        var ids = new int[batch.BatchSize * minimumLength];   // (B, T') zero = <pad>
        for (int row = 0; row < batch.BatchSize; row++)
            batch.Ids.AsSpan(row * batch.Length, batch.Length).CopyTo(ids.AsSpan(row * minimumLength));
        return new PaddedBatch(ids, batch.Lengths, batch.BatchSize, minimumLength);
    }

    /// <summary>Class indices of the examples at <paramref name="indices"/>.</summary>
    public int[] TargetsOf(IReadOnlyList<int> indices) => indices.Select(i => Targets[i]).ToArray();
}
