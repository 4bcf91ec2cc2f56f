// Tests for TextNormalizer: NFKC folding, case, whitespace and control characters.
using Pipeline.Preprocessing.Text;

namespace Pipeline.Preprocessing.Tests.Text;

public sealed class TextNormalizerTests
{
    [Theory]
    [InlineData("Ｈｅｌｌｏ　Ｗｏｒｌｄ", "hello world")] // full-width letters and ideographic space
    [InlineData("ﬁne ﬂower", "fine flower")]          // ligatures
    [InlineData("  a \t\n b  ", "a b")]
    [InlineData("zero\u200Bwidth\u0007bell", "zerowidthbell")]
    [InlineData("Ⅳ", "iv")]                          // NFKC runs before lower-casing
    [InlineData("𝐇𝐞𝐥𝐥𝐨 ① ㎏ x²", "hello 1 kg x2")]      // astral-plane letters (surrogate pairs), circled digit, unit, superscript
    [InlineData("ｶﾀｶﾅ ｶﾞ", "カタカナ ガ")]              // half-width katakana, voiced mark composed
    [InlineData("cafe\u0301", "café")]                // combining acute composed as NFC/NFKC does
    public void DefaultOptions(string input, string expected)
        => Assert.Equal(expected, new TextNormalizer().Normalize(input));

    [Fact]
    public void NoneLeavesTextUnchanged()
    {
        const string text = " Ｈé\tﬁ ";
        Assert.Equal(text, new TextNormalizer(TextNormalizerOptions.None).Normalize(text));
    }

    [Fact]
    public void CaseIsKeptWhenLowerCaseIsOff()
        => Assert.Equal("Hello World", new TextNormalizer(new TextNormalizerOptions(LowerCase: false)).Normalize("Ｈｅｌｌｏ  World"));
}
