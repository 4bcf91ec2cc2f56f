// ClassificationEvaluator checked against numbers worked out by hand on a fixed 3-class, 10-example
// set (multiclass metrics, per-class P/R/F1, log-loss) and a 2-class, 6-example set (ML.NET binary
// metrics), plus the JSON round-trip and the argument checks.

using Pipeline.Evaluation.Classification;

namespace Pipeline.Tests.Evaluation.Classification;

public sealed class ClassificationEvaluatorTests
{
    // Tolerance: probabilities pass through float, so ln p differs from the double literal by ~1e-8;
    // ML.NET sums in double. 1e-6 is far above that and far below any arithmetic slip.
    private const double Tolerance = 1e-6;

    private static readonly string[] Abc = ["A", "B", "C"];

    //  #  true  p(A)  p(B)  p(C)   arg-max  p(true)  true in top-2?
    //  0  A     .80   .10   .10    A        .8       yes
    //  1  A     .60   .30   .10    A        .6       yes
    //  2  A     .30   .60   .10    B  ✗     .3       yes
    //  3  A     .50   .25   .25    A        .5       yes
    //  4  B     .10   .80   .10    B        .8       yes
    //  5  B     .20   .70   .10    B        .7       yes
    //  6  B     .15   .10   .75    C  ✗     .1       no  (B is third)
    //  7  C     .10   .10   .80    C        .8       yes
    //  8  C     .70   .10   .20    A  ✗     .2       yes
    //  9  C     .20   .20   .60    C        .6       yes
    private static readonly int[] TrueLabels = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];

    private static readonly float[][] Probabilities =
    [
        [0.80f, 0.10f, 0.10f], [0.60f, 0.30f, 0.10f], [0.30f, 0.60f, 0.10f], [0.50f, 0.25f, 0.25f],
        [0.10f, 0.80f, 0.10f], [0.20f, 0.70f, 0.10f], [0.15f, 0.10f, 0.75f],
        [0.10f, 0.10f, 0.80f], [0.70f, 0.10f, 0.20f], [0.20f, 0.20f, 0.60f],
    ];

    private static ClassificationReport ThreeClassReport() =>
        ClassificationEvaluator.Evaluate(TrueLabels, Probabilities, Abc,
            ids: Enumerable.Range(0, 10).Select(i => $"ex{i}").ToArray(),
            texts: Enumerable.Range(0, 10).Select(i => $"text {i}").ToArray(),
            options: new ClassificationEvaluationOptions(TopK: 2));

    [Fact]
    public void ConfusionMatrixMatchesHandCount()
    {
        // Rows true, columns predicted:   A  B  C
        //                             A [ 3, 1, 0 ]   (#2 → B)
        //                             B [ 0, 2, 1 ]   (#6 → C)
        //                             C [ 1, 0, 2 ]   (#8 → A)
        var report = ThreeClassReport();
        int[][] expected = [[3, 1, 0], [0, 2, 1], [1, 0, 2]];
        for (int t = 0; t < 3; t++)
            Assert.Equal(expected[t], report.ConfusionMatrix.Counts[t].ToArray());
        Assert.Equal(Abc, report.ConfusionMatrix.Labels.ToArray());
        Assert.Equal(10, report.ExampleCount);
    }

    [Fact]
    public void AccuraciesMatchHandComputation()
    {
        var report = ThreeClassReport();
        // Micro: 7 right of 10.
        Assert.Equal(0.7, report.MicroAccuracy, Tolerance);
        // Macro: mean recall = (3/4 + 2/3 + 2/3) / 3 = 2.0833.../3 = 0.694444...
        Assert.Equal((0.75 + 2.0 / 3 + 2.0 / 3) / 3, report.MacroAccuracy, Tolerance);
        // Top-2: only #6 misses (p(B) = .10 is the smallest of its row) → 9/10.
        Assert.Equal(2, report.TopK);
        Assert.Equal(0.9, report.TopKAccuracy, Tolerance);
    }

    [Fact]
    public void LogLossMatchesHandComputation()
    {
        var report = ThreeClassReport();
        // LL = −(1/10) Σ ln p(true)
        //    = −(3 ln .8 + 2 ln .6 + ln .3 + ln .5 + ln .7 + ln .1 + ln .2) / 10
        //    = −(3(−0.223144) + 2(−0.510826) − 1.203973 − 0.693147 − 0.356675 − 2.302585 − 1.609438) / 10
        //    = 7.856900 / 10 = 0.785690
        Assert.Equal(0.785690, report.LogLoss, 1e-5);
        // Prior LL (class frequencies .4, .3, .3) = −(.4 ln .4 + 2 · .3 ln .3)
        //    = .366516 + .722384 = 1.088900
        // Reduction = (1.088900 − 0.785690) / 1.088900 = 0.278455
        Assert.Equal(0.278455, report.LogLossReduction, 1e-5);
    }

    [Fact]
    public void PerClassMetricsComeFromTheConfusionMatrix()
    {
        var report = ThreeClassReport();
        // A: TP 3, predicted-A column 3+0+1 = 4 → P = .75; support 4 → R = .75; F1 = .75
        // B: TP 2, column 1+2+0 = 3 → P = 2/3; support 3 → R = 2/3; F1 = 2/3
        // C: TP 2, column 0+1+2 = 3 → P = 2/3; support 3 → R = 2/3; F1 = 2/3
        var (a, b, c) = (report.PerClass[0], report.PerClass[1], report.PerClass[2]);
        Assert.Equal(("A", 0.75, 0.75, 0.75, 4), (a.Label, a.Precision, a.Recall, a.F1, a.Support));
        Assert.Equal(2.0 / 3, b.Precision, Tolerance);
        Assert.Equal(2.0 / 3, b.Recall, Tolerance);
        Assert.Equal(2.0 / 3, c.F1, Tolerance);
        Assert.Equal(3, c.Support);
        // Macro F1 = (.75 + 2/3 + 2/3) / 3
        Assert.Equal((0.75 + 4.0 / 3) / 3, report.MacroF1, Tolerance);
    }

    [Fact]
    public void MostConfidentMistakesComeFirst()
    {
        var report = ThreeClassReport();
        // Mistakes and the probability of their (wrong) prediction: #6 .75, #8 .70, #2 .60.
        Assert.Equal(["ex6", "ex8", "ex2"], report.ConfidentMistakes.Select(m => m.Id).ToArray());
        var first = report.ConfidentMistakes[0];
        Assert.Equal(("text 6", "B", "C"), (first.Text, first.TrueLabel, first.PredictedLabel));
        Assert.Equal(0.75, first.Confidence, Tolerance);
        Assert.Null(report.Binary);
    }

    [Fact]
    public void PrecisionOfANeverPredictedClassIsZero()
    {
        // Everything predicted as "x": "y" is never predicted, so its precision is 0 by convention (not NaN).
        var report = ClassificationEvaluator.Evaluate([0, 1], [[0.9f, 0.1f], [0.8f, 0.2f]], ["x", "y"]);
        Assert.Equal(0, report.PerClass[1].Precision);
        Assert.Equal(0, report.PerClass[1].F1);
        Assert.Equal(0.5, report.PerClass[0].Precision, Tolerance);
    }

    [Fact]
    public void BinaryMetricsMatchHandComputation()
    {
        // p(pos) by example:  positives .9 .4 .8   negatives .6 .2 .1
        // AUC = pairs (pos, neg) ranked right / 9: .9 beats 3, .4 beats 2, .8 beats 3 → 8/9.
        // At threshold .5: TP = {.9, .8}, FP = {.6}, FN = {.4}, TN = {.2, .1}
        //   accuracy 4/6; positive precision 2/3, recall 2/3, F1 2/3; negative precision 2/3, recall 2/3.
        int[] truth = [1, 1, 0, 0, 1, 0];
        float[] pos = [0.9f, 0.4f, 0.6f, 0.2f, 0.8f, 0.1f];
        var report = ClassificationEvaluator.Evaluate(truth, pos.Select(p => new[] { 1 - p, p }).ToArray(), ["ham", "spam"]);
        var binary = Assert.IsType<BinaryClassificationSummary>(report.Binary);
        Assert.Equal("spam", binary.PositiveLabel);
        Assert.Equal(8.0 / 9, binary.Auc, Tolerance);
        Assert.Equal(4.0 / 6, binary.Accuracy, Tolerance);
        Assert.Equal(2.0 / 3, binary.F1, Tolerance);
        Assert.Equal(2.0 / 3, binary.PositivePrecision, Tolerance);
        Assert.Equal(2.0 / 3, binary.PositiveRecall, Tolerance);
        Assert.Equal(2.0 / 3, binary.NegativePrecision, Tolerance);
        Assert.Equal(2.0 / 3, binary.NegativeRecall, Tolerance);
        Assert.Equal(4.0 / 6, report.MicroAccuracy, Tolerance);
    }

    [Fact]
    public void JsonRoundTripKeepsEveryValue()
    {
        var report = ThreeClassReport();
        string json = report.ToJson();
        Assert.Contains("\"micro_accuracy\"", json);
        Assert.Contains("\"confusion_matrix\"", json);
        var back = ClassificationReport.FromJson(json);
        Assert.Equal(report.ToJson(), back.ToJson());
    }

    [Fact]
    public void BadInputIsRejectedWithTheExampleNamed()
    {
        var wrongWidth = Assert.Throws<ArgumentException>(() =>
            ClassificationEvaluator.Evaluate([0, 1], [[0.5f, 0.5f], [1f]], ["a", "b"]));
        Assert.Contains("Example 1", wrongWidth.Message);
        var outOfRange = Assert.Throws<ArgumentException>(() =>
            ClassificationEvaluator.Evaluate([0, 2], [[0.5f, 0.5f], [0.5f, 0.5f]], ["a", "b"]));
        Assert.Contains("label index 2", outOfRange.Message);
        Assert.Throws<ArgumentException>(() => ClassificationEvaluator.Evaluate([], [], ["a", "b"]));
        Assert.Throws<ArgumentException>(() =>
            ClassificationEvaluator.Evaluate([0], [[float.NaN, 1f]], ["a", "b"]));
    }
}
