// Tests for WordTokenizer: contractions, punctuation, numbers, unicode, and detokenizing.
using Pipeline.Preprocessing.Text;

namespace Pipeline.Preprocessing.Tests.Text;

public sealed class WordTokenizerTests
{
    private static readonly WordTokenizer Tokenizer = new();

    [Theory]
    [InlineData("Don't stop!", "do|n't|stop|!")]
    [InlineData("It's a dog's life.", "it|'s|a|dog|'s|life|.")]
    [InlineData("I can't, we won't", "i|ca|n't|,|we|wo|n't")]
    [InlineData("They're here; I'll go, you'd see, I'm in, we've won", "they|'re|here|;|i|'ll|go|,|you|'d|see|,|i|'m|in|,|we|'ve|won")]
    [InlineData("it\u2019s", "it|'s")] // typographic apostrophe
    [InlineData("A man (age 3.5) bought 1,000 t-shirts at 5 o'clock", "a|man|(|age|3.5|)|bought|1,000|t-shirts|at|5|o'clock")]
    [InlineData("Ｃａｆé naïve ﬁsh", "café|naïve|fish")] // full-width, accents, ligature
    [InlineData("Москва и 東京", "москва|и|東京")]
    [InlineData("\"Hi\"...", "\"|hi|\"|.|.|.")]
    [InlineData("", "")]
    public void Tokenize(string text, string expected)
        => Assert.Equal(expected, string.Join('|', Tokenizer.Tokenize(text)));

    [Fact]
    public void ContractionsAreConsistentWithExpandedForms()
    {
        var contracted = Tokenizer.Tokenize("don't");
        var expanded = Tokenizer.Tokenize("do not");
        Assert.Equal(expanded[0], contracted[0]);
    }

    [Fact]
    public void SurrogatePairsStayWhole()
    {
        // U+1F600 (emoji) and U+2A6D6 (CJK extension B) are two UTF-16 units each; halves are not valid text.
        var tokens = new WordTokenizer().Tokenize("ok \U0001F600 \U0002A6D6!");
        Assert.Equal(["ok", "\U0001F600", "\U0002A6D6", "!"], tokens);
        Assert.DoesNotContain(tokens, t => t.Length == 1 && char.IsSurrogate(t[0]));
    }

    [Fact]
    public void KeepsCaseWhenAsked()
        => Assert.Equal(["A", "Dog", "."], new WordTokenizer(lowerCase: false).Tokenize("A Dog."));

    [Fact]
    public void DetokenizeAttachesPunctuationAndClitics()
        => Assert.Equal("a dog's toy (red) isn't here.", Tokenizer.Detokenize(Tokenizer.Tokenize("A dog's toy (red) isn't here.")));
}
