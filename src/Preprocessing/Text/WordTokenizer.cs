// Word-level tokenizer for captions and short texts: words, numbers and punctuation marks become separate
// tokens, and English contractions are split the Penn Treebank way so "don't" and "do not" share "do".
using System.Text;
using System.Text.RegularExpressions;

namespace Pipeline.Preprocessing.Text;

/// <summary>
/// Splits normalized text into words, numbers and single punctuation marks.
/// Rules: letters/digits of any script form words (hyphenated words such as "t-shirt" stay one token);
/// numbers keep their inner separators ("3.5", "1,000"); every other non-space character is its own token;
/// contractions are split as "don't" → "do" + "n't", "it's" → "it" + "'s" (also 're 've 'll 'd 'm);
/// typographic apostrophes (U+2019, U+02BC) count as "'".
/// </summary>
public sealed partial class WordTokenizer : ITokenizer
{
    private static readonly string[] CliticSuffixes = ["'s", "'re", "'ve", "'ll", "'d", "'m"];

    private readonly TextNormalizer _normalizer;

    /// <summary>Creates a word tokenizer; <paramref name="lowerCase"/> is applied by the normalizer (NFKC is always on).</summary>
    public WordTokenizer(bool lowerCase = true)
    {
        Spec = TokenizerSpec.Word(lowerCase);
        _normalizer = new TextNormalizer(new TextNormalizerOptions(LowerCase: lowerCase));
    }

    /// <inheritdoc/>
    public TokenizerSpec Spec { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var normalized = _normalizer.Normalize(text).Replace('\u2019', '\'').Replace('\u02BC', '\'');
        var tokens = new List<string>();
        foreach (Match match in TokenPattern().Matches(normalized))
        {
            if (match.Groups["word"].Success)
                AddWord(match.Value, tokens);
            else
                tokens.Add(match.Value);
        }
        return tokens;
    }

    /// <inheritdoc/>
    public string Detokenize(IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var builder = new StringBuilder();
        var glueNext = true;
        foreach (var token in tokens)
        {
            // Closing punctuation and clitics attach to the previous word; opening brackets to the next one.
            var attachLeft = token is "." or "," or "!" or "?" or ";" or ":" or ")" or "]" or "}" or "%" or "n't"
                || CliticSuffixes.Contains(token);
            if (!glueNext && !attachLeft)
                builder.Append(' ');
            builder.Append(token);
            glueNext = token is "(" or "[" or "{" or "$";
        }
        return builder.ToString();
    }

    private static void AddWord(string word, List<string> tokens)
    {
        // "n't" is split before the stem so "can't" → "ca" + "n't", consistent with "don't" → "do" + "n't".
        if (word.Length > 3 && word.EndsWith("n't", StringComparison.OrdinalIgnoreCase))
        {
            tokens.Add(word[..^3]);
            tokens.Add(word[^3..]);
            return;
        }
        foreach (var suffix in CliticSuffixes)
        {
            if (word.Length > suffix.Length && word.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                tokens.Add(word[..^suffix.Length]);
                tokens.Add(word[^suffix.Length..]);
                return;
            }
        }
        // Other inner apostrophes ("o'clock") are part of the word.
        tokens.Add(word);
    }

    // Alternatives are tried in order: numbers with separators first so "3.5" is not split at the dot.
    // A surrogate pair (emoji, CJK extension B, ...) is one "other" token: split into halves it would not be valid text.
    [GeneratedRegex(@"(?<number>\p{N}+(?:[.,]\p{N}+)+)|(?<word>[\p{L}\p{M}\p{N}]+(?:['\-][\p{L}\p{M}\p{N}]+)*)|(?<other>[\uD800-\uDBFF][\uDC00-\uDFFF]|\S)", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();
}
