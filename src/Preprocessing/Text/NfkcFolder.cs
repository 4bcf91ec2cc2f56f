// NFKC that works under InvariantGlobalization. This repository runs with invariant globalization, where
// string.Normalize returns its input unchanged, so full-width letters and ligatures would survive into the
// vocabulary. When the runtime can normalize we use it; otherwise each code point is mapped through a table
// generated from Unicode data (scripts/generate-nfkc-table.py). The fallback is per code point: it does not
// recompose base + combining-mark sequences ("e" + U+0301 stays two code points), which real NFKC would.
using System.Globalization;
using System.Text;

namespace Pipeline.Preprocessing.Text;

/// <summary>Unicode NFKC, through the runtime when it supports normalization, else through a per-code-point table.</summary>
internal static class NfkcFolder
{
    // Probed once: a ligature NFKC must expand.
    private static readonly bool RuntimeNormalizes = "\uFB01".Normalize(NormalizationForm.FormKC) == "fi";

    private static readonly Lazy<Dictionary<int, string>> Table = new(ParseTable);

    /// <summary>Whether the per-code-point fallback table is in use.</summary>
    public static bool UsesFallback => !RuntimeNormalizes;

    /// <summary>The NFKC form of <paramref name="text"/> (see the file comment for the fallback's limit).</summary>
    public static string Normalize(string text)
    {
        if (RuntimeNormalizes)
            return text.IsNormalized(NormalizationForm.FormKC) ? text : text.Normalize(NormalizationForm.FormKC);
        return Fold(text);
    }

    internal static string Fold(string text)
    {
        var table = Table.Value;
        StringBuilder? builder = null;
        var index = 0;
        while (index < text.Length)
        {
            // Lone surrogates are kept as they are; Rune decoding reports them as invalid.
            var status = Rune.DecodeFromUtf16(text.AsSpan(index), out var rune, out var consumed);
            if (status == System.Buffers.OperationStatus.Done && table.TryGetValue(rune.Value, out var mapped))
            {
                builder ??= new StringBuilder(text.Length + 8).Append(text, 0, index);
                builder.Append(mapped);
            }
            else
            {
                builder?.Append(text, index, consumed);
            }
            index += consumed;
        }
        return builder?.ToString() ?? text;
    }

    private static Dictionary<int, string> ParseTable()
    {
        var table = new Dictionary<int, string>(5000);
        foreach (var entry in NfkcTable.Data.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = entry.IndexOf(':');
            var code = int.Parse(entry.AsSpan(0, colon), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var builder = new StringBuilder();
            foreach (var part in entry[(colon + 1)..].Split(' '))
                builder.Append(char.ConvertFromUtf32(int.Parse(part, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            table[code] = builder.ToString();
        }
        return table;
    }
}
