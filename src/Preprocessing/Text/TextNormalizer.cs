// Text normalization applied before tokenization, so that the same words typed with different Unicode
// forms (full-width letters, ligatures, non-breaking spaces) end up as the same tokens.
using System.Globalization;
using System.Text;

namespace Pipeline.Preprocessing.Text;

/// <summary>Immutable settings for <see cref="TextNormalizer"/>. The defaults suit captions and e-mail text.</summary>
/// <param name="UnicodeNfkc">Apply Unicode NFKC (compatibility composition): "ﬁ" → "fi", "Ａ" → "A".</param>
/// <param name="LowerCase">Lower-case with the invariant culture (results must not depend on the machine's locale).</param>
/// <param name="CollapseWhitespace">Turn every run of whitespace into one space and trim both ends.</param>
/// <param name="RemoveControlCharacters">Drop control and format characters (C0/C1, zero-width, BOM) except whitespace.</param>
public sealed record TextNormalizerOptions(
    bool UnicodeNfkc = true,
    bool LowerCase = true,
    bool CollapseWhitespace = true,
    bool RemoveControlCharacters = true)
{
    /// <summary>The defaults: NFKC, lower-case, collapse whitespace, remove control characters.</summary>
    public static TextNormalizerOptions Default { get; } = new();

    /// <summary>Everything off: the text passes through unchanged.</summary>
    public static TextNormalizerOptions None { get; } = new(false, false, false, false);
}

/// <summary>Normalizes raw text according to <see cref="TextNormalizerOptions"/>. Stateless and thread-safe.</summary>
public sealed class TextNormalizer
{
    /// <summary>Creates a normalizer with the given options (the defaults when null).</summary>
    public TextNormalizer(TextNormalizerOptions? options = null)
    {
        Options = options ?? TextNormalizerOptions.Default;
    }

    /// <summary>The options this normalizer applies.</summary>
    public TextNormalizerOptions Options { get; }

    /// <summary>Returns the normalized form of <paramref name="text"/>.</summary>
    public string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = text;
        // NFKC first: it can produce characters that the later steps act on (e.g. U+2163 "Ⅳ" → "IV" then "iv").
        if (Options.UnicodeNfkc)
            result = result.IsNormalized(NormalizationForm.FormKC) ? result : result.Normalize(NormalizationForm.FormKC);
        if (Options.RemoveControlCharacters)
            result = RemoveControls(result);
        if (Options.LowerCase)
            result = result.ToLowerInvariant();
        if (Options.CollapseWhitespace)
            result = Collapse(result);
        return result;
    }

    private static string RemoveControls(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            // Whitespace controls (tab, newline) are kept: they separate words and the collapse step handles them.
            var isControl = (category is UnicodeCategory.Control or UnicodeCategory.Format) && !char.IsWhiteSpace(c);
            if (!isControl)
                builder.Append(c);
        }
        return builder.Length == text.Length ? text : builder.ToString();
    }

    private static string Collapse(string text)
    {
        var builder = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }
            if (pendingSpace)
                builder.Append(' ');
            pendingSpace = false;
            builder.Append(c);
        }
        return builder.ToString();
    }
}
