// CIDEr-D with hand-computed tf-idf vectors (natural logarithms, as the toolkit).
using static Pipeline.Tests.Evaluation.Captioning.TestTokens;

using Pipeline.Evaluation.Captioning;

namespace Pipeline.Tests.Evaluation.Captioning;

public class CiderDTests
{
    [Fact]
    public void TwoImageToyExample()
    {
        // Image 1: cand "a dog", refs "a dog" | "the dog";  Image 2: cand "a cat", refs "a cat sleeps".
        // N = 2, log N = ln 2.
        // df (images whose refs contain the n-gram): a = 2; dog, the, cat, sleeps = 1;
        //    "a dog", "the dog", "a cat", "cat sleeps", "a cat sleeps" = 1.
        // idf = ln2 - ln(max(1, df)):  a -> 0; every other n-gram -> ln2 (call it L).
        //
        // Image 1, cand "a dog":  g1 = {a: 0, dog: L}, |g1| = L;  g2 = {"a dog": L}, |g2| = L; g3, g4 empty.
        //   ref "a dog"  : identical vectors -> n=1: min(L,L)L / (L L) = 1; n=2: 1; n=3,4: 0 (zero norms)
        //   ref "the dog": g1 = {the: L, dog: L}, |g1| = L sqrt2 -> n=1: L*L / (L * L sqrt2) = 0.707107;
        //                  g2 = {"the dog": L} -> no overlap -> 0
        //   lengths (bigram counts) 1 vs 1 -> penalty exp(0) = 1
        //   sum over refs per order = [1.707107, 1, 0, 0]; mean over n = 0.676777; / 2 refs; x 10 = 3.383883
        // Image 2, cand "a cat": g1 = {a: 0, cat: L}, g2 = {"a cat": L}
        //   ref "a cat sleeps": g1 = {a: 0, cat: L, sleeps: L}, |g1| = L sqrt2 -> n=1: 1/sqrt2
        //                       g2 = {"a cat": L, "cat sleeps": L}       -> n=2: 1/sqrt2; g3: cand empty -> 0
        //   lengths 1 vs 2 bigrams -> delta = -1 -> exp(-1 / (2 * 36)) = 0.986207
        //   per order [0.707107 * 0.986207 = 0.697354, 0.697354, 0, 0]; mean = 0.348677; x 10 = 3.486769
        // Corpus = (3.383883 + 3.486769) / 2 = 3.435326
        var samples = new[]
        {
            new EvaluationSample("1", T("a dog"), Refs("a dog", "the dog")),
            new EvaluationSample("2", T("a cat"), Refs("a cat sleeps")),
        };
        var df = CiderD.DocumentFrequency(samples);
        Assert.Equal(2, df["a"]);
        Assert.Equal(1, df["dog"]);

        var result = CiderD.Compute(samples);
        Assert.Equal(3.383883, result.PerImage[0], 5);
        Assert.Equal(3.486769, result.PerImage[1], 5);
        Assert.Equal(3.435326, result.Corpus, 5);
    }

    [Fact]
    public void CandidateWeightIsClippedByReference()
    {
        // Image 1: cand "dog dog", ref "dog";  Image 2: cand "cat", ref "cat". N = 2, L = ln 2.
        // Image 1: cand g1 = {dog: 2L} (tf = 2), |g1| = 2L; ref g1 = {dog: L}, |g1| = L
        //   n=1: min(2L, L) * L / (2L * L) = 0.5 (1.0 without the "-D" clipping)
        //   n=2: cand {"dog dog": L} (df 0 -> idf ln2 - ln1 = L), ref has no bigrams (norm 0) -> 0
        //   lengths: 1 bigram vs 0 -> exp(-1/72) = 0.986207 -> 0.5 * 0.986207 / 4 * 10 = 1.232759
        var result = CiderD.Compute(
        [
            new EvaluationSample("1", T("dog dog"), Refs("dog")),
            new EvaluationSample("2", T("cat"), Refs("cat")),
        ]);
        Assert.Equal(1.232759, result.PerImage[0], 5);
    }

    [Fact]
    public void SingleImageCorpusIsZeroNotNaN()
    {
        // N = 1 -> ln N = 0 and every df is 1 (or 0 -> max(1, 0) = 1) -> all idf = 0 -> all vectors
        // zero -> guarded division -> 0, which is also what the reference toolkit returns.
        var result = CiderD.Compute([new EvaluationSample("1", T("a dog runs"), Refs("a dog runs", "a cat"))]);
        Assert.Equal(0.0, result.Corpus);
        Assert.Equal(0.0, result.PerImage[0]);
    }

    [Fact]
    public void EmptyAndUnknownCandidatesAreZero()
    {
        var result = CiderD.Compute(
        [
            new EvaluationSample("1", [], Refs("a dog")),
            new EvaluationSample("2", T("<unk> <unk>"), Refs("a cat")),
            new EvaluationSample("3", T("a bird"), Refs("a bird")),
        ]);
        Assert.Equal(0.0, result.PerImage[0]);
        Assert.Equal(0.0, result.PerImage[1]);
        Assert.True(result.PerImage[2] > 0);
        Assert.False(double.IsNaN(result.Corpus));
    }
}
