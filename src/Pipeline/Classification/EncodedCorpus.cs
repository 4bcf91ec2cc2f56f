// A labelled text set turned into token ids once, before training, so epochs only pad and batch.
// Batches are padded to their longest member (B, T_max) with <pad> = 0, which is why batching by
// length (LengthBucketBatcher) saves most of the padded cells.
// Each text is kept up to the encoder's EncodedLength; the network sees at most NetworkLength of those ids
// (the kept end of the text, as the truncation side says) and the n-gram branch all of them (NgramRows).
//
// B = batch size, T = longest sequence in the batch.
using Pipeline.Models.Classification;
using Pipeline.Preprocessing.Datasets;
using Pipeline.Preprocessing.Text;

namespace Pipeline.Classification;

/// <summary>Token ids and class indices of a set of examples.</summary>
/// <param name="Tokens">Per example, its ids (length ≥ 1, at most the encoder's EncodedLength).</param>
/// <param name="Targets">Per example, its class index.</param>
/// <param name="Examples">The source examples (texts, ids) in the same order.</param>
/// <param name="NetworkLength">Most ids of an example the network sees (the preprocessing's MaxLength).</param>
/// <param name="Truncation">Which end of a longer id list the network sees.</param>
public sealed record EncodedCorpus(int[][] Tokens, int[] Targets, IReadOnlyList<ClassificationExample> Examples,
    int NetworkLength = int.MaxValue, TruncationSide Truncation = TruncationSide.End)
{
    /// <summary>Number of examples.</summary>
    public int Count => Tokens.Length;

    /// <summary>Sequence lengths the network sees (what the length batcher sorts by).</summary>
    public int[] Lengths() => Tokens.Select(t => Math.Min(t.Length, NetworkLength)).ToArray();

    /// <summary>The ids of example <paramref name="index"/> the network sees: at most <see cref="NetworkLength"/>, from the kept end.</summary>
    public int[] NetworkTokens(int index)
    {
        var ids = Tokens[index];
        if (ids.Length <= NetworkLength) return ids;
        return Truncation == TruncationSide.End ? ids[..NetworkLength] : ids[^NetworkLength..];
    }

    /// <summary>All ids of the examples at <paramref name="indices"/>, in that order: what the n-gram branch reads.</summary>
    public TokenRows NgramRows(IReadOnlyList<int> indices) => TokenRows.From(indices.Select(i => Tokens[i]).ToArray());

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
        return new EncodedCorpus(tokens, targets, examples, encoder.Preprocessing.MaxLength, encoder.Preprocessing.Truncation);
    }

    /// <summary>
    /// The network's view of the examples at <paramref name="indices"/> (<see cref="NetworkTokens"/>), padded to the longest
    /// of them but at least <paramref name="minimumLength"/> (a convolution of width w needs T ≥ w): ids (B, T) and lengths (B).
    /// </summary>
    public PaddedBatch Pad(IReadOnlyList<int> indices, int minimumLength = 1)
    {
        var padder = new SequencePadder(new PaddingOptions(int.MaxValue));
        return Widen(padder.Pad(indices.Select(i => (IReadOnlyList<int>)NetworkTokens(i)).ToArray()), minimumLength);
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
