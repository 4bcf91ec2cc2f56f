// Regression tests for issue 18 on the dataset readers:
//   7. a line longer than the bound is one reported error (file and line), not gigabytes of memory;
//  11. gzip input is decompressed and read like the plain file (it was reported as "invalid UTF-8");
//      an image listed in two splits (Karpathy JSON or two Flickr split lists) is an error naming both
//      places, and under the skip policy the image is in neither split; FIFOs are refused, not waited on.
using System.IO.Compression;
using System.Text;
using Pipeline.Preprocessing.Datasets;

namespace Pipeline.Preprocessing.Tests.Datasets;

public sealed class DatasetInputSafetyTests : IDisposable
{
    private readonly TempDataset _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Gzip(string relativePath, string content)
    {
        var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            zip.Write(Encoding.UTF8.GetBytes(content));
        return _temp.WriteBytes(relativePath, buffer.ToArray());
    }

    [Fact]
    public void AnOverlongLineIsReportedWithItsFileAndLine()
    {
        var path = _temp.Write("train.tsv", "label\ttext\npos\tgood film\nneg\t" + new string('x', 2 << 20) + "\npos\tgreat plot\n");

        var skipped = ClassificationDatasetLoader.Load(path, new ClassificationLoadOptions(Policy: ErrorPolicy.Skip));
        Assert.Equal(2, skipped.Examples.Count);
        var error = Assert.Single(skipped.Report.Skipped);
        Assert.Equal(3, error.Line);
        Assert.Contains("longer than 1,048,576 bytes", error.Message);

        var failed = Assert.Throws<DatasetFormatException>(() => ClassificationDatasetLoader.Load(path));
        Assert.StartsWith($"{path}:3:", failed.Message);
    }

    [Fact]
    public void GzipFilesAreReadLikeThePlainOnes()
    {
        const string tsv = "label\ttext\npos\tgood film\nneg\tbad plot\n";
        var plain = ClassificationDatasetLoader.Load(_temp.Write("plain.tsv", tsv));
        var zipped = ClassificationDatasetLoader.Load(Gzip("zipped.tsv.gz", tsv));
        Assert.Equal(plain.Examples.Select(e => (e.Label, e.Text)), zipped.Examples.Select(e => (e.Label, e.Text)));

        _temp.Images("a.jpg", "b.jpg");
        var karpathy = """{"images":[{"filename":"a.jpg","split":"train","sentences":[{"raw":"a dog"}]},{"filename":"b.jpg","split":"val","sentences":[{"raw":"a cat"}]}]}""";
        var captions = CaptionDatasetLoader.Load(Gzip("dataset.json.gz", karpathy));
        Assert.Equal(CaptionFormat.KarpathyJson, captions.Format);
        Assert.Equal(["a.jpg", "b.jpg"], captions.Images.Select(i => i.FileName));
    }

    [Fact]
    public void AKarpathyImageInTwoSplitsIsAnErrorAndInNeitherSplitWhenSkipped()
    {
        _temp.Images("a.jpg", "b.jpg");
        var path = _temp.Write("dataset.json", """
        {"images":[
          {"filename":"a.jpg","split":"train","sentences":[{"raw":"a dog runs"}]},
          {"filename":"b.jpg","split":"train","sentences":[{"raw":"a cat sits"}]},
          {"filename":"a.jpg","split":"test","sentences":[{"raw":"a dog runs fast"}]}
        ]}
        """);

        var error = Assert.Throws<DatasetFormatException>(() => CaptionDatasetLoader.Load(path));
        Assert.Contains("image 'a.jpg' is in split train", error.Message);
        Assert.Contains("and in split test", error.Message);

        var skipped = CaptionDatasetLoader.Load(path, new CaptionLoadOptions(Policy: ErrorPolicy.Skip));
        Assert.Equal(["b.jpg"], skipped.Images.Select(i => i.FileName));
        Assert.Single(skipped.Report.Skipped);
    }

    [Fact]
    public void AFlickrImageInTwoSplitListsIsAnError()
    {
        _temp.Images("1.jpg", "2.jpg");
        var tokens = _temp.Write("Flickr8k.token.txt", "1.jpg#0\ta dog\n2.jpg#0\ta cat\n");
        var train = _temp.Write("Flickr_8k.trainImages.txt", "1.jpg\n2.jpg\n");
        var test = _temp.Write("Flickr_8k.testImages.txt", "2.jpg\n");
        var lists = new Dictionary<DatasetSplit, string> { [DatasetSplit.Train] = train, [DatasetSplit.Test] = test };

        var error = Assert.Throws<DatasetFormatException>(() => CaptionDatasetLoader.Load(tokens, new CaptionLoadOptions(SplitLists: lists)));
        Assert.StartsWith($"{test}:1:", error.Message);
        Assert.Contains($"image '2.jpg' is in split train ({train}:2)", error.Message);
    }

    [Fact]
    public void TextLinesSkipAnOverlongLineAndReadGzip()
    {
        var content = "first line\n" + new string('w', 24 << 20) + "\nthird line\n";
        var path = Gzip("corpus.txt.gz", content);
        var skipped = new List<int>();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var lines = Files.TextLines.Read(path, onTooLong: line => skipped.Add(line.Number)).ToList();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(["first line", "third line"], lines);
        Assert.Equal([2], skipped);
        // A few times the 1 MiB line bound (buffers, the decompressor), never the 24 MB line.
        Assert.True(allocated < 8L << 20, $"reading allocated {allocated:N0} bytes for a 24 MB line");
    }

    [UnixFact]
    public void AFifoDatasetIsRefusedInsteadOfBlocking()
    {
        var fifo = SpecialFiles.MakeFifo(Path.Combine(_temp.Root, "train.tsv"));
        var error = Assert.Throws<IOException>(() => ClassificationDatasetLoader.Load(fifo));
        Assert.Contains("FIFO", error.Message);
    }
}
