// The tokenizer contract shared by the word-level and BPE tokenizers, so the vocabulary and the models
// never need to know which one produced the tokens.
namespace Pipeline.Preprocessing.Text;

/// <summary>
/// Splits normalized text into string tokens and joins tokens back into text. Tokens are always strings:
/// a word tokenizer yields words, a BPE tokenizer yields its integer ids written in decimal, so one
/// <see cref="Vocabulary"/> type maps either kind to dense model ids.
/// </summary>
public interface ITokenizer
{
    /// <summary>The spec that rebuilds this tokenizer (saved with a model).</summary>
    TokenizerSpec Spec { get; }

    /// <summary>Normalizes (per the spec) and splits <paramref name="text"/> into tokens.</summary>
    IReadOnlyList<string> Tokenize(string text);

    /// <summary>Joins tokens produced by <see cref="Tokenize"/> back into readable text.</summary>
    string Detokenize(IEnumerable<string> tokens);
}
