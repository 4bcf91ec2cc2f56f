// The Porter stemming algorithm (M. F. Porter, 1980, "An algorithm for suffix stripping",
// Program 14(3):130-137), steps 1a-5b, written from the paper's rule tables.
// Notation used below, from the paper:
//   a consonant is a letter other than a,e,i,o,u and other than y preceded by a consonant;
//   any word is [C](VC)^m[V], m = the "measure" of a stem;
//   *v* = stem contains a vowel, *d = stem ends with a double consonant,
//   *o  = stem ends consonant-vowel-consonant where the last consonant is not w, x or y.
// In steps 2-4 only the LONGEST matching suffix is considered; if its condition fails the word is
// left unchanged by that step (as in the paper). Words of one or two letters are not stemmed
// (the convention of the author's reference implementation). Step 2 uses the paper's original
// "abli -> able" rule; the author's later reference code replaced it with "bli -> ble" and added
// "logi -> log", and the Snowball "Porter2" stemmer differs further, so a few rare words stem
// differently from those variants.
using System.Text;

namespace Pipeline.Evaluation.Captioning;

/// <summary>Classic Porter (1980) English stemmer, used by METEOR's stem-matching stage.</summary>
public static class PorterStemmer
{
    private static readonly (string Suffix, string Replacement)[] Step2Rules =
    [
        ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"),
        ("abli", "able"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"),
        ("ization", "ize"), ("ation", "ate"), ("ator", "ate"), ("alism", "al"), ("iveness", "ive"),
        ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble"),
    ];

    private static readonly (string Suffix, string Replacement)[] Step3Rules =
    [
        ("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""), ("ness", ""),
    ];

    private static readonly string[] Step4Suffixes =
    [
        "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou",
        "ism", "ate", "iti", "ous", "ive", "ize",
    ];

    /// <summary>Returns the Porter stem of a lower-case word (other input is returned unchanged if not a-z).</summary>
    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length <= 2) return word;
        // The algorithm is defined over the letters a-z; leave numbers, "<unk>" etc. untouched.
        foreach (char ch in word)
        {
            if (ch is < 'a' or > 'z') return word;
        }

        var w = new StringBuilder(word);
        Step1a(w);
        Step1b(w);
        Step1c(w);
        ApplyLongest(w, Step2Rules, minMeasure: 1);
        ApplyLongest(w, Step3Rules, minMeasure: 1);
        Step4(w);
        Step5(w);
        return w.ToString();
    }

    // ---- the paper's predicates -------------------------------------------------------------

    private static bool IsConsonant(StringBuilder w, int i)
    {
        char c = w[i];
        if (c is 'a' or 'e' or 'i' or 'o' or 'u') return false;
        if (c == 'y') return i == 0 || !IsConsonant(w, i - 1);
        return true;
    }

    // m of the prefix w[0..length): number of vowel-sequence -> consonant-sequence transitions.
    private static int Measure(StringBuilder w, int length)
    {
        int m = 0;
        bool prevVowel = false;
        for (int i = 0; i < length; i++)
        {
            bool vowel = !IsConsonant(w, i);
            if (!vowel && prevVowel) m++;
            prevVowel = vowel;
        }
        return m;
    }

    private static bool ContainsVowel(StringBuilder w, int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (!IsConsonant(w, i)) return true;
        }
        return false;
    }

    private static bool EndsWithDoubleConsonant(StringBuilder w, int length) =>
        length >= 2 && w[length - 1] == w[length - 2] && IsConsonant(w, length - 1);

    private static bool EndsCvc(StringBuilder w, int length) =>
        length >= 3 && IsConsonant(w, length - 3) && !IsConsonant(w, length - 2) && IsConsonant(w, length - 1)
        && w[length - 1] is not ('w' or 'x' or 'y');

    private static bool EndsWith(StringBuilder w, string suffix)
    {
        if (w.Length < suffix.Length) return false;
        int offset = w.Length - suffix.Length;
        for (int i = 0; i < suffix.Length; i++)
        {
            if (w[offset + i] != suffix[i]) return false;
        }
        return true;
    }

    private static void Replace(StringBuilder w, string suffix, string replacement)
    {
        w.Length -= suffix.Length;
        w.Append(replacement);
    }

    // ---- the steps -----------------------------------------------------------------------------

    // Plurals: sses -> ss, ies -> i, ss -> ss, s -> "".
    private static void Step1a(StringBuilder w)
    {
        if (EndsWith(w, "sses")) Replace(w, "sses", "ss");
        else if (EndsWith(w, "ies")) Replace(w, "ies", "i");
        else if (EndsWith(w, "ss")) { /* unchanged */ }
        else if (EndsWith(w, "s")) w.Length -= 1;
    }

    // Past tense / progressive: (m>0) eed -> ee; (*v*) ed -> ""; (*v*) ing -> "", then tidy up.
    private static void Step1b(StringBuilder w)
    {
        if (EndsWith(w, "eed"))
        {
            if (Measure(w, w.Length - 3) > 0) w.Length -= 1;
            return;
        }
        string? removed = null;
        if (EndsWith(w, "ed") && ContainsVowel(w, w.Length - 2)) removed = "ed";
        else if (EndsWith(w, "ing") && ContainsVowel(w, w.Length - 3)) removed = "ing";
        if (removed is null) return;

        w.Length -= removed.Length;
        if (EndsWith(w, "at") || EndsWith(w, "bl") || EndsWith(w, "iz"))
        {
            w.Append('e'); // conflat(ed) -> conflate
        }
        else if (EndsWithDoubleConsonant(w, w.Length) && w[^1] is not ('l' or 's' or 'z'))
        {
            w.Length -= 1; // hopp(ing) -> hop
        }
        else if (Measure(w, w.Length) == 1 && EndsCvc(w, w.Length))
        {
            w.Append('e'); // fil(ing) -> file
        }
    }

    // (*v*) y -> i.
    private static void Step1c(StringBuilder w)
    {
        if (EndsWith(w, "y") && ContainsVowel(w, w.Length - 1)) w[^1] = 'i';
    }

    // Steps 2 and 3: replace the longest matching suffix if the remaining stem has m >= minMeasure.
    private static void ApplyLongest(StringBuilder w, (string Suffix, string Replacement)[] rules, int minMeasure)
    {
        (string Suffix, string Replacement)? best = null;
        foreach (var rule in rules)
        {
            if (EndsWith(w, rule.Suffix) && (best is null || rule.Suffix.Length > best.Value.Suffix.Length)) best = rule;
        }
        if (best is { } r && Measure(w, w.Length - r.Suffix.Length) >= minMeasure) Replace(w, r.Suffix, r.Replacement);
    }

    // (m>1) remove a residual suffix; "ion" only after s or t.
    private static void Step4(StringBuilder w)
    {
        string? best = null;
        foreach (string suffix in Step4Suffixes)
        {
            if (!EndsWith(w, suffix) || (best is not null && suffix.Length <= best.Length)) continue;
            if (suffix == "ion")
            {
                // "ion" only counts as a suffix after s or t.
                int j = w.Length - 3;
                if (j < 1 || w[j - 1] is not ('s' or 't')) continue;
            }
            best = suffix;
        }
        if (best is not null && Measure(w, w.Length - best.Length) > 1) w.Length -= best.Length;
    }

    // 5a: (m>1) e -> ""; (m=1 and not *o) e -> "".  5b: (m>1 and *d and *L) -> single l.
    private static void Step5(StringBuilder w)
    {
        if (EndsWith(w, "e"))
        {
            int stem = w.Length - 1;
            int m = Measure(w, stem);
            if (m > 1 || (m == 1 && !EndsCvc(w, stem))) w.Length -= 1;
        }
        if (EndsWith(w, "ll") && Measure(w, w.Length) > 1) w.Length -= 1;
    }
}
