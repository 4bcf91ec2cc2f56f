// score-captions: predictions in each supported file format line up with references by id, annotation
// file name or path, and mismatches are errors that name the offending key.
using Pipeline.Evaluation.Captioning;
using Pipeline.Preprocessing.Datasets;

namespace Pipeline.Tests.Evaluation.Captioning;

public sealed class CaptionScoringTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("score-captions").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    private CaptionDataset References()
    {
        var path = Path.Combine(dir, "dataset.json");
        File.WriteAllText(path, """
        {"images":[
          {"filename":"a.png","cocoid":42,"split":"test","sentences":[{"raw":"a red circle left of a blue square"},{"raw":"red circle and blue square"}]},
          {"filename":"b.png","cocoid":7,"split":"test","sentences":[{"raw":"a small green star"}]},
          {"filename":"c.png","cocoid":9,"split":"train","sentences":[{"raw":"two yellow triangles"}]}
        ]}
        """);
        return CaptionDatasetLoader.Load(path, new CaptionLoadOptions(CheckImagesExist: false));
    }

    [Fact]
    public void EveryFormatMatchesAndPerfectCaptionsScoreOne()
    {
        var refs = References();
        File.WriteAllText(Path.Combine(dir, "p.jsonl"), "{\"image\":\"/some/folder/a.png\",\"caption\":\"a red circle left of a blue square\"}\n{\"image\":\"b.png\",\"caption\":\"a small green star\"}\n");
        File.WriteAllText(Path.Combine(dir, "p.csv"), "image,caption,score\n/x/a.png,\"a red circle left of a blue square\",-1.5\nb.png,a small green star,-0.2\n");
        File.WriteAllText(Path.Combine(dir, "p.json"), "[{\"image_id\":42,\"caption\":\"a red circle left of a blue square\"},{\"image_id\":7,\"caption\":\"a small green star\"}]");
        foreach (var name in new[] { "p.jsonl", "p.csv", "p.json" })
        {
            var result = CaptionScoring.Score(CaptionPredictionsReader.Read(Path.Combine(dir, name)), refs, DatasetSplit.Test);
            Assert.Equal(2, result.Matched);
            Assert.Equal(2, result.ReferenceImages);
            Assert.True(result.Metrics.Bleu1 > 0.999, $"{name}: BLEU-1 {result.Metrics.Bleu1}");
            Assert.True(result.Metrics.RougeL > 0.999, $"{name}: ROUGE-L {result.Metrics.RougeL}");
        }
    }

    [Fact]
    public void UnknownKeysAndDuplicatesAreErrors()
    {
        var refs = References();
        var ex = Assert.Throws<InvalidDataException>(() => CaptionScoring.Score([new("zzz.png", "x")], refs));
        Assert.Contains("zzz.png", ex.Message);
        var split = Assert.Throws<InvalidDataException>(() => CaptionScoring.Score([new("c.png", "two yellow triangles")], refs, DatasetSplit.Test));
        Assert.Contains("split Test", split.Message);
        var dup = Assert.Throws<InvalidDataException>(() => CaptionScoring.Score([new("a.png", "x"), new("42", "y")], refs));
        Assert.Contains("two predictions", dup.Message);
    }

    [Fact]
    public void MalformedFilesNameTheLine()
    {
        var path = Path.Combine(dir, "bad.jsonl");
        File.WriteAllText(path, "{\"image\":\"a.png\",\"caption\":\"ok\"}\n{\"image\":\"b.png\"}\n");
        var ex = Assert.Throws<InvalidDataException>(() => CaptionPredictionsReader.Read(path));
        Assert.Contains("bad.jsonl:2", ex.Message);
        Assert.Contains("no caption", ex.Message);
    }

    // Issue 18, item 11: a reference image without any caption is named as such, not as an unknown image.
    [Fact]
    public void APredictionForAReferenceImageWithoutCaptionsSaysSo()
    {
        var path = Path.Combine(dir, "refs.json");
        File.WriteAllText(path, """
        {"images":[
          {"filename":"a.png","split":"test","sentences":[{"raw":"a red circle"}]},
          {"filename":"empty.png","split":"test","sentences":[]}
        ]}
        """);
        var refs = CaptionDatasetLoader.Load(path, new CaptionLoadOptions(CheckImagesExist: false, Policy: ErrorPolicy.Skip));
        var predictions = new[] { new CaptionPrediction("/x/a.png", "a red circle"), new CaptionPrediction("/x/empty.png", "a blue square") };

        var error = Assert.Throws<InvalidDataException>(() => CaptionScoring.Score(predictions, refs));

        Assert.Contains("reference image 'empty.png'", error.Message);
        Assert.Contains("has no reference caption", error.Message);
        Assert.DoesNotContain("match no reference image", error.Message);
    }

    [Fact]
    public void TsvPredictionsAreUnescapedLikeTheWriterEscapesThem()
    {
        File.WriteAllText(Path.Combine(dir, "p.tsv"), "image\tcaption\n" + @"/x/a\\b.png" + "\t" + @"a red\tcircle" + "\n");
        var read = CaptionPredictionsReader.Read(Path.Combine(dir, "p.tsv"));
        Assert.Equal(@"/x/a\b.png", read[0].Key);
        Assert.Equal("a red\tcircle", read[0].Caption);
    }
}
