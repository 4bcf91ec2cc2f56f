// Pads or truncates id sequences into one rectangular (B, T) block plus true lengths, the input shape
// that batched embedding lookups and attention/recurrence masks need.
//   B = batch size, T = padded sequence length.
namespace Pipeline.Preprocessing.Text;

/// <summary>Where a too-long sequence loses tokens.</summary>
public enum TruncationSide
{
    /// <summary>Keep the first MaxLength tokens (captions: the start matters).</summary>
    End,

    /// <summary>Keep the last MaxLength tokens.</summary>
    Start,
}

/// <summary>Immutable padding settings.</summary>
/// <param name="MaxLength">Longest allowed sequence; longer ones are truncated.</param>
/// <param name="PadToMaxLength">Pad every batch to MaxLength; otherwise only to the longest sequence in the batch.</param>
/// <param name="Truncation">Which side to cut when a sequence is longer than MaxLength.</param>
/// <param name="PadId">Id written into padding cells.</param>
public sealed record PaddingOptions(int MaxLength, bool PadToMaxLength = false, TruncationSide Truncation = TruncationSide.End, int PadId = Vocabulary.PadId)
{
    /// <summary>Throws when the options are out of range.</summary>
    public void Validate()
    {
        if (MaxLength < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxLength), MaxLength, "Must be at least 1.");
    }
}

/// <summary>A padded batch: row-major ids of shape (B, T) and each row's true length (for masks).</summary>
/// <param name="Ids">Row-major ids, length BatchSize × Length.</param>
/// <param name="Lengths">True (post-truncation) length of each row.</param>
/// <param name="BatchSize">B.</param>
/// <param name="Length">T.</param>
public sealed record PaddedBatch(int[] Ids, int[] Lengths, int BatchSize, int Length)
{
    /// <summary>The id at row <paramref name="row"/>, position <paramref name="position"/>.</summary>
    public int this[int row, int position] => Ids[row * Length + position];

    /// <summary>1 for real tokens and 0 for padding, row-major (B, T).</summary>
    public float[] Mask()
    {
        var mask = new float[Ids.Length];
        for (var row = 0; row < BatchSize; row++)
            mask.AsSpan(row * Length, Lengths[row]).Fill(1f);
        return mask;
    }
}

/// <summary>Pads and truncates batches of id sequences.</summary>
public sealed class SequencePadder
{
    /// <summary>Creates a padder; options are validated now.</summary>
    public SequencePadder(PaddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The settings applied by <see cref="Pad"/>.</summary>
    public PaddingOptions Options { get; }

    /// <summary>Packs <paramref name="sequences"/> into one (B, T) block.</summary>
    public PaddedBatch Pad(IReadOnlyList<IReadOnlyList<int>> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        var lengths = new int[sequences.Count];
        var longest = 0;
        for (var i = 0; i < sequences.Count; i++)
        {
            lengths[i] = Math.Min(sequences[i].Count, Options.MaxLength);
            longest = Math.Max(longest, lengths[i]);
        }
        var width = Options.PadToMaxLength ? Options.MaxLength : longest;
        var ids = new int[sequences.Count * width];
        if (Options.PadId != 0)
            ids.AsSpan().Fill(Options.PadId);
        for (var row = 0; row < sequences.Count; row++)
        {
            var sequence = sequences[row];
            var skip = Options.Truncation == TruncationSide.Start ? sequence.Count - lengths[row] : 0;
            for (var t = 0; t < lengths[row]; t++)
                ids[row * width + t] = sequence[skip + t];
        }
        return new PaddedBatch(ids, lengths, sequences.Count, width);
    }
}
