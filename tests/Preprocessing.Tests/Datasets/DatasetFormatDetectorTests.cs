// Tests for format detection (extension plus content sniffing) and for forcing a format.
using Pipeline.Preprocessing.Datasets;

namespace Pipeline.Preprocessing.Tests.Datasets;

public sealed class DatasetFormatDetectorTests : IDisposable
{
    private readonly TempDataset _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("dataset_flickr8k.json", """{"images": [{"sentids": [0], "filename": "a.jpg", "sentences": []}]}""", CaptionFormat.KarpathyJson)]
    [InlineData("captions_val2014.json", """{"info": {}, "images": [{"id": 1, "file_name": "a.jpg"}], "annotations": []}""", CaptionFormat.CocoJson)]
    [InlineData("Flickr8k.token.txt", "a.jpg#0\tA dog .\n", CaptionFormat.FlickrToken)]
    [InlineData("results_20130124.token", "1000092795.jpg#0\tTwo young guys .\n", CaptionFormat.FlickrToken)]
    [InlineData("captions.csv", "image,caption\na.jpg,A dog\n", CaptionFormat.Delimited)]
    [InlineData("captions.dat", "a.jpg\tA dog\n", CaptionFormat.Delimited)]
    public void DetectsCaptionFormats(string name, string content, CaptionFormat expected)
        => Assert.Equal(expected, DatasetFormatDetector.DetectCaptions(_temp.Write(name, content)));

    [Fact]
    public void UndetectableCaptionJsonNamesTheFile()
    {
        var path = _temp.Write("other.json", """{"rows": []}""");
        var error = Assert.Throws<DatasetFormatException>(() => CaptionDatasetLoader.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("Force it", error.Message);
    }

    [Theory]
    [InlineData("train.tsv", "ham\thello\n", ClassificationFormat.Delimited)]
    [InlineData("train.csv", "text,label\nhello,ham\n", ClassificationFormat.Delimited)]
    [InlineData("train.txt", "__label__ham hello\n", ClassificationFormat.FastText)]
    [InlineData("train.json", "{\"text\": \"hello\", \"label\": \"ham\"}\n", ClassificationFormat.Jsonl)]
    [InlineData("train.ndjson", "{}\n", ClassificationFormat.Jsonl)]
    public void DetectsClassificationFormats(string name, string content, ClassificationFormat expected)
        => Assert.Equal(expected, DatasetFormatDetector.DetectClassification(_temp.Write(name, content)));

    [Fact]
    public void ForcedFormatOverridesDetection()
    {
        // Detected as fastText, but forced as TSV the same line is one label column and one text column.
        var path = _temp.Write("odd.txt", "__label__x\tsome text\n");
        Assert.Equal(ClassificationFormat.FastText, DatasetFormatDetector.DetectClassification(path));
        var dataset = ClassificationDatasetLoader.Load(path, new ClassificationLoadOptions(Format: ClassificationFormat.Delimited));
        Assert.Equal(("__label__x", "some text"), (dataset.Examples[0].Label, dataset.Examples[0].Text));
    }

    [Theory]
    [InlineData("val", DatasetSplit.Validation)]
    [InlineData("Dev", DatasetSplit.Validation)]
    [InlineData("restval", DatasetSplit.RestVal)]
    [InlineData("holdout", null)]
    public void ParsesSplitNames(string name, DatasetSplit? expected) => Assert.Equal(expected, DatasetFormatDetector.ParseSplit(name));
}
