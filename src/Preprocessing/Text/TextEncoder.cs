// The fitted text → ids transformer of a classifier: normalize, tokenize, look up in the vocabulary,
// truncate (see ClassifierPreprocessing for the settings). Fitting = building the vocabulary on the
// training texts with the very normalizer and tokenizer used later for encoding.

namespace Pipeline.Preprocessing.Text;

/// <summary>
/// The fitted text → ids transformer: normalizer, tokenizer and vocabulary. Stateless after construction
/// and safe to share between threads.
/// </summary>
public sealed class TextEncoder
{
    private readonly TextNormalizer normalizer;
    private readonly ITokenizer tokenizer;

    /// <summary>Creates an encoder from fitted parts.</summary>
    public TextEncoder(ClassifierPreprocessing preprocessing, TokenizerSpec tokenizer, Vocabulary vocabulary)
    {
        preprocessing.Validate();
        tokenizer.Validate();
        Preprocessing = preprocessing;
        TokenizerSpec = tokenizer;
        Vocabulary = vocabulary;
        normalizer = new TextNormalizer(preprocessing.Normalizer);
        this.tokenizer = tokenizer.Create();
    }

    /// <summary>The preprocessing settings.</summary>
    public ClassifierPreprocessing Preprocessing { get; }

    /// <summary>The tokenizer choice.</summary>
    public TokenizerSpec TokenizerSpec { get; }

    /// <summary>The token ↔ id map.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Normalizes and tokenizes (no vocabulary lookup): what the vocabulary is fitted on.</summary>
    public IReadOnlyList<string> Tokenize(string text)
    {
        var tokens = tokenizer.Tokenize(normalizer.Normalize(text));
        // The word tokenizer can cut a surrogate pair (an emoji) into two one-char tokens. Such a token cannot be
        // written to vocab.json (both halves would become U+FFFD and collide), so lone surrogates become U+FFFD here.
        List<string>? fixedTokens = null;
        for (int i = 0; i < tokens.Count; i++)
        {
            if (!HasLoneSurrogate(tokens[i])) continue;
            fixedTokens ??= [.. tokens];
            fixedTokens[i] = ReplaceLoneSurrogates(tokens[i]);
        }
        return fixedTokens ?? tokens;
    }

    private static bool HasLoneSurrogate(string token)
    {
        for (int i = 0; i < token.Length; i++)
        {
            if (char.IsHighSurrogate(token[i]) && i + 1 < token.Length && char.IsLowSurrogate(token[i + 1])) { i++; continue; }
            if (char.IsSurrogate(token[i])) return true;
        }
        return false;
    }

    private static string ReplaceLoneSurrogates(string token)
    {
        var chars = token.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1])) { i++; continue; }
            if (char.IsSurrogate(chars[i])) chars[i] = '�';
        }
        return new string(chars);
    }

    /// <summary>
    /// Fits the vocabulary on training texts and returns the encoder. The same normalizer and tokenizer are
    /// used for fitting and encoding, so a token never gets an id it could not be produced with.
    /// </summary>
    public static TextEncoder Fit(IEnumerable<string> trainingTexts, ClassifierPreprocessing preprocessing, TokenizerSpec tokenizer)
    {
        var unfitted = new TextEncoder(preprocessing, tokenizer, Vocabulary.FromTokens(Vocabulary.SpecialTokens));
        var builder = new VocabularyBuilder(new VocabularyOptions(preprocessing.MinFrequency, preprocessing.MaxVocabularySize));
        var vocabulary = builder.Fit(trainingTexts.Select(unfitted.Tokenize));
        return new TextEncoder(preprocessing, tokenizer, vocabulary);
    }

    /// <summary>
    /// Token ids of <paramref name="text"/>, truncated to <see cref="ClassifierPreprocessing.EncodedLength"/> (the network
    /// reads the first MaxLength of them, see Pipeline.Classification.EncodedCorpus). An empty result (no tokens at all) becomes a
    /// single &lt;unk&gt; so every example has length ≥ 1 (pooling over zero positions is undefined).
    /// </summary>
    public int[] Encode(string text)
    {
        var tokens = Tokenize(text);
        int max = Preprocessing.EncodedLength;
        int count = Math.Min(tokens.Count, max);
        if (count == 0) return [Vocabulary.UnknownId];
        int start = Preprocessing.Truncation == TruncationSide.End ? 0 : tokens.Count - count;
        var ids = new int[count];
        for (int i = 0; i < count; i++) ids[i] = Vocabulary.GetId(tokens[start + i]);
        return ids;
    }
}
