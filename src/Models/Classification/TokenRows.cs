// Ragged rows of token ids (CSR layout): the input of the NB n-gram branch when it reads more of each text
// than the network does (whole e-mails while the network sees the first MaxLength tokens), and the common
// form of a padded batch's valid ids. Row b is Ids[Offsets[b] .. Offsets[b + 1]).
namespace Pipeline.Models.Classification;

/// <summary>Token ids of B texts of different lengths, concatenated, with B + 1 offsets.</summary>
/// <param name="Ids">All rows' ids, row after row.</param>
/// <param name="Offsets">B + 1 ascending offsets into <paramref name="Ids"/>, from 0 to Ids.Length.</param>
public sealed record TokenRows(int[] Ids, int[] Offsets)
{
    /// <summary>B, the number of rows.</summary>
    public int Count => Offsets.Length - 1;

    /// <summary>The ids of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<int> Row(int row) => Ids.AsSpan(Offsets[row], Offsets[row + 1] - Offsets[row]);

    /// <summary>The rows <paramref name="rows"/>, copied.</summary>
    public static TokenRows From(IReadOnlyList<int[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var offsets = new int[rows.Count + 1];
        for (int b = 0; b < rows.Count; b++) offsets[b + 1] = offsets[b] + rows[b].Length;
        var ids = new int[offsets[^1]];
        for (int b = 0; b < rows.Count; b++) rows[b].CopyTo(ids, offsets[b]);
        return new TokenRows(ids, offsets);
    }

    /// <summary>The valid ids of a padded batch: row b is ids[b·T .. b·T + lengths[b]).</summary>
    public static TokenRows FromPadded(int[] ids, int batchSize, int paddedLength, int[] lengths)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(lengths);
        if (ids.Length < batchSize * paddedLength || lengths.Length != batchSize)
            throw new ArgumentException($"a padded batch of {batchSize} × {paddedLength} needs that many ids and {batchSize} lengths; got {ids.Length} ids and {lengths.Length} lengths.");
        var offsets = new int[batchSize + 1];
        for (int b = 0; b < batchSize; b++)
        {
            if ((uint)lengths[b] > (uint)paddedLength) throw new ArgumentOutOfRangeException(nameof(lengths), lengths[b], $"length of row {b} must be in [0, {paddedLength}].");
            offsets[b + 1] = offsets[b] + lengths[b];
        }
        var rows = new int[offsets[^1]];
        for (int b = 0; b < batchSize; b++) ids.AsSpan(b * paddedLength, lengths[b]).CopyTo(rows.AsSpan(offsets[b]));
        return new TokenRows(rows, offsets);
    }

    /// <summary>Throws unless the offsets start at 0, never decrease and end at Ids.Length.</summary>
    public TokenRows Validate()
    {
        if (Ids is null || Offsets is null || Offsets.Length == 0 || Offsets[0] != 0 || Offsets[^1] != Ids.Length)
            throw new ArgumentException($"token rows: offsets must run from 0 to the number of ids ({Ids?.Length}).");
        for (int b = 0; b + 1 < Offsets.Length; b++)
            if (Offsets[b + 1] < Offsets[b]) throw new ArgumentException($"token rows: offset {b + 1} ({Offsets[b + 1]}) is below offset {b} ({Offsets[b]}).");
        return this;
    }
}
