// METEOR (exact+stem, no synonyms/paraphrase) with alpha = 0.9, beta = 3, gamma = 0.5.
using static Pipeline.Tests.Evaluation.Captioning.TestTokens;

using Pipeline.Evaluation.Captioning;

namespace Pipeline.Tests.Evaluation.Captioning;

public class MeteorTests
{
    [Fact]
    public void ExactAndStemMatchesWithChunks()
    {
        // cand = "a dog is running in the park"  (7: positions 0..6)
        // ref  = "the dogs run in a park"        (6: positions 0..5)
        // exact stage: a(0->4), in(4->3), the(5->0), park(6->5)                      -> 4 matches
        // stem stage : dog/dogs -> "dog" (1->1), running/run -> "run" (3->2)          -> 2 matches
        // "is" stays unmatched. m = 6.
        // chunks along the candidate: [0->4] [1->1] [3->2, 4->3] [5->0] [6->5]       -> 5 chunks
        // P = 6/7, R = 6/6; Fmean = 10PR/(R+9P) = (60/7)/(61/7) = 60/61 = 0.983607
        // Pen = 0.5 * (5/6)^3 = 0.289352;  METEOR = 0.983607 * (1 - 0.289352) = 0.698998
        var stats = Meteor.Statistics(T("a dog is running in the park"), T("the dogs run in a park"));
        Assert.Equal(6, stats.Matches);
        Assert.Equal(4, stats.ExactMatches);
        Assert.Equal(2, stats.StemMatches);
        Assert.Equal(5, stats.Chunks);
        var p = MeteorParameters.Standard;
        Assert.Equal(60.0 / 61, stats.FMean(p), 12);
        Assert.Equal(0.5 * Math.Pow(5.0 / 6, 3), stats.Penalty(p), 12);
        Assert.Equal(0.698998, stats.Score(p), 6);
    }

    [Fact]
    public void AlignmentMinimisesChunks()
    {
        // cand "the cat and the dog", ref "the dog and the cat": "the" occurs twice on both sides.
        //   fixed links: cat 1->4, and 2->2, dog 4->1
        //   option A: the 0->0, the 3->3 -> ref order 0,4,2,3,1 -> chunks {0},{4},{2,3},{1}  = 4
        //   option B: the 0->3, the 3->0 -> ref order 3,4,2,0,1 -> chunks {3,4},{2},{0,1}    = 3
        // B wins: m = 5, P = R = 1, Fmean = 1, Pen = 0.5 * (3/5)^3 = 0.108 -> METEOR = 0.892
        var stats = Meteor.Statistics(T("the cat and the dog"), T("the dog and the cat"));
        Assert.Equal(5, stats.Matches);
        Assert.Equal(3, stats.Chunks);
        Assert.Equal(0.892, stats.Score(MeteorParameters.Standard), 12);
    }

    [Fact]
    public void BestOverReferencesAndCorpusFromSummedStatistics()
    {
        // cand "a dog" vs refs "a cat" (m=1, ch=1: P=R=1/2, Fmean=1/2, Pen=0.5 -> 0.25)
        //               and "a dog" (m=2, ch=1: Fmean=1, Pen=0.5*(1/2)^3=0.0625 -> 0.9375) -> best 0.9375
        var (score, stats) = Meteor.Best(T("a dog"), Refs("a cat", "a dog"));
        Assert.Equal(0.9375, score, 12);
        Assert.Equal(2, stats.Matches);

        // Corpus of two images: image 1 as above (m=2, ch=1, t=2, r=2); image 2 "a bird" vs "the fish"
        // (m=0, t=2, r=2). Sums: m=2, ch=1, t=4, r=4 -> P=R=1/2, Fmean=1/2, Pen=0.0625 -> 0.46875
        var result = Meteor.Compute(
        [
            new EvaluationSample("1", T("a dog"), Refs("a cat", "a dog")),
            new EvaluationSample("2", T("a bird"), Refs("the fish")),
        ]);
        Assert.Equal(0.46875, result.Corpus, 12);
        Assert.Equal(0.0, result.PerImage[1]);
    }

    [Fact]
    public void EmptyAndUnknownCandidatesScoreZero()
    {
        Assert.Equal(0.0, Meteor.Best([], Refs("a dog")).Score);
        Assert.Equal(0.0, Meteor.Best(T("<unk> <unk> <unk>"), Refs("a dog")).Score);
        Assert.Equal(0.0, Meteor.Best(T("a dog"), Refs("")).Score);
    }

    [Fact]
    public void LongRepetitiveCaptionStaysFast()
    {
        // 40 "a"s on each side: many equivalent alignments; the bounded search must finish quickly
        // and still find the single-chunk monotone alignment.
        var many = Enumerable.Repeat("a", 40).ToArray();
        var stats = Meteor.Statistics(many, many);
        Assert.Equal(40, stats.Matches);
        Assert.Equal(1, stats.Chunks);
    }
}
