// The saved description of a tokenizer: small, JSON-serializable, and enough to rebuild the same tokenizer
// when a model is loaded, so training and inference never disagree on how text is split.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Preprocessing.Text;

/// <summary>Which tokenizer family a <see cref="TokenizerSpec"/> describes.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TokenizerKind>))]
public enum TokenizerKind
{
    /// <summary><see cref="WordTokenizer"/>: words, numbers, punctuation, split contractions.</summary>
    Word,

    /// <summary><see cref="BpeTokenizer"/>: tiktoken byte-pair encoding.</summary>
    Bpe,
}

/// <summary>Immutable, serializable choice of tokenizer. <see cref="Create"/> rebuilds the tokenizer.</summary>
/// <param name="Kind">Tokenizer family.</param>
/// <param name="EncodingName">BPE encoding name (e.g. "cl100k_base"); must be null for <see cref="TokenizerKind.Word"/>.</param>
/// <param name="LowerCase">Whether text is lower-cased before tokenizing.</param>
public sealed record TokenizerSpec(TokenizerKind Kind, string? EncodingName, bool LowerCase)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };

    /// <summary>A word tokenizer spec.</summary>
    public static TokenizerSpec Word(bool lowerCase = true) => new(TokenizerKind.Word, null, lowerCase);

    /// <summary>A BPE tokenizer spec, validated now so a bad name fails where it is written, not at load time.</summary>
    public static TokenizerSpec Bpe(string encodingName = "cl100k_base", bool lowerCase = false)
    {
        var spec = new TokenizerSpec(TokenizerKind.Bpe, encodingName, lowerCase);
        spec.Validate();
        return spec;
    }

    /// <summary>Throws <see cref="ArgumentException"/> when the spec cannot describe a real tokenizer.</summary>
    public void Validate()
    {
        switch (Kind)
        {
            case TokenizerKind.Word when EncodingName is not null:
                throw new ArgumentException($"A word tokenizer takes no encoding name, got '{EncodingName}'.");
            case TokenizerKind.Bpe when EncodingName is null || !BpeTokenizer.SupportedEncodings.Contains(EncodingName):
                throw new ArgumentException(
                    $"Unknown BPE encoding '{EncodingName}'; expected one of {string.Join(", ", BpeTokenizer.SupportedEncodings)}.");
            case TokenizerKind.Word or TokenizerKind.Bpe:
                return;
            default:
                throw new ArgumentException($"Unknown tokenizer kind {(int)Kind}.");
        }
    }

    /// <summary>Builds the tokenizer this spec describes.</summary>
    public ITokenizer Create()
    {
        Validate();
        return Kind == TokenizerKind.Word ? new WordTokenizer(LowerCase) : new BpeTokenizer(EncodingName!, LowerCase);
    }

    /// <summary>Serializes to compact JSON, e.g. <c>{"Kind":"Bpe","EncodingName":"cl100k_base","LowerCase":false}</c>.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses and validates a spec written by <see cref="ToJson"/>.</summary>
    public static TokenizerSpec FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        TokenizerSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize<TokenizerSpec>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Invalid tokenizer spec JSON: {ex.Message}", ex);
        }
        if (spec is null)
            throw new FormatException("Invalid tokenizer spec JSON: null.");
        spec.Validate();
        return spec;
    }
}
