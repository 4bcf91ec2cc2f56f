// NFKC that works under InvariantGlobalization. This repository runs with invariant globalization, where
// string.Normalize returns its input unchanged, so full-width letters and ligatures would survive into the
// vocabulary. When the runtime can normalize we use it; otherwise each code point is mapped through a table
// generated from Unicode data (scripts/generate-nfkc-table.py), then adjacent canonical pairs are composed
// ("e" + U+0301 → "é", "ｶﾞ" → "ガ"). Simplified against the Unicode algorithm: no canonical reordering of
// several combining marks and no blocking check, which only matters for stacked diacritics.
using System.Globalization;
using System.Text;

namespace Pipeline.Preprocessing.Text;

/// <summary>Unicode NFKC, through the runtime when it supports normalization, else through a per-code-point table.</summary>
internal static class NfkcFolder
{
    // Probed once: a ligature NFKC must expand.
    private static readonly bool RuntimeNormalizes = "\uFB01".Normalize(NormalizationForm.FormKC) == "fi";

    private static readonly Lazy<Dictionary<int, string>> Table = new(ParseTable);

    private static readonly Lazy<Dictionary<(int First, int Second), int>> CompositionTable = new(ParseCompositions);

    /// <summary>Whether the per-code-point fallback table is in use.</summary>
    public static bool UsesFallback => !RuntimeNormalizes;

    /// <summary>The NFKC form of <paramref name="text"/> (see the file comment for the fallback's limit).</summary>
    public static string Normalize(string text)
    {
        if (RuntimeNormalizes)
            return text.IsNormalized(NormalizationForm.FormKC) ? text : text.Normalize(NormalizationForm.FormKC);
        return Compose(Fold(text));
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

    internal static string Compose(string text)
    {
        var pairs = CompositionTable.Value;
        var output = new List<int>(text.Length);
        var changed = false;
        foreach (var rune in text.EnumerateRunes())
        {
            if (output.Count > 0 && pairs.TryGetValue((output[^1], rune.Value), out var composed))
            {
                output[^1] = composed;
                changed = true;
            }
            else
            {
                output.Add(rune.Value);
            }
        }
        if (!changed)
            return text;
        var builder = new StringBuilder(text.Length);
        foreach (var code in output)
            builder.Append(new Rune(code).ToString());
        return builder.ToString();
    }

    private static Dictionary<(int, int), int> ParseCompositions()
    {
        var table = new Dictionary<(int, int), int>(1000);
        foreach (var entry in NfkcTable.Compositions.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = entry.IndexOf(':');
            var space = entry.IndexOf(' ');
            table[(Hex(entry[..space]), Hex(entry[(space + 1)..colon]))] = Hex(entry[(colon + 1)..]);
        }
        return table;
    }

    private static int Hex(string text) => int.Parse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

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
