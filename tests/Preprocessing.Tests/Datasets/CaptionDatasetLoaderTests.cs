// Tests for caption readers: every format, format detection, split handling, and bad input under both policies.
using System.Text;
using Pipeline.Preprocessing.Datasets;

namespace Pipeline.Preprocessing.Tests.Datasets;

public sealed class CaptionDatasetLoaderTests : IDisposable
{
    private readonly TempDataset _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string Karpathy = """
        {"images": [
          {"filename": "a.jpg", "filepath": "train2014", "split": "train",
           "sentences": [{"raw": "A dog runs.", "tokens": ["a", "dog", "runs"]}, {"raw": "Dog running", "tokens": ["dog", "running"]}]},
          {"filename": "b.jpg", "filepath": "val2014", "split": "restval",
           "sentences": [{"raw": "A cat.", "tokens": ["a", "cat"]}]},
          {"filename": "c.jpg", "filepath": "val2014", "split": "test",
           "sentences": [{"raw": "Two birds.", "tokens": ["two", "birds"]}]}
        ], "dataset": "coco"}
        """;

    [Fact]
    public void ReadsKarpathyJson()
    {
        var path = _temp.Write("dataset_coco.json", Karpathy);
        _temp.Images("train2014/a.jpg", "val2014/b.jpg", "val2014/c.jpg");
        var dataset = CaptionDatasetLoader.Load(path);
        Assert.Equal(CaptionFormat.KarpathyJson, dataset.Format);
        Assert.Equal(["a.jpg", "b.jpg", "c.jpg"], dataset.Images.Select(i => i.FileName));
        Assert.Equal([DatasetSplit.Train, DatasetSplit.RestVal, DatasetSplit.Test], dataset.Images.Select(i => i.Split));
        Assert.Equal(Path.Combine(_temp.Root, "train2014", "a.jpg"), dataset.Images[0].Path);
        Assert.Equal(["a", "dog", "runs"], dataset.Images[0].Captions[0].Tokens);
        Assert.Equal(4, dataset.CaptionCount);
        Assert.Equal(3, dataset.Report.Loaded);
        Assert.Empty(dataset.Report.Skipped);
    }

    [Fact]
    public void MissingImageIsReportedWithLineOrSkipped()
    {
        var path = _temp.Write("dataset_coco.json", Karpathy);
        _temp.Images("train2014/a.jpg", "val2014/c.jpg");
        var error = Assert.Throws<DatasetFormatException>(() => CaptionDatasetLoader.Load(path));
        Assert.Equal((path, 4), (error.Error.File, error.Error.Line));
        Assert.Contains("image file not found", error.Message);
        Assert.StartsWith($"{path}:4:", error.Message);

        var skipped = CaptionDatasetLoader.Load(path, new CaptionLoadOptions(Policy: ErrorPolicy.Skip));
        Assert.Equal(["a.jpg", "c.jpg"], skipped.Images.Select(i => i.FileName));
        Assert.Single(skipped.Report.Skipped);
    }

    [Fact]
    public void MalformedJsonNamesLine()
    {
        var path = _temp.Write("dataset_flickr8k.json", "{\"images\": [\n  {\"filename\": \"a.jpg\", \"sentences\": []},\n  {\"filename\": oops}\n]}");
        var error = Assert.Throws<DatasetFormatException>(() => CaptionDatasetLoader.Load(path, new CaptionLoadOptions(Policy: ErrorPolicy.Skip)));
        Assert.Equal(3, error.Error.Line);
        Assert.Contains("malformed JSON", error.Message);
    }

    [Fact]
    public void InvalidUtf8InJsonNamesLine()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"images\": [\n{\"filename\": \"a.jpg\",\n\"split\": \"train\", \"sentences\": [{\"raw\": \"bad X\"}]}]}");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xC3; // a lead byte followed by '"' is invalid
        var path = _temp.WriteBytes("bad.json", bytes);
        var error = Assert.Throws<DatasetFormatException>(() => CaptionDatasetLoader.Load(path, new CaptionLoadOptions(Format: CaptionFormat.KarpathyJson)));
        Assert.Equal(3, error.Error.Line);
        Assert.Contains("UTF-8", error.Message);
    }

    [Fact]
    public void KarpathyBadEntriesAreSkippedAndListed()
    {
        var path = _temp.Write("k.json", """
            {"images": [
              {"filepath": "x", "split": "train", "sentences": []},
              {"filename": "b.jpg", "split": "holdout", "sentences": [{"raw": "x"}]},
              {"filename": "c.jpg", "split": "train", "sentences": [{"raw": ""}, {"raw": "ok"}]}
            ]}
            """);
        _temp.Images("c.jpg");
        var dataset = CaptionDatasetLoader.Load(path, new CaptionLoadOptions(Policy: ErrorPolicy.Skip));
        Assert.Equal(["c.jpg"], dataset.Images.Select(i => i.FileName));
        Assert.Equal([2, 3, 4], dataset.Report.Skipped.Select(e => e.Line));
        Assert.Contains("filename", dataset.Report.Skipped[0].Message);
        Assert.Contains("unknown split 'holdout'", dataset.Report.Skipped[1].Message);
        Assert.Contains("empty caption", dataset.Report.Skipped[2].Message);
    }

    [Fact]
    public void ReadsCocoWithSplitFromFileName()
    {
        var path = _temp.Write("captions_val2014.json", """
            {"info": {}, "images": [{"id": 42, "file_name": "COCO_val2014_42.jpg"}, {"id": 7, "file_name": "COCO_val2014_7.jpg"}],
             "licenses": [],
             "annotations": [
               {"image_id": 42, "id": 1, "caption": "A man on a horse. "},
               {"image_id": 7, "id": 2, "caption": "A red bus."},
               {"image_id": 42, "id": 3, "caption": "Horse riding."},
               {"image_id": 99, "id": 4, "caption": "Nobody's image."}
             ]}
            """);
        _temp.Images("COCO_val2014_42.jpg", "COCO_val2014_7.jpg");
        var error = Assert.Throws<DatasetFormatException>(() => CaptionDatasetLoader.Load(path));
        Assert.Equal(7, error.Error.Line);
        Assert.Contains("image id 99", error.Message);

        var dataset = CaptionDatasetLoader.Load(path, new CaptionLoadOptions(Policy: ErrorPolicy.Skip));
        Assert.Equal(CaptionFormat.CocoJson, dataset.Format);
        Assert.All(dataset.Images, i => Assert.Equal(DatasetSplit.Validation, i.Split));
        Assert.Equal(["A man on a horse.", "Horse riding."], dataset.Images[0].Captions.Select(c => c.Raw));
        Assert.Single(dataset.Report.Skipped);
        var forced = CaptionDatasetLoader.Load(path, new CaptionLoadOptions(Policy: ErrorPolicy.Skip, Split: DatasetSplit.Test));
        Assert.All(forced.Images, i => Assert.Equal(DatasetSplit.Test, i.Split));
    }

    [Fact]
    public void CocoAnnotationsMayComeBeforeImages()
    {
        var path = _temp.Write("captions.json", """{"annotations": [{"image_id": 1, "caption": "A cat."}], "images": [{"id": 1, "file_name": "c.jpg"}]}""");
        var dataset = CaptionDatasetLoader.Load(path, new CaptionLoadOptions(Format: CaptionFormat.CocoJson, CheckImagesExist: false));
        Assert.Equal("A cat.", Assert.Single(Assert.Single(dataset.Images).Captions).Raw);
    }

    [Fact]
    public void JsonWithoutTheExpectedShapeIsRejected()
    {
        var array = _temp.Write("array.json", "[1, 2]");
        var error = Assert.Throws<DatasetFormatException>(() => CaptionDatasetLoader.Load(array, new CaptionLoadOptions(Format: CaptionFormat.KarpathyJson)));
        Assert.Contains("expected a JSON object", error.Message);
        var noImages = _temp.Write("noimages.json", "{\"dataset\": \"coco\"}");
        error = Assert.Throws<DatasetFormatException>(() => CaptionDatasetLoader.Load(noImages, new CaptionLoadOptions(Format: CaptionFormat.KarpathyJson)));
        Assert.Contains("missing top-level array \"images\"", error.Message);
    }

    [Fact]
    public void ReadsFlickrTokenFileWithSplitLists()
    {
        var path = _temp.Write("Flickr8k.token.txt",
            "1000268201_693b08cb0e.jpg#0\tA child in a pink dress is climbing up a set of stairs .\n" +
            "1000268201_693b08cb0e.jpg#1\tA girl going into a wooden building .\r\n" +
            "1001773457_577c3a7d70.jpg#0\tA black dog and a spotted dog are fighting\n" +
            "\n" +
            "2000000000_bad.jpg\tno hash here\n");
        var train = _temp.Write("Flickr_8k.trainImages.txt", "1000268201_693b08cb0e.jpg\n");
        var test = _temp.Write("Flickr_8k.testImages.txt", "1001773457_577c3a7d70.jpg\nunknown.jpg\n");
        _temp.Images("Images/1000268201_693b08cb0e.jpg", "Images/1001773457_577c3a7d70.jpg");
        var options = new CaptionLoadOptions(ImageRoot: Path.Combine(_temp.Root, "Images"), Policy: ErrorPolicy.Skip,
            SplitLists: new Dictionary<DatasetSplit, string> { [DatasetSplit.Train] = train, [DatasetSplit.Test] = test });
        var dataset = CaptionDatasetLoader.Load(path, options);
        Assert.Equal(CaptionFormat.FlickrToken, dataset.Format);
        Assert.Equal([2, 1], dataset.Images.Select(i => i.Captions.Count));
        Assert.Equal([DatasetSplit.Train, DatasetSplit.Test], dataset.Images.Select(i => i.Split));
        Assert.Equal("A girl going into a wooden building .", dataset.Images[0].Captions[1].Raw);
        Assert.Equal([(path, 5), (test, 2)], dataset.Report.Skipped.Select(e => (e.File, e.Line)));
    }

    [Fact]
    public void FlickrTokenFileFindsItsSplitListsAndImageFolder()
    {
        // The Flickr8k layout as distributed: token file and split lists side by side, photos in a sub-folder.
        var path = _temp.Write("Flickr8k.token.txt",
            "a_1.jpg#0\tA dog runs .\n" + "a_1.jpg#1\tA brown dog .\n" + "b_2.jpg#0\tTwo kids play .\n" + "c_3.jpg#0\tA red car .\n");
        var train = _temp.Write("Flickr_8k.trainImages.txt", "a_1.jpg\n");
        var dev = _temp.Write("Flickr_8k.devImages.txt", "b_2.jpg\n");
        _temp.Write("notes.txt", "not a split list");
        _temp.Images("images/a_1.jpg", "images/b_2.jpg", "images/c_3.jpg");
        var dataset = CaptionDatasetLoader.Load(path);
        Assert.Equal(Path.Combine(_temp.Root, "images"), dataset.ImageRoot);
        Assert.Equal(new Dictionary<DatasetSplit, string> { [DatasetSplit.Train] = train, [DatasetSplit.Validation] = dev }, dataset.SplitLists);
        Assert.Equal([DatasetSplit.Train, DatasetSplit.Validation, DatasetSplit.Unassigned], dataset.Images.Select(i => i.Split));
        Assert.Equal(Path.Combine(_temp.Root, "images", "c_3.jpg"), dataset.Images[2].Path);

        // Lists given explicitly win over the ones beside the file.
        var only = _temp.Write("mine.txt", "c_3.jpg\n");
        var explicitLists = CaptionDatasetLoader.Load(path, new CaptionLoadOptions(SplitLists: new Dictionary<DatasetSplit, string> { [DatasetSplit.Train] = only }));
        Assert.Equal([DatasetSplit.Unassigned, DatasetSplit.Unassigned, DatasetSplit.Train], explicitLists.Images.Select(i => i.Split));
    }

    [Fact]
    public void TwoSplitListsForOneSplitAreAmbiguous()
    {
        var path = _temp.Write("Flickr8k.token.txt", "a_1.jpg#0\tA dog runs .\n");
        _temp.Write("Flickr_8k.trainImages.txt", "a_1.jpg\n");
        _temp.Write("Old_8k.trainImages.txt", "a_1.jpg\n");
        _temp.Images("a_1.jpg");
        var error = Assert.Throws<DatasetFormatException>(() => CaptionDatasetLoader.Load(path));
        Assert.Contains("two Train split lists", error.Message);
        Assert.Contains("--split-list", error.Message);
    }

    [Fact]
    public void ReadsCsvWithHeaderQuotingAndSeveralLinesPerImage()
    {
        var path = _temp.Write("captions.csv",
            "image,caption\n" +
            "a.jpg,\"A dog, running\"\n" +
            "a.jpg,\"He said \"\"hi\"\"\"\n" +
            "b.jpg,\"two\nlines\"\n" +
            "c.jpg,one,too many\n");
        _temp.Images("a.jpg", "b.jpg");
        var dataset = CaptionDatasetLoader.Load(path, new CaptionLoadOptions(Policy: ErrorPolicy.Skip));
        Assert.Equal(CaptionFormat.Delimited, dataset.Format);
        Assert.Equal(["A dog, running", "He said \"hi\""], dataset.Images[0].Captions.Select(c => c.Raw));
        Assert.Equal("two\nlines", dataset.Images[1].Captions[0].Raw);
        var skipped = Assert.Single(dataset.Report.Skipped);
        Assert.Equal(6, skipped.Line);
        Assert.Contains("expected 2", skipped.Message);
    }

    [Fact]
    public void ReadsTsvWithoutHeaderAndReportsInvalidUtf8Line()
    {
        var bytes = Encoding.UTF8.GetBytes("a.jpg\tA dog.\nb.jpg\tBad \u00e9 byte\n").ToList();
        var index = bytes.IndexOf(0xC3);
        bytes.RemoveAt(index + 1); // leaves a truncated 2-byte sequence
        var path = _temp.WriteBytes("caps.tsv", [.. bytes]);
        var error = Assert.Throws<DatasetFormatException>(() => CaptionDatasetLoader.Load(path, new CaptionLoadOptions(CheckImagesExist: false)));
        Assert.Equal(2, error.Error.Line);
        Assert.Contains("invalid UTF-8", error.Message);
    }

    [Fact]
    public void MissingFileThrows()
        => Assert.Throws<FileNotFoundException>(() => CaptionDatasetLoader.Load(Path.Combine(_temp.Root, "nope.json")));

    [Theory]
    [InlineData("captions_train2014.json", DatasetSplit.Train)]
    [InlineData("captions_val2014.json", DatasetSplit.Validation)]
    [InlineData("my-test.tsv", DatasetSplit.Test)]
    [InlineData("captions.tsv", DatasetSplit.Unassigned)]
    public void SplitFromFileName(string name, DatasetSplit expected) => Assert.Equal(expected, CaptionDatasetLoader.SplitFromFileName(name));
}
