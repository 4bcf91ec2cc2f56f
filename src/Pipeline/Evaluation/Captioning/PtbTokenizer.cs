// Penn-Treebank-style caption tokenizer, following the conventions of the COCO caption
// evaluation toolkit (Chen et al. 2015, "Microsoft COCO Captions: Data Collection and Evaluation
// Server", which runs the Stanford PTBTokenizer with -lowerCase and then removes punctuation).
// Rules implemented (Marcus et al. 1993, PTB tokenization guidelines):
//   lower-case; split clitics n't 's 're 've 'll 'd 'm (and the possessive apostrophe);
//   split punctuation off words; keep hyphenated words, decimals and dotted acronyms whole;
//   then DROP punctuation tokens (. , ; : ? ! ' " ` `` '' - -- ... ( ) [ ] { }).
// This is a re-implementation from the guidelines, not a port of the Java tokenizer.
using System.Text;

namespace Pipeline.Evaluation.Captioning;

/// <summary>
/// PTB-style tokenizer as used by the COCO caption evaluation toolkit: lower-cases, splits clitics
/// and punctuation, and removes punctuation tokens. Output tokens never contain whitespace.
/// </summary>
public static class PtbTokenizer
{
    // The tokens the COCO toolkit deletes after PTB tokenization (its list uses the PTB escapes
    // -LRB- etc. for brackets; we never produce the escapes, we drop the raw characters instead).
    private static readonly HashSet<string> DroppedTokens = new(StringComparer.Ordinal)
    {
        "''", "'", "``", "`", "\"", ".", "?", "!", ",", ":", ";", "-", "--", "---", "...", "..",
        "(", ")", "[", "]", "{", "}", "\u2026", "\u2013", "\u2014", "\u2018", "\u2019", "\u201C", "\u201D",
    };

    // Clitics PTB splits off the end of a word (longest first so "n't" wins over "'t").
    private static readonly string[] Clitics = ["n't", "'s", "'re", "'ve", "'ll", "'d", "'m"];

    /// <summary>Tokenizes one caption into lower-case word tokens with punctuation removed.</summary>
    /// <param name="text">Raw caption; null or whitespace gives an empty list.</param>
    public static IReadOnlyList<string> Tokenize(string? text)
    {
        var result = new List<string>();
        if (string.IsNullOrWhiteSpace(text)) return result;

        // Lower-case first (toolkit uses -lowerCase) and fold typographic apostrophes so that
        // "don’t" splits like "don't".
        string lowered = text.ToLowerInvariant().Replace('\u2019', '\'').Replace('\u2018', '\'');
        foreach (string chunk in lowered.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string token in SplitChunk(chunk))
            {
                if (!DroppedTokens.Contains(token) && !IsAllPunctuation(token)) result.Add(token);
            }
        }
        return result;
    }

    /// <summary>Tokenizes and joins with single spaces (the toolkit's tokenized caption form).</summary>
    public static string TokenizeToString(string? text) => string.Join(' ', Tokenize(text));

    // A run made only of dots/dashes/quotes (e.g. "....", "-----") is punctuation too.
    private static bool IsAllPunctuation(string token)
    {
        foreach (char c in token)
        {
            if (c is not ('.' or '-' or '\'' or '"' or '`' or '\u2026' or '\u2013' or '\u2014')) return false;
        }
        return true;
    }

    // Splits one whitespace-free chunk into PTB tokens (punctuation tokens included; the caller
    // filters them out).
    private static IEnumerable<string> SplitChunk(string chunk)
    {
        var pieces = new List<string>();
        var word = new StringBuilder();
        int i = 0;
        while (i < chunk.Length)
        {
            char c = chunk[i];
            if (IsWordChar(c))
            {
                word.Append(c);
                i++;
                continue;
            }
            if (c == '.')
            {
                // Keep a dot that is inside a decimal ("3.5") or a dotted acronym ("u.s.").
                bool prevDigit = word.Length > 0 && char.IsDigit(word[^1]);
                bool nextDigit = i + 1 < chunk.Length && char.IsDigit(chunk[i + 1]);
                // "u.s." : the word so far is single letters joined by dots, and either a single
                // letter follows or we are closing such an acronym.
                bool acronymSoFar = word.Length > 0 && IsAcronymSoFar(word);
                bool singleLetterNext = i + 1 < chunk.Length && char.IsLetter(chunk[i + 1])
                                        && (i + 2 >= chunk.Length || !char.IsLetter(chunk[i + 2]));
                bool acronym = acronymSoFar && (singleLetterNext || word.ToString().Contains('.'));
                if ((prevDigit && nextDigit) || acronym)
                {
                    word.Append(c);
                    i++;
                    continue;
                }
                // "..." and friends become one ellipsis token.
                FlushWord(word, pieces);
                int j = i;
                while (j < chunk.Length && chunk[j] == '.') j++;
                pieces.Add(chunk[i..j]);
                i = j;
                continue;
            }
            if (c == '-')
            {
                // A hyphen between word characters stays inside the word ("well-dressed");
                // dashes elsewhere ("--", leading/trailing "-") are separate tokens.
                bool inner = word.Length > 0 && i + 1 < chunk.Length && IsWordChar(chunk[i + 1]);
                if (inner)
                {
                    word.Append(c);
                    i++;
                    continue;
                }
                FlushWord(word, pieces);
                int j = i;
                while (j < chunk.Length && chunk[j] == '-') j++;
                pieces.Add(chunk[i..j]);
                i = j;
                continue;
            }
            if (c == '\'')
            {
                // Apostrophes inside a word are kept for now; clitics are split below.
                bool inner = word.Length > 0 && i + 1 < chunk.Length && char.IsLetter(chunk[i + 1]);
                if (inner)
                {
                    word.Append(c);
                    i++;
                    continue;
                }
                FlushWord(word, pieces);
                // "''" is a closing quote token; a single "'" is a quote / possessive marker.
                if (i + 1 < chunk.Length && chunk[i + 1] == '\'')
                {
                    pieces.Add("''");
                    i += 2;
                }
                else
                {
                    pieces.Add("'");
                    i++;
                }
                continue;
            }
            if (c == '`' && i + 1 < chunk.Length && chunk[i + 1] == '`')
            {
                FlushWord(word, pieces);
                pieces.Add("``");
                i += 2;
                continue;
            }
            // Any other symbol (, ; : ! ? " ( ) & % $ / # ...) is its own token.
            FlushWord(word, pieces);
            pieces.Add(c.ToString());
            i++;
        }
        FlushWord(word, pieces);

        foreach (string piece in pieces)
        {
            foreach (string t in SplitClitics(piece)) yield return t;
        }
    }

    // Word characters: letters, digits, and the slash (PTB keeps "and/or" together), the
    // underscore and angle brackets so that special tokens such as "<unk>" survive intact.
    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '<' or '>' or '/' or '@' or '+';

    // True while the word looks like "u.s" / "a.m": single letters separated by dots.
    private static bool IsAcronymSoFar(StringBuilder word)
    {
        for (int k = 0; k < word.Length; k++)
        {
            bool letterSlot = k % 2 == 0;
            if (letterSlot ? !char.IsLetter(word[k]) : word[k] != '.') return false;
        }
        return true;
    }

    private static void FlushWord(StringBuilder word, List<string> pieces)
    {
        if (word.Length == 0) return;
        pieces.Add(word.ToString());
        word.Clear();
    }

    // "don't" -> "do" "n't"; "dog's" -> "dog" "'s"; "cannot" -> "can" "not" (PTB rule).
    private static IEnumerable<string> SplitClitics(string token)
    {
        if (token == "cannot")
        {
            yield return "can";
            yield return "not";
            yield break;
        }
        foreach (string clitic in Clitics)
        {
            if (token.Length > clitic.Length && token.EndsWith(clitic, StringComparison.Ordinal))
            {
                yield return token[..^clitic.Length];
                yield return clitic;
                yield break;
            }
        }
        yield return token;
    }
}
