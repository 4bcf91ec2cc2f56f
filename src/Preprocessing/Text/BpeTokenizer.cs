// Byte-pair-encoding tokenizer backed by SharpToken's embedded tiktoken tables (cl100k_base, o200k_base),
// so it works offline. Tokens are the BPE ids in decimal; the Vocabulary then maps only the ids seen in
// training to dense model ids, which keeps embedding tables small.
using System.Collections.Concurrent;
using System.Globalization;
using SharpToken;

namespace Pipeline.Preprocessing.Text;

/// <summary>BPE tokenizer over a tiktoken encoding; <see cref="Tokenize"/> yields BPE ids as decimal strings.</summary>
public sealed class BpeTokenizer : ITokenizer
{
    /// <summary>The encodings this tokenizer accepts (all shipped inside the SharpToken package).</summary>
    public static IReadOnlyList<string> SupportedEncodings { get; } = ["cl100k_base", "o200k_base", "r50k_base", "p50k_base"];

    // Loading an encoding parses a multi-megabyte table; share one instance per name across tokenizers.
    private static readonly ConcurrentDictionary<string, Lazy<GptEncoding>> Encodings = new(StringComparer.Ordinal);

    private static readonly HashSet<string> NoSpecialTokens = [];

    private readonly GptEncoding _encoding;
    private readonly TextNormalizer _normalizer;

    /// <summary>Creates a BPE tokenizer for <paramref name="encodingName"/> (e.g. "cl100k_base").</summary>
    public BpeTokenizer(string encodingName = "cl100k_base", bool lowerCase = false)
    {
        Spec = TokenizerSpec.Bpe(encodingName, lowerCase);
        _encoding = Encodings.GetOrAdd(encodingName, name => new Lazy<GptEncoding>(() => GptEncoding.GetEncoding(name))).Value;
        // Whitespace collapse is on: BPE would otherwise spend tokens on runs of spaces and newlines.
        _normalizer = new TextNormalizer(new TextNormalizerOptions(LowerCase: lowerCase));
    }

    /// <inheritdoc/>
    public TokenizerSpec Spec { get; }

    /// <summary>Encodes normalized text to raw BPE ids (in the encoding's own id space).</summary>
    public IReadOnlyList<int> EncodeIds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Dataset text may contain strings such as "<|endoftext|>"; SharpToken throws on them by default, but
        // here they are ordinary text, so nothing is disallowed and nothing is treated as a special token.
        return _encoding.Encode(_normalizer.Normalize(text), allowedSpecial: null, disallowedSpecial: NoSpecialTokens);
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> Tokenize(string text)
    {
        var ids = EncodeIds(text);
        var tokens = new string[ids.Count];
        for (var i = 0; i < ids.Count; i++)
            tokens[i] = ids[i].ToString(CultureInfo.InvariantCulture);
        return tokens;
    }

    /// <inheritdoc/>
    public string Detokenize(IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var ids = new List<int>();
        foreach (var token in tokens)
        {
            // Special tokens such as "<unk>" have no BPE bytes; they are dropped rather than guessed.
            if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                ids.Add(id);
        }
        return _encoding.Decode(ids);
    }
}
