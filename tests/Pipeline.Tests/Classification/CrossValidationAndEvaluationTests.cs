// K-fold runs report one score per fold with mean ± std, and test evaluation goes through the ML.NET
// ClassificationEvaluator with the numbers a hand computation gives on a fixed prediction set.
using Pipeline.Classification;
using Pipeline.Evaluation.Classification;
using Pipeline.Models.Classification;
using Xunit;

namespace Pipeline.Tests.Classification;

public sealed class CrossValidationAndEvaluationTests
{
    [Fact]
    public void KFoldRunReportsMeanAndStandardDeviation()
    {
        using var corpus = new TinyCorpus(perClass: 15);
        var request = corpus.Request(ClassifierArchitecture.TextCnn, "cv", epochs: 2) with { Folds = 3, ValidPath = null };
        var result = ClassifierExperiment.Run(request);
        var folds = Assert.IsType<CrossValidationSummary>(result.Folds);
        Assert.Equal(3, folds.Scores.Count);
        double mean = folds.Scores.Average();
        double std = Math.Sqrt(folds.Scores.Sum(s => (s - mean) * (s - mean)) / 2);
        Assert.Equal(mean, folds.Mean, 12);
        Assert.Equal(std, folds.StandardDeviation, 12);
        Assert.Contains("±", folds.ToString());
        for (int k = 1; k <= 3; k++) Assert.True(File.Exists(Path.Combine(request.OutputDirectory, $"fold-{k}", "config.json")));
        // Each score is the fold model's accuracy on its held-out fold (10 of the 30 texts), not its validation score.
        Assert.All(folds.Scores, s => Assert.Equal(0, s * 10 % 1, 9));
    }

    [Fact]
    public void KimPreset_HasThePapersCnnRandHyperParameters()
    {
        var kim = ClassifierPresets.KimCnnRand;
        Assert.Equal((ClassifierArchitecture.TextCnn, EmbeddingMode.Rand, 300), (kim.Architecture, kim.Embedding, kim.EmbeddingDim));
        Assert.Equal([3, 4, 5], kim.EffectiveFilterWidths);
        Assert.Equal((100, 0.5f, 3f, 50), (kim.FeatureMaps, kim.Dropout, kim.MaxNorm, kim.BatchSize));
        Assert.Equal((ClassifierOptimizer.Adadelta, 1.0), (kim.Optimizer, kim.LearningRate));
        Assert.Equal((0f, 0, 1.0), (kim.WordDropout, kim.NgramOrder, kim.LearningRateDecay));   // nothing beyond the paper
        Assert.Equal((25, 0, 1), (ClassifierPresets.KimEpochs, ClassifierPresets.KimPatience, ClassifierPresets.KimMinFrequency));
        var config = kim.ToModelConfig(vocabularySize: 10, embeddingDim: kim.EmbeddingDim, classCount: 2, classWeights: null);
        Assert.Equal(0.25f, config.EmbeddingInitRange);                                                 // U(−0.25, 0.25) word vectors
    }

    [Fact]
    public void SummaryStatisticsOfFixedScores()
    {
        var s = CrossValidationSummary.From(ClassificationMetric.Accuracy, [0.8, 0.9, 1.0], 3);
        Assert.Equal(0.9, s.Mean, 12);
        Assert.Equal(0.1, s.StandardDeviation, 12);   // sample std of 0.8, 0.9, 1.0
    }

    [Fact]
    public void EvaluatorNumbersMatchHandComputation()
    {
        // 5 examples, 2 classes (neg = 0, pos = 1). Predictions: 0 ✓, 1 ✓, 1 ✗ (true 0), 0 ✗ (true 1), 1 ✓.
        int[] truth = [0, 1, 0, 1, 1];
        float[][] p = [[0.9f, 0.1f], [0.2f, 0.8f], [0.4f, 0.6f], [0.7f, 0.3f], [0.1f, 0.9f]];
        var report = ClassificationEvaluator.Evaluate(truth, p, ["neg", "pos"]);
        Assert.Equal(3.0 / 5, report.MicroAccuracy, 6);
        // log-loss = −mean ln p(true) = −(ln .9 + ln .8 + ln .4 + ln .3 + ln .9) / 5
        double logLoss = -(Math.Log(0.9) + Math.Log(0.8) + Math.Log(0.4) + Math.Log(0.3) + Math.Log(0.9)) / 5;
        Assert.Equal(logLoss, report.LogLoss, 5);
        // neg: P = 1/2, R = 1/2, F1 = 1/2; pos: P = 2/3, R = 2/3, F1 = 2/3.
        Assert.Equal(0.5, report.PerClass[0].F1, 6);
        Assert.Equal(2.0 / 3, report.PerClass[1].F1, 6);
        // Our early-stopping metric agrees with the evaluator's per-class F1.
        int[] predicted = p.Select(r => ClassificationEvaluator.ArgMax(r)).ToArray();
        Assert.Equal(report.PerClass.Average(c => c.F1), ClassificationMetrics.MacroF1(truth, predicted, 2), 9);
        Assert.Equal(report.MicroAccuracy, ClassificationMetrics.Accuracy(truth, predicted), 9);
    }
}
