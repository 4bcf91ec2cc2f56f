// PTB-style tokenization as in the COCO caption toolkit: lower-case, split clitics and
// punctuation, drop punctuation tokens.

using Pipeline.Evaluation.Captioning;

namespace Pipeline.Tests.Evaluation.Captioning;

public class PtbTokenizerTests
{
    [Theory]
    [InlineData("A man's riding a horse.", "a man 's riding a horse")]
    [InlineData("They don't know; it isn't!", "they do n't know it is n't")]
    [InlineData("We're here, I've been, you'll see, he'd go, I'm fine", "we 're here i 've been you 'll see he 'd go i 'm fine")]
    [InlineData("Can't stop, won't stop", "ca n't stop wo n't stop")]
    [InlineData("\"Hello\" (world) [x] {y} -- ok... fine?", "hello world x y ok fine")]
    [InlineData("``Quoted'' text: 'single' `tick`", "quoted text single tick")]
    [InlineData("A well-dressed man - smiling", "a well-dressed man smiling")]
    [InlineData("It costs 3.5 dollars in the U.S.", "it costs 3.5 dollars in the u.s.")]
    [InlineData("the dogs' bowls", "the dogs bowls")]
    [InlineData("I cannot see", "i can not see")]
    [InlineData("  Two   spaces\tand\ttabs\n", "two spaces and tabs")]
    [InlineData("<unk> <unk> <UNK>", "<unk> <unk> <unk>")]
    [InlineData("50% & $5", "50 % & $ 5")]
    [InlineData("...", "")]
    [InlineData("", "")]
    public void TokenizesLikePtbAndDropsPunctuation(string input, string expected)
    {
        Assert.Equal(expected, PtbTokenizer.TokenizeToString(input));
    }

    [Fact]
    public void NullAndWhitespaceGiveNoTokens()
    {
        Assert.Empty(PtbTokenizer.Tokenize(null));
        Assert.Empty(PtbTokenizer.Tokenize("   "));
    }
}
