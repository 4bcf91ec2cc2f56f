// ROUGE-L (beta = 1.2, max precision and max recall over references taken separately).
using static Pipeline.Tests.Evaluation.Captioning.TestTokens;

using Pipeline.Evaluation.Captioning;

namespace Pipeline.Tests.Evaluation.Captioning;

public class RougeLTests
{
    [Fact]
    public void HandComputedTwoReferences()
    {
        // cand = "a cat sits on the mat" (6)
        // R1 = "the cat is on the mat" (6): LCS = "cat on the mat" = 4 -> P = 4/6, R = 4/6
        // R2 = "a cat on a mat" (5):        LCS = "a cat on mat"   = 4 -> P = 4/6, R = 4/5
        // Pmax = 2/3, Rmax = 0.8 (different references!)
        // F = (1 + 1.44) * (2/3) * 0.8 / (0.8 + 1.44 * 2/3) = 1.301333 / 1.76 = 0.739394
        Assert.Equal(4, RougeL.LongestCommonSubsequence(T("the cat is on the mat"), T("a cat sits on the mat")));
        Assert.Equal(4, RougeL.LongestCommonSubsequence(T("a cat on a mat"), T("a cat sits on the mat")));
        double score = RougeL.Score(T("a cat sits on the mat"), Refs("the cat is on the mat", "a cat on a mat"));
        Assert.Equal(0.739394, score, 6);
    }

    [Fact]
    public void CorpusIsMeanOfImages()
    {
        // identical pair -> 1; disjoint pair -> 0; mean 0.5
        var result = RougeL.Compute(
        [
            new EvaluationSample("1", T("a dog"), Refs("a dog")),
            new EvaluationSample("2", T("a dog"), Refs("the cat")),
        ]);
        Assert.Equal(1.0, result.PerImage[0], 12);
        Assert.Equal(0.0, result.PerImage[1], 12);
        Assert.Equal(0.5, result.Corpus, 12);
    }

    [Fact]
    public void EmptyCandidateOrReferenceIsZero()
    {
        Assert.Equal(0.0, RougeL.Score([], Refs("a dog")));
        Assert.Equal(0.0, RougeL.Score(T("a dog"), Refs("")));
    }
}
