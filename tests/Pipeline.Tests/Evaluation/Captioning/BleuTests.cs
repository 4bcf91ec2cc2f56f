// BLEU with the COCO toolkit's conventions, checked against hand-computed counts.
using System.Collections.Immutable;
using Pipeline.Evaluation.Captioning;
using static Pipeline.Tests.Evaluation.Captioning.TestTokens;

namespace Pipeline.Tests.Evaluation.Captioning;

public class BleuTests
{
    [Fact]
    public void ClippingAndClosestReferenceLengthTieGoesToShorter()
    {
        // cand = "the cat the cat on mat" (6 tokens)
        // R1 = "the cat sat on mat" (5), R2 = "a cat is on the red mat" (7)
        // |5-6| = |7-6| = 1 -> tie -> shorter -> reflen = 5; testlen 6 >= 5 -> BP = 1.
        // 1-grams: the x2 (max ref count 1 -> 1), cat x2 (-> 1), on 1, mat 1 -> correct 4 / guess 6
        // 2-grams: "the cat" x2 (max ref 1 -> 1), "cat the" 0, "cat on" 0, "on mat" 1 -> 2 / 5
        // 3-grams: the-cat-the, cat-the-cat, the-cat-on, cat-on-mat: none in a ref -> 0 / 4
        // 4-grams: 0 / 3
        var stats = Bleu.Statistics(T("the cat the cat on mat"), Refs("the cat sat on mat", "a cat is on the red mat"));
        Assert.Equal(new long[] { 6, 5, 4, 3 }, stats.Guess.ToArray());
        Assert.Equal(new long[] { 4, 2, 0, 0 }, stats.Correct.ToArray());
        Assert.Equal(6, stats.TestLength);
        Assert.Equal(5, stats.ReferenceLength);

        var s = stats.Scores();
        Assert.Equal(4.0 / 6, s[0], 9);                        // 0.666667
        Assert.Equal(Math.Sqrt(4.0 / 6 * 2.0 / 5), s[1], 9);   // sqrt(0.266667) = 0.516398
        // BLEU-3 = (4/6 * 2/5 * 1e-15/4)^(1/3) ~ 4.05e-6: zero matches only leave the toolkit's epsilon.
        Assert.Equal(Math.Pow(4.0 / 6 * 2.0 / 5 * (1e-15 / (4 + 1e-9)), 1.0 / 3), s[2], 12);
        Assert.True(s[3] < 1e-5);
    }

    [Fact]
    public void BrevityPenaltyUsesClosestReference()
    {
        // cand = "a dog runs" (3); refs of length 4 and 7 -> closest = 4 -> BP = exp(1 - 4/3) = 0.716531
        // 1-grams 3/3, 2-grams 2/2, 3-grams 1/1 all matched in R1; 4-grams: guess 0, correct 0 ->
        // (0 + 1e-15) / (0 + 1e-9) = 1e-6.
        // BLEU-1..3 = 1 * BP = 0.716531; BLEU-4 = (1e-6)^(1/4) * BP = 0.0316228 * 0.716531 = 0.0226587
        var stats = Bleu.Statistics(T("a dog runs"), Refs("a dog runs fast", "a big dog runs in the park"));
        Assert.Equal(4, stats.ReferenceLength);
        var s = stats.Scores();
        double bp = Math.Exp(1 - 4.0 / 3);
        Assert.Equal(0.716531, s[0], 6);
        // 1/(1 + 1e-9)-sized deviations come from the toolkit's epsilons: compare to 8 places.
        Assert.Equal(bp, s[1], 8);
        Assert.Equal(bp, s[2], 8);
        Assert.Equal(0.0226587, s[3], 6);
    }

    [Fact]
    public void PublishedCorpusIdentity()
    {
        // guess=[9893,8893,7893,6893], correct=[5732,2510,1043,423], testlen 9893 >= reflen 9855 (BP = 1)
        // BLEU-1 = 5732/9893 = 0.5794; BLEU-2 = sqrt(0.5794 * 0.2822) = 0.4044;
        // BLEU-3 = (.. * 1043/7893)^(1/3) = 0.2785; BLEU-4 = (.. * 423/6893)^(1/4) = 0.1908
        var stats = new BleuStatistics(
            ImmutableArray.Create(9893L, 8893, 7893, 6893),
            ImmutableArray.Create(5732L, 2510, 1043, 423), 9893, 9855);
        var s = stats.Scores();
        Assert.Equal(0.5794, Math.Round(s[0], 4));
        Assert.Equal(0.4044, Math.Round(s[1], 4));
        Assert.Equal(0.2785, Math.Round(s[2], 4));
        Assert.Equal(0.1908, Math.Round(s[3], 4));
    }

    [Fact]
    public void CorpusSumsStatisticsBeforeScoring()
    {
        // Image A: "a dog runs" vs "a dog runs fast" -> guess [3,2,1,0], correct [3,2,1,0], 3 / 4
        // Image B: "a cat" vs "a cat"               -> guess [2,1,0,0], correct [2,1,0,0], 2 / 2
        // totals: guess [5,3,1,0], correct [5,3,1,0], testlen 5, reflen 6 -> BP = exp(1 - 6/5) = 0.818731
        var samples = new[]
        {
            new EvaluationSample("A", T("a dog runs"), Refs("a dog runs fast")),
            new EvaluationSample("B", T("a cat"), Refs("a cat")),
        };
        var result = Bleu.Compute(samples);
        Assert.Equal(new long[] { 5, 3, 1, 0 }, result.Statistics.Guess.ToArray());
        Assert.Equal(new long[] { 5, 3, 1, 0 }, result.Statistics.Correct.ToArray());
        Assert.Equal(5, result.Statistics.TestLength);
        Assert.Equal(6, result.Statistics.ReferenceLength);
        Assert.Equal(Math.Exp(1 - 6.0 / 5), result.Corpus[0], 8);
        // Per-image BLEU-1 of B is 1 (no brevity penalty for B on its own); the toolkit's
        // denominator epsilon makes it 2/(2 + 1e-9) = 0.9999999995, hence 8 places.
        Assert.Equal(1.0, result.PerImage[1][0], 8);
    }

    [Fact]
    public void EmptyCandidateScoresZeroWithoutNaN()
    {
        var s = Bleu.Sentence([], Refs("a dog"));
        Assert.All(s, v => Assert.Equal(0.0, v, 12));
    }
}
