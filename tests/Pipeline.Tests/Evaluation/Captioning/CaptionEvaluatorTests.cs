// End-to-end evaluation: tokenization, validation, pitfalls (empty, <unk>, single image), JSON.

using Pipeline.Evaluation.Captioning;

namespace Pipeline.Tests.Evaluation.Captioning;

public class CaptionEvaluatorTests
{
    private static IReadOnlyDictionary<string, IReadOnlyList<string>> Refs(params (string Id, string[] Captions)[] items) =>
        items.ToDictionary(i => i.Id, i => (IReadOnlyList<string>)i.Captions);

    [Fact]
    public void PerfectPredictionsTokenizedAndScored()
    {
        var preds = new Dictionary<string, string> { ["1"] = "A dog runs.", ["2"] = "A cat sleeps!" };
        var refs = Refs(("1", ["a dog runs", "A dog is running."]), ("2", ["a cat sleeps"]), ("3", ["unused"]));
        var m = CaptionEvaluator.Evaluate(preds, refs);

        Assert.Equal(2, m.ImageCount);
        Assert.Equal("a dog runs", m.PerImage[0].Candidate);
        // Every candidate equals a reference after tokenization: BLEU-1..3 = 1 (trigrams exist),
        // ROUGE-L = 1.
        Assert.Equal(1.0, m.Bleu1, 8);
        Assert.Equal(1.0, m.Bleu3, 8);
        Assert.Equal(1.0, m.RougeL, 9);
        // METEOR-es of an exact 3-word match: 1 - 0.5 * (1/3)^3 = 0.981481
        Assert.Equal(1 - 0.5 / 27, m.MeteorEs, 9);
        Assert.True(m.CiderD > 0);
        Assert.Equal(7, m.Scores.Count);
        Assert.Contains("METEOR-es", m.Scores.Keys);
    }

    [Fact]
    public void PredictionWithoutReferencesNamesTheImage()
    {
        var preds = new Dictionary<string, string> { ["1"] = "a dog", ["img-42"] = "a cat" };
        var ex = Assert.Throws<ArgumentException>(() => CaptionEvaluator.Evaluate(preds, Refs(("1", ["a dog"]))));
        Assert.Contains("img-42", ex.Message);
    }

    [Fact]
    public void EmptyReferenceListIsRejected()
    {
        var preds = new Dictionary<string, string> { ["7"] = "a dog" };
        var ex = Assert.Throws<ArgumentException>(() => CaptionEvaluator.Evaluate(preds, Refs(("7", []))));
        Assert.Contains("'7'", ex.Message);
    }

    [Fact]
    public void EmptyAndUnknownCandidatesGiveZeroNotNaN()
    {
        var preds = new Dictionary<string, string> { ["1"] = "", ["2"] = "<unk> <unk> <unk>", ["3"] = "a bird flies" };
        var refs = Refs(("1", ["a dog runs"]), ("2", ["a cat sleeps"]), ("3", ["a bird flies"]));
        var m = CaptionEvaluator.Evaluate(preds, refs);
        foreach (var v in m.Scores.Values) Assert.True(double.IsFinite(v));
        foreach (var img in m.PerImage.Take(2))
        {
            Assert.Equal(0.0, img.Bleu1, 6);
            Assert.Equal(0.0, img.MeteorEs);
            Assert.Equal(0.0, img.RougeL);
            Assert.Equal(0.0, img.CiderD);
        }
        Assert.Equal("3", m.Best(1)[0].ImageId);
        Assert.Equal("<unk> <unk> <unk>", m.PerImage[1].Candidate);
    }

    [Fact]
    public void SingleImageWorksAndCiderIsZero()
    {
        var m = CaptionEvaluator.Evaluate(
            new Dictionary<string, string> { ["only"] = "a man rides a horse" },
            Refs(("only", ["a man rides a horse", "a person on a horse"])));
        Assert.Equal(1.0, m.Bleu4, 8); // 0.9999999995: the toolkit's 1e-9 epsilon
        Assert.Equal(0.0, m.CiderD); // idf = 0 for every n-gram when N = 1 (toolkit behaviour)
    }

    [Fact]
    public void IntegerIdsAndListReferencesAreAccepted()
    {
        var preds = new Dictionary<int, string> { [391895] = "a man riding a bike" };
        var refs = new Dictionary<int, List<string>>
        {
            [391895] = ["A man riding a bike.", "A person on a bicycle."],
            [1] = ["ignored: no prediction"],
        };
        var m = CaptionEvaluator.Evaluate(preds, refs);
        Assert.Equal("391895", m.PerImage[0].ImageId);
        Assert.Equal(1.0, m.RougeL, 9);

        var missing = new Dictionary<int, List<string>> { [1] = ["a dog"] };
        var ex = Assert.Throws<ArgumentException>(() => CaptionEvaluator.Evaluate(preds, missing));
        Assert.Contains("391895", ex.Message);
    }

    [Fact]
    public void JsonRoundTrip()
    {
        var m = CaptionEvaluator.Evaluate(
            new Dictionary<string, string> { ["1"] = "a dog runs", ["2"] = "a cat" },
            Refs(("1", ["a dog runs fast"]), ("2", ["a black cat"])));
        string json = m.ToJson();
        Assert.Contains("\"METEOR-es\"", json);
        Assert.Contains("\"CIDEr-D\"", json);
        var back = CaptionMetrics.FromJson(json);
        Assert.Equal(m.Bleu4, back.Bleu4);
        Assert.Equal(m.MeteorEs, back.MeteorEs);
        Assert.Equal(m.CiderD, back.CiderD);
        Assert.Equal(m.PerImage.Length, back.PerImage.Length);
        Assert.Equal(m.PerImage[1], back.PerImage[1]);
    }
}
