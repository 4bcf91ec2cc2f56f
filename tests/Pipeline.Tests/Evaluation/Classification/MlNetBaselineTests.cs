// The ML.NET baseline on a tiny corpus whose classes share no words: it must classify the held-out
// sentences perfectly, report in our ordinal label order and repeat exactly with the same seed.
using Pipeline.Evaluation.Classification;
using Pipeline.Preprocessing.Datasets;

namespace Pipeline.Tests.Evaluation.Classification;

public sealed class MlNetBaselineTests
{
    // Label names listed out of ordinal order on purpose ("weather" first), so a slot-order mix-up shows.
    private static readonly ClassificationExample[] Training =
    [
        new("rain and clouds tomorrow with wind", "weather"),
        new("sunny skies and warm temperatures", "weather"),
        new("heavy rain storm and cold wind", "weather"),
        new("clouds clearing to sunny skies", "weather"),
        new("the striker scored a late goal", "sport"),
        new("the goalkeeper saved the penalty", "sport"),
        new("a late goal won the match for the team", "sport"),
        new("the team lost the match on penalties", "sport"),
        new("stock markets fell as shares dropped", "finance"),
        new("the bank raised interest rates", "finance"),
        new("shares rose after strong profits", "finance"),
        new("interest rates and bank profits", "finance"),
    ];

    private static readonly ClassificationExample[] Test =
    [
        new("cold rain and wind", "weather", Id: "t1"),
        new("sunny and warm", "weather", Id: "t2"),
        new("goal in the match", "sport", Id: "t3"),
        new("penalty saved by the goalkeeper", "sport", Id: "t4"),
        new("bank shares and profits", "finance", Id: "t5"),
        new("interest rates fell", "finance", Id: "t6"),
    ];

    [Fact]
    public void SeparableCorpusIsClassifiedPerfectly()
    {
        var report = MlNetBaseline.TrainAndEvaluate(Training, Test, new MlNetBaselineOptions(Seed: 1));
        Assert.Equal(["finance", "sport", "weather"], report.Labels.ToArray());
        Assert.Equal(6, report.ExampleCount);
        Assert.Equal(1.0, report.MicroAccuracy);
        Assert.Empty(report.ConfidentMistakes);
        // Perfect arg-max is not perfect confidence: log-loss is positive but well under the
        // uniform guess's ln 3 = 1.0986.
        Assert.InRange(report.LogLoss, 1e-6, 1.0986);
        Assert.All(report.PerClass, c => Assert.Equal(2, c.Support));
        Assert.Equal([2, 0, 0], report.ConfusionMatrix.Counts[0].ToArray());
    }

    [Fact]
    public void SameSeedGivesTheSameReport()
    {
        var first = MlNetBaseline.TrainAndEvaluate(Training, Test, new MlNetBaselineOptions(Seed: 7));
        var second = MlNetBaseline.TrainAndEvaluate(Training, Test, new MlNetBaselineOptions(Seed: 7));
        Assert.Equal(first.ToJson(), second.ToJson());
    }

    [Fact]
    public void UnseenTestLabelIsNamed()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            MlNetBaseline.TrainAndEvaluate(Training, [new ClassificationExample("x", "politics", Id: "p1")]));
        Assert.Contains("politics", ex.Message);
        Assert.Contains("p1", ex.Message);
    }
}
