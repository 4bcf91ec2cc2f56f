// Tests for BpeTokenizer (SharpToken's embedded tables, offline) and TokenizerSpec round-trips.
using Pipeline.Preprocessing.Text;

namespace Pipeline.Preprocessing.Tests.Text;

public sealed class BpeTokenizerTests
{
    [Fact]
    public void Cl100kMatchesKnownIds()
    {
        // Reference ids from tiktoken's cl100k_base for "Hello, world!".
        var tokenizer = new BpeTokenizer("cl100k_base");
        Assert.Equal([9906, 11, 1917, 0], tokenizer.EncodeIds("Hello, world!"));
        Assert.Equal(["9906", "11", "1917", "0"], tokenizer.Tokenize("Hello, world!"));
    }

    [Theory]
    [InlineData("cl100k_base")]
    [InlineData("o200k_base")]
    public void RoundTripsThroughVocabulary(string encoding)
    {
        var tokenizer = new BpeTokenizer(encoding);
        const string text = "A child in a pink dress is climbing up stairs.";
        var tokens = tokenizer.Tokenize(text);
        var vocabulary = new VocabularyBuilder().Fit([tokens]);
        var ids = vocabulary.Encode(tokens, addStartAndEnd: true);
        Assert.All(ids, id => Assert.InRange(id, 0, vocabulary.Count - 1));
        Assert.Equal(text, tokenizer.Detokenize(vocabulary.Decode(ids)));
    }

    [Fact]
    public void SpecialTokenTextIsEncodedAsPlainText()
    {
        var tokenizer = new BpeTokenizer("cl100k_base");
        const string text = "hi <|endoftext|> there";
        Assert.Equal(text, tokenizer.Detokenize(tokenizer.Tokenize(text)));
        Assert.DoesNotContain(100257, tokenizer.EncodeIds(text)); // cl100k's <|endoftext|> id
    }

    [Fact]
    public void NormalizesFullWidthBeforeEncoding()
    {
        var tokenizer = new BpeTokenizer("cl100k_base");
        Assert.Equal(tokenizer.EncodeIds("Hello"), tokenizer.EncodeIds("Ｈｅｌｌｏ"));
    }

    [Theory]
    [InlineData(TokenizerKind.Word, null, true)]
    [InlineData(TokenizerKind.Bpe, "o200k_base", false)]
    public void SpecRoundTripsAndRebuilds(TokenizerKind kind, string? encoding, bool lowerCase)
    {
        var spec = new TokenizerSpec(kind, encoding, lowerCase);
        var json = spec.ToJson();
        var restored = TokenizerSpec.FromJson(json);
        Assert.Equal(spec, restored);
        Assert.Contains($"\"{kind}\"", json);
        var tokenizer = restored.Create();
        Assert.Equal(spec, tokenizer.Spec);
        Assert.Equal(spec.Create().Tokenize("Two dogs don't run."), tokenizer.Tokenize("Two dogs don't run."));
    }

    [Fact]
    public void SpecRejectsUnknownEncoding()
    {
        var error = Assert.Throws<ArgumentException>(() => TokenizerSpec.FromJson("{\"Kind\":\"Bpe\",\"EncodingName\":\"gpt9\",\"LowerCase\":false}"));
        Assert.Contains("gpt9", error.Message);
        Assert.Throws<FormatException>(() => TokenizerSpec.FromJson("{\"Kind\":\"Nope\"}"));
    }
}
