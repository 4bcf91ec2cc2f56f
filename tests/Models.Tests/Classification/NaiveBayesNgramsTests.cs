// NaiveBayesNgrams (Wang & Manning 2012 as a learned linear branch): the fitted table against the NB
// formula written out by hand on a four-sentence corpus, the lookup against a scan of every table row,
// the logits op against a naive sum (plain, ÷√n and ÷n) and its weight gradient by finite differences,
// leave-one-out training ratios against counts recomputed without each text, n-gram dropout, the length
// robustness the normalisation is for, and
// both architectures with the branch (the logits are the network's plus the branch's; the training objective
// adds the network's own loss; whole-network gradient checks; the tiny corpus is overfitted in ClassifierTrainingTests).
// Shape key: B = batch, T = time, G = table n-grams, N = order, K = classes.
using Pipeline.Models.Classification;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Classification;

public class NaiveBayesNgramsTests
{
    // Class 0: "3 4", "3 4 5"; class 1: "5 6", "6 6 7" (ids 3..7; 0 = padding, never inside an n-gram).
    private static readonly int[][] Sequences = [[3, 4], [3, 4, 5], [5, 6], [6, 6, 7]];
    private static readonly int[] Targets = [0, 0, 1, 1];

    [Fact]
    public void Fit_KeysAreSortedAndRatiosFollowTheNbFormula()
    {
        var table = NaiveBayesNgrams.Fit(Sequences, Targets, classes: 2, order: 2);
        // Distinct n-grams: unigrams 3 4 5 6 7, bigrams 3-4, 4-5, 5-6, 6-6, 6-7 (a repeat within a text counts once).
        var keys = Enumerable.Range(0, table.Count).Select(f => (table.Keys[f * 2], table.Keys[f * 2 + 1])).ToArray();
        Assert.Equal(new (float, float)[] { (3, 0), (3, 4), (4, 0), (4, 5), (5, 0), (5, 6), (6, 0), (6, 6), (6, 7), (7, 0) }, keys);

        // Document counts per class, in key order, then r[f, k] = log((α + c_k) / Σ(α + c_k) / ((α + c_¬k) / Σ(α + c_¬k))), α = 1.
        int[,] counts = { { 2, 0 }, { 2, 0 }, { 2, 0 }, { 1, 0 }, { 1, 1 }, { 0, 1 }, { 0, 2 }, { 0, 1 }, { 0, 1 }, { 0, 1 } };
        for (int k = 0; k < 2; k++)
        {
            double p = 0, q = 0;
            for (int f = 0; f < 10; f++) { p += 1 + counts[f, k]; q += 1 + counts[f, 1 - k]; }
            for (int f = 0; f < 10; f++)
            {
                double expected = Math.Log((1 + counts[f, k]) / p / ((1 + counts[f, 1 - k]) / q));
                Assert.Equal(expected, table.Ratios[f * 2 + k], 5);
            }
        }
        // Two classes: one-vs-rest ratios are each other's negatives.
        for (int f = 0; f < table.Count; f++) Assert.Equal(-table.Ratios[f * 2], table.Ratios[f * 2 + 1], 6);
    }

    [Fact]
    public void Fit_MinCountAndMaxCountPruneTheRareNgrams()
    {
        var frequent = NaiveBayesNgrams.Fit(Sequences, Targets, 2, order: 2, minCount: 2);
        // Only n-grams in ≥ 2 texts: 3, 3-4, 4, 5, 6.
        Assert.Equal(5, frequent.Count);
        var top = NaiveBayesNgrams.Fit(Sequences, Targets, 2, order: 2, maxCount: 3);
        Assert.Equal(3, top.Count);
        Assert.Throws<ArgumentException>(() => NaiveBayesNgrams.Fit(Sequences, Targets, 2, order: 2, minCount: 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => NaiveBayesNgrams.Fit(Sequences, [0, 0, 1, 2], 2, order: 1));
    }

    private static NaiveBayesNgrams Branch(NgramTable table, int classes, float scale = 0.5f, float dropout = 0f, ulong seed = 3,
        NgramNormalization normalization = NgramNormalization.None)
    {
        var branch = new NaiveBayesNgrams(table.Count, table.Order, classes, scale, dropout, normalization);
        branch.Load(table);
        var g = new Generator(seed);
        for (int f = 0; f < table.Count; f++) branch.Weight.Data[f] = g.NextFloat() - 0.5f;   // non-zero w, so the test sees it
        branch.Eval();
        return branch;
    }

    /// <summary>
    /// Σ over every table row whose n-gram occurs in the sequence (once) of (β + w)·r, divided by 1, √n or n for the n
    /// rows that occur — a scan, no search, the norms written out in double.
    /// </summary>
    private static float[] NaiveLogits(NaiveBayesNgrams branch, int[] sequence)
    {
        var sums = new double[branch.Classes];
        int present = 0;
        for (int f = 0; f < branch.Count; f++)
        {
            var key = branch.Keys.Data.Slice(f * branch.Order, branch.Order).ToArray();
            int n = key.TakeWhile(id => id != 0).Count();
            bool occurs = Enumerable.Range(0, Math.Max(sequence.Length - n + 1, 0)).Any(t => Enumerable.Range(0, n).All(j => sequence[t + j] == key[j]));
            if (!occurs) continue;
            present++;
            for (int k = 0; k < branch.Classes; k++) sums[k] += (branch.Scale + branch.Weight.Data[f]) * (double)branch.Ratio.Data[f * branch.Classes + k];
        }
        double norm = present == 0 ? 1 : branch.Normalization switch
        {
            NgramNormalization.L2 => Math.Sqrt(present),
            NgramNormalization.L1 => present,
            _ => 1,
        };
        return sums.Select(x => (float)(x / norm)).ToArray();
    }

    [Theory]
    [InlineData(NgramNormalization.None)]
    [InlineData(NgramNormalization.L2)]
    [InlineData(NgramNormalization.L1)]
    public void Forward_MatchesAScanOfTheTable_IgnoringPaddingAndUnknownNgrams(NgramNormalization normalization)
    {
        var table = NaiveBayesNgrams.Fit(Sequences, Targets, 2, order: 3);
        var branch = Branch(table, 2, normalization: normalization);
        // Row 0: known n-grams plus an unseen id 9 and a repeat; row 1: garbage past its length 2; row 2: empty.
        int[] ids = [3, 4, 5, 9, 3, 4, 6, 6, 7, 7, 9, 9, 0, 0, 0, 0, 0, 0];
        int[] lengths = [6, 2, 0];
        using var scope = new TensorScope();
        var logits = branch.Forward(ids, 3, 6, lengths, new Generator(1)).ToArray();   // (B·K)
        for (int b = 0; b < 3; b++)
            GradCheck.AssertClose(NaiveLogits(branch, ids.AsSpan(b * 6, lengths[b]).ToArray()), logits.AsSpan(b * 2, 2), 1e-5f, 1e-5f);
        Assert.Equal([0f, 0f], logits[4..6]);
    }

    [Fact]
    public void GradCheck_WeightOfTheLogitsOp()
    {
        var table = NaiveBayesNgrams.Fit(Sequences, Targets, 2, order: 2);
        var branch = Branch(table, 2);
        int[] ids = [3, 4, 5, 6, 6, 7];
        var (offsets, features) = branch.Lookup(TokenRows.FromPadded(ids, 2, 3, [3, 3]));
        var ratios = features.SelectMany(f => branch.Ratio.Data.Slice(f * 2, 2).ToArray()).ToArray();
        GradCheck.Check(x => NaiveBayesNgrams.Logits(offsets, features, x[0], ratios, 2, branch.Scale, rowScales: [1.5f, 0.4f]), [branch.Weight]);
    }

    [Fact]
    public void Normalisation_KeepsTheLogitsOfALongTextAtTheScaleOfAShortOne()
    {
        // One class-0 n-gram ("3") in a short text and 3 then 12 distinct class-0 unigrams in longer ones: the sum grows
        // with n, ÷√n grows as √n (the evidence of independent n-grams adds up, as in an L2-normalised linear model)
        // and the mean stays put. Every class-0 unigram has the same counts (3 of 3 class-0 texts, no class-1 text), so
        // the same ratio r = log 4, and the three laws are exact.
        int[] class0 = [.. Enumerable.Range(3, 12)], class1 = [.. Enumerable.Range(20, 12)];
        int[][] sequences = [class0, class0, class0, class1, class1, class1];
        int[] targets = [0, 0, 0, 1, 1, 1];
        var table = NaiveBayesNgrams.Fit(sequences, targets, 2, order: 1);
        float[] Logit(NgramNormalization normalization, int length)
        {
            var branch = new NaiveBayesNgrams(table.Count, 1, 2, scale: 1f, dropout: 0f, normalization);
            branch.Load(table);
            branch.Eval();
            using var scope = new TensorScope();
            int[] ids = [.. Enumerable.Range(3, length)];
            return branch.Forward(ids, 1, length, [length], new Generator(1)).ToArray();
        }
        float r = Logit(NgramNormalization.None, 1)[0];
        Assert.True(r > 0.5f, $"a class-0 n-gram should have a clearly positive class-0 ratio, got {r}");
        foreach (int n in new[] { 3, 12 })
        {
            Assert.Equal(n * r, Logit(NgramNormalization.None, n)[0], 4);
            Assert.Equal(MathF.Sqrt(n) * r, Logit(NgramNormalization.L2, n)[0], 4);
            Assert.Equal(r, Logit(NgramNormalization.L1, n)[0], 4);
        }
    }

    [Fact]
    public void LeaveOneOut_TrainingTextsSeeTheRatiosOfTheOtherTextsOnly()
    {
        // Three classes, so the one-vs-rest "rest" counts matter too.
        int[][] sequences = [[3, 4], [3, 4, 5], [5, 6], [6, 6, 7], [7, 3], [4, 7, 7]];
        int[] targets = [0, 0, 1, 1, 2, 2];
        var table = NaiveBayesNgrams.Fit(sequences, targets, classes: 3, order: 2);
        var branch = Branch(table, 3, normalization: NgramNormalization.L2);
        Assert.True(branch.CanLeaveOneOut);
        branch.Train();
        var keys = Enumerable.Range(0, table.Count).Select(f => table.Keys.AsSpan(f * 2, 2).ToArray().TakeWhile(id => id != 0).Select(id => (int)id).ToArray()).ToArray();
        static bool Contains(int[] s, int[] key) => Enumerable.Range(0, Math.Max(s.Length - key.Length + 1, 0)).Any(t => key.Select((id, j) => s[t + j] == id).All(x => x));
        for (int i = 0; i < sequences.Length; i++)
        {
            // Counts of the table's n-grams over the other texts, then the NB formula (α = 1) — and the sum over text i's n-grams.
            var others = Enumerable.Range(0, sequences.Length).Where(j => j != i).ToArray();
            var expected = new float[3];
            float norm = MathF.Sqrt(keys.Count(key => Contains(sequences[i], key)));   // L2: ÷√(n-grams of text i)
            for (int k = 0; k < 3; k++)
            {
                double Count(int f, bool inClass) => others.Count(j => (targets[j] == k) == inClass && Contains(sequences[j], keys[f]));
                double p = Enumerable.Range(0, table.Count).Sum(f => 1 + Count(f, true)), q = Enumerable.Range(0, table.Count).Sum(f => 1 + Count(f, false));
                for (int f = 0; f < table.Count; f++)
                    if (Contains(sequences[i], keys[f]))
                        expected[k] += (branch.Scale + branch.Weight.Data[f]) * (float)Math.Log((1 + Count(f, true)) / p / ((1 + Count(f, false)) / q)) / norm;
            }
            using var scope = new TensorScope();
            var actual = branch.Forward(sequences[i], 1, sequences[i].Length, [sequences[i].Length], new Generator(1), [targets[i]]).ToArray();
            GradCheck.AssertClose(expected, actual, 1e-5f, 1e-5f);
        }
        // Without targets, or in eval mode, the full-table ratios are used.
        using (var scope = new TensorScope())
        {
            var full = branch.Forward(sequences[0], 1, 2, [2], new Generator(1)).ToArray();
            GradCheck.AssertClose(NaiveLogits(branch, sequences[0]), full, 1e-5f, 1e-5f);
            branch.Eval();
            GradCheck.AssertClose(full, branch.Forward(sequences[0], 1, 2, [2], new Generator(1), [targets[0]]).ToArray(), 1e-6f, 1e-6f);
        }
    }

    [Fact]
    public void Dropout_TrainingDropsNgramsAndRescales_EvalIsExact()
    {
        var table = NaiveBayesNgrams.Fit(Sequences, Targets, 2, order: 1);
        var branch = Branch(table, 2, dropout: 0.5f, normalization: NgramNormalization.L2);
        int[] ids = [3, 4, 5, 6, 7];
        using var scope = new TensorScope();
        var exact = branch.Forward(ids, 1, 5, [5], new Generator(1)).ToArray();
        GradCheck.AssertClose(NaiveLogits(branch, ids), exact, 1e-5f, 1e-5f);

        branch.Train();
        // Each training draw keeps a subset S of the five unigrams and gives 2·Σ_{f∈S} (β + w_f)·r_f / √5 — the norm counts the
        // n-grams before dropout, so the expectation is the eval logit: find S among all subsets.
        var contributions = Enumerable.Range(0, 5).Select(f => (branch.Scale + branch.Weight.Data[f]) * branch.Ratio.Data[f * 2] / MathF.Sqrt(5f)).ToArray();
        var generator = new Generator(5);
        var seenSizes = new HashSet<int>();
        for (int draw = 0; draw < 20; draw++)
        {
            float value = branch.Forward(ids, 1, 5, [5], generator).ToArray()[0];
            int subset = Enumerable.Range(0, 32).Single(m => Math.Abs(2f * Enumerable.Range(0, 5).Where(f => (m >> f & 1) == 1).Sum(f => contributions[f]) - value) < 1e-5f);
            seenSizes.Add(System.Numerics.BitOperations.PopCount((uint)subset));
        }
        Assert.True(seenSizes.Count >= 3, $"dropout kept subsets of sizes {string.Join(", ", seenSizes)} only");
    }

    [Theory]
    [InlineData(ClassifierArchitecture.TextCnn)]
    [InlineData(ClassifierArchitecture.BiRnn)]
    public void Classifier_LogitsAreNetworkPlusBranch_AndGradientsCheck(ClassifierArchitecture architecture)
    {
        var (corpus, table, config) = WithBranch(architecture);
        config = config with { NgramScale = 0.3f };
        var model = TextClassifierModel.Create(config, new Generator(8));
        model.Ngrams!.Load(table);
        for (int f = 0; f < table.Count; f++) model.Ngrams.Weight.Data[f] = 0.01f * (f % 7) - 0.03f;
        var plain = TextClassifierModel.Create(config with { NgramOrder = 0, NgramFeatures = 0 }, new Generator(8));
        model.Eval(); plain.Eval();
        Assert.Equal(NgramNormalization.L2, model.Ngrams.Normalization);
        Assert.Contains("ngram.keys", model.StateDict().Keys);
        Assert.Contains("ngram.ratio", model.StateDict().Keys);
        Assert.Contains(model.Ngrams.Weight, model.Parameters());
        Assert.DoesNotContain(model.Ngrams.Ratio, model.Parameters());

        var withBranch = ClassifierFixtures.Logits(model, corpus);
        var network = ClassifierFixtures.Logits(plain, corpus);
        using (var scope = new TensorScope())
        {
            var branchLogits = model.Ngrams.Forward(MaskedIds(corpus), corpus.BatchSize, corpus.Length, corpus.Lengths, new Generator(1)).ToArray();
            GradCheck.AssertClose(network.Zip(branchLogits, (a, b) => a + b).ToArray(), withBranch, 1e-5f, 1e-5f);
            var parts = model.ForwardParts(corpus.Ids, corpus.BatchSize, corpus.Length, corpus.Lengths);
            GradCheck.AssertClose(network, parts.Network.ToArray(), 1e-5f, 1e-5f);
            GradCheck.AssertClose(branchLogits, parts.Ngram!.ToArray(), 1e-5f, 1e-5f);
        }
        ClassifierFixtures.CheckGradients(model, () => model.Forward(corpus.Ids, corpus.BatchSize, corpus.Length, corpus.Lengths));
    }

    /// <summary>
    /// The six-example fixture corpus, its bigram table, and a tiny <paramref name="architecture"/> config without dropout
    /// whose L2-normalised n-gram branch has one feature per table entry.
    /// </summary>
    private static (TokenBatch Corpus, NgramTable Table, ClassifierConfig Config) WithBranch(ClassifierArchitecture architecture)
    {
        var corpus = ClassifierFixtures.Corpus(count: 6, maxLength: 5, seed: 4);
        var sequences = Enumerable.Range(0, corpus.BatchSize).Select(b => corpus.Ids.AsSpan(b * corpus.Length, corpus.Lengths[b]).ToArray()).ToArray();
        var table = NaiveBayesNgrams.Fit(sequences, corpus.Labels, ClassifierFixtures.Classes, order: 2);
        var config = architecture == ClassifierArchitecture.TextCnn
            ? new ClassifierConfig(architecture, ClassifierFixtures.Vocabulary, ClassifierFixtures.Classes) { EmbeddingDim = 3, FilterWidths = [1, 2], FeatureMaps = 2 }
            : new ClassifierConfig(architecture, ClassifierFixtures.Vocabulary, ClassifierFixtures.Classes) { EmbeddingDim = 3, HiddenSize = 2, AttentionSize = 2 };
        return (corpus, table, config with { Dropout = 0f, NgramOrder = 2, NgramFeatures = table.Count, NgramNormalization = NgramNormalization.L2 });
    }

    /// <summary>Mean −log softmax(logits)[y] per row, in double: the naive cross-entropy.</summary>
    private static double NaiveCrossEntropy(float[] logits, int[] targets, int classes)
    {
        double sum = 0;
        for (int b = 0; b < targets.Length; b++)
        {
            var row = logits.AsSpan(b * classes, classes).ToArray().Select(x => (double)x).ToArray();
            double max = row.Max(), logZ = max + Math.Log(row.Sum(x => Math.Exp(x - max)));
            sum += logZ - row[targets[b]];
        }
        return sum / targets.Length;
    }

    [Theory]
    [InlineData(ClassifierArchitecture.TextCnn)]
    [InlineData(ClassifierArchitecture.BiRnn)]
    public void TrainingLoss_AddsTheNetworksOwnLoss_AndItsGradientsCheck(ClassifierArchitecture architecture)
    {
        var (corpus, table, config) = WithBranch(architecture);
        config = config with { NgramDropout = 0f };
        var model = TextClassifierModel.Create(config, new Generator(8));
        model.Ngrams!.Load(table);
        model.Eval();   // no dropout and full-table ratios, so the parts below are the ones the objective sees
        using var scope = new TensorScope();
        var parts = model.ForwardParts(corpus.Ids, corpus.BatchSize, corpus.Length, corpus.Lengths);
        double combined = NaiveCrossEntropy(parts.Logits().ToArray(), corpus.Labels, ClassifierFixtures.Classes);
        double alone = NaiveCrossEntropy(parts.Network.ToArray(), corpus.Labels, ClassifierFixtures.Classes);
        foreach (float lambda in new[] { 0f, 0.5f, 1f })
        {
            var (objective, loss) = model.TrainingLoss(corpus.Ids, corpus.BatchSize, corpus.Length, corpus.Lengths, corpus.Labels, lambda);
            Assert.Equal(combined, loss.Item(), 1e-5);
            Assert.Equal(combined + lambda * alone, objective.Item(), 1e-5);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => model.TrainingLoss(corpus.Ids, corpus.BatchSize, corpus.Length, corpus.Lengths, corpus.Labels, -1f));
        ClassifierFixtures.CheckGradients(model, () => model.TrainingLoss(corpus.Ids, corpus.BatchSize, corpus.Length, corpus.Lengths, corpus.Labels, 0.5f).Objective);

        // Without a branch there is no second term: the objective is the plain loss.
        var plain = TextClassifierModel.Create(config with { NgramOrder = 0, NgramFeatures = 0 }, new Generator(8));
        plain.Eval();
        var (plainObjective, plainLoss) = plain.TrainingLoss(corpus.Ids, corpus.BatchSize, corpus.Length, corpus.Lengths, corpus.Labels, 1f);
        Assert.Same(plainLoss, plainObjective);
    }

    private static int[] MaskedIds(TokenBatch batch)
    {
        var ids = (int[])batch.Ids.Clone();
        for (int b = 0; b < batch.BatchSize; b++)
            for (int t = batch.Lengths[b]; t < batch.Length; t++) ids[b * batch.Length + t] = 0;
        return ids;
    }
}
