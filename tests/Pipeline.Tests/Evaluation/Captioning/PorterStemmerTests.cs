// Porter (1980) stemmer on the classic examples of the paper (full-algorithm outputs).

using Pipeline.Evaluation.Captioning;

namespace Pipeline.Tests.Evaluation.Captioning;

public class PorterStemmerTests
{
    [Theory]
    // Step 1a
    [InlineData("caresses", "caress")]
    [InlineData("ponies", "poni")]
    [InlineData("ties", "ti")]
    [InlineData("caress", "caress")]
    [InlineData("cats", "cat")]
    // Step 1b (+ tidy-up rules)
    [InlineData("feed", "feed")]
    [InlineData("agreed", "agre")]
    [InlineData("plastered", "plaster")]
    [InlineData("bled", "bled")]
    [InlineData("motoring", "motor")]
    [InlineData("sing", "sing")]
    [InlineData("conflated", "conflat")]
    [InlineData("troubled", "troubl")]
    [InlineData("sized", "size")]
    [InlineData("hopping", "hop")]
    [InlineData("tanned", "tan")]
    [InlineData("falling", "fall")]
    [InlineData("hissing", "hiss")]
    [InlineData("fizzed", "fizz")]
    [InlineData("failing", "fail")]
    [InlineData("filing", "file")]
    [InlineData("running", "run")]
    // Step 1c
    [InlineData("happy", "happi")]
    [InlineData("sky", "sky")]
    // Steps 2-5 (whole algorithm)
    [InlineData("relational", "relat")]
    [InlineData("conditional", "condit")]
    [InlineData("rational", "ration")]
    [InlineData("valenci", "valenc")]
    [InlineData("hesitanci", "hesit")]
    [InlineData("digitizer", "digit")]
    [InlineData("vileli", "vile")]
    [InlineData("analogousli", "analog")]
    [InlineData("predication", "predic")]
    [InlineData("decisiveness", "decis")]
    [InlineData("hopefulness", "hope")]
    [InlineData("sensibiliti", "sensibl")]
    [InlineData("triplicate", "triplic")]
    [InlineData("formative", "form")]
    [InlineData("electriciti", "electr")]
    [InlineData("electrical", "electr")]
    [InlineData("goodness", "good")]
    [InlineData("replacement", "replac")]
    [InlineData("adjustment", "adjust")]
    [InlineData("adoption", "adopt")]
    [InlineData("generalization", "gener")]
    [InlineData("oscillators", "oscil")]
    [InlineData("probate", "probat")]
    [InlineData("rate", "rate")]
    [InlineData("cease", "ceas")]
    [InlineData("controll", "control")]
    [InlineData("roll", "roll")]
    // Not stemmed: short words, non-letters, special tokens
    [InlineData("is", "is")]
    [InlineData("<unk>", "<unk>")]
    [InlineData("3.5", "3.5")]
    public void StemsClassicExamples(string word, string stem)
    {
        Assert.Equal(stem, PorterStemmer.Stem(word));
    }
}
