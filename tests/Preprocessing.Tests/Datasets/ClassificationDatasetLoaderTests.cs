// Tests for classification readers: TSV/CSV (header, column order, RFC 4180 quoting), fastText, JSONL,
// folders, detection, and bad input (wrong column count, invalid UTF-8, empty text, malformed JSON).
using System.Text;
using Pipeline.Preprocessing.Datasets;

namespace Pipeline.Preprocessing.Tests.Datasets;

public sealed class ClassificationDatasetLoaderTests : IDisposable
{
    private readonly TempDataset _temp = new();

    public void Dispose() => _temp.Dispose();

    private static ClassificationDataset Load(string path, ErrorPolicy policy = ErrorPolicy.Fail)
        => ClassificationDatasetLoader.Load(path, new ClassificationLoadOptions(Policy: policy));

    [Fact]
    public void ReadsTsvWithoutHeader()
    {
        var path = _temp.Write("train.tsv", "spam\tWin money now\nham\tLunch at noon?\n\nham\tSee you\n");
        var dataset = Load(path);
        Assert.Equal(ClassificationFormat.Delimited, dataset.Format);
        Assert.Equal(["spam", "ham", "ham"], dataset.Examples.Select(e => e.Label));
        Assert.Equal([1, 2, 4], dataset.Examples.Select(e => e.Line));
        Assert.Equal(["ham", "spam"], dataset.Labels);
    }

    [Fact]
    public void ReadsCsvWithHeaderInTextLabelOrderAndQuoting()
    {
        var path = _temp.Write("data.csv",
            "id,text,label\n" +
            "1,\"Hello, \"\"world\"\"\",greeting\n" +
            "2,\"multi\nline, text\",other\n" +
            "3,plain,greeting\n");
        var dataset = Load(path);
        Assert.Equal(["Hello, \"world\"", "multi\nline, text", "plain"], dataset.Examples.Select(e => e.Text));
        Assert.Equal(["greeting", "other", "greeting"], dataset.Examples.Select(e => e.Label));
        Assert.Equal(["1", "2", "3"], dataset.Examples.Select(e => e.Id));
        Assert.Equal([2, 3, 5], dataset.Examples.Select(e => e.Line));
    }

    [Fact]
    public void WrongColumnCountNamesFileAndLine()
    {
        var path = _temp.Write("bad.tsv", "label\ttext\nham\tok\nham\tone\textra\nspam\n");
        var error = Assert.Throws<DatasetFormatException>(() => Load(path));
        Assert.StartsWith($"{path}:3:", error.Message);
        Assert.Contains("found 3 fields; expected 2", error.Message);

        var dataset = Load(path, ErrorPolicy.Skip);
        Assert.Single(dataset.Examples);
        Assert.Equal([3, 4], dataset.Report.Skipped.Select(e => e.Line));
        Assert.Equal("1 loaded, 2 skipped", dataset.Report.ToString());
    }

    [Fact]
    public void UnterminatedQuoteAndStrayCharactersAreReported()
    {
        var path = _temp.Write("q.csv", "label,text\na,\"closed\"x\nb,fine\nc,\"never closed\n");
        var dataset = Load(path, ErrorPolicy.Skip);
        Assert.Equal(["fine"], dataset.Examples.Select(e => e.Text));
        Assert.Equal([2, 4], dataset.Report.Skipped.Select(e => e.Line));
        Assert.Contains("after a closing quote", dataset.Report.Skipped[0].Message);
        Assert.Contains("unterminated", dataset.Report.Skipped[1].Message);
    }

    [Fact]
    public void InvalidUtf8AndEmptyTextAreReportedWithLines()
    {
        var bytes = new List<byte>(Encoding.UTF8.GetBytes("ham\tgood\nspam\tbad "));
        bytes.Add(0xFF);
        bytes.AddRange(Encoding.UTF8.GetBytes("\nham\t   \nspam\tfine\n"));
        var path = _temp.WriteBytes("enc.tsv", [.. bytes]);
        var error = Assert.Throws<DatasetFormatException>(() => Load(path));
        Assert.Equal(2, error.Error.Line);
        Assert.Contains("invalid UTF-8", error.Message);

        var dataset = Load(path, ErrorPolicy.Skip);
        Assert.Equal(["good", "fine"], dataset.Examples.Select(e => e.Text));
        Assert.Equal([2, 3], dataset.Report.Skipped.Select(e => e.Line));
        Assert.Contains("empty text", dataset.Report.Skipped[1].Message);
    }

    [Fact]
    public void ReadsFastTextKeepingTheFirstLabel()
    {
        var path = _temp.Write("train.txt", "__label__sports __label__news Team wins cup\n__label__tech New phone\nno label here\n");
        var dataset = Load(path, ErrorPolicy.Skip);
        Assert.Equal(ClassificationFormat.FastText, dataset.Format);
        Assert.Equal([("sports", "Team wins cup"), ("tech", "New phone")], dataset.Examples.Select(e => (e.Label, e.Text)));
        Assert.Equal(3, Assert.Single(dataset.Report.Skipped).Line);
    }

    [Fact]
    public void ReadsJsonlWithConfigurableFields()
    {
        var path = _temp.Write("data.jsonl", "{\"body\": \"Great film\", \"stars\": 5, \"id\": \"r1\"}\n{\"body\": \"Awful\", \"stars\": 1}\n{\"body\": broken}\n{\"stars\": 3}\n");
        var options = new ClassificationLoadOptions(Policy: ErrorPolicy.Skip, TextField: "body", LabelField: "stars");
        var dataset = ClassificationDatasetLoader.Load(path, options);
        Assert.Equal(ClassificationFormat.Jsonl, dataset.Format);
        Assert.Equal([("5", "Great film", "r1"), ("1", "Awful", null)], dataset.Examples.Select(e => (e.Label, e.Text, e.Id)));
        Assert.Equal([3, 4], dataset.Report.Skipped.Select(e => e.Line));
        Assert.Contains("malformed JSON", dataset.Report.Skipped[0].Message);

        var error = Assert.Throws<DatasetFormatException>(() => ClassificationDatasetLoader.Load(path, options with { Policy = ErrorPolicy.Fail }));
        Assert.StartsWith($"{path}:3:", error.Message);
    }

    [Fact]
    public void ReadsFolderPerClass()
    {
        _temp.Write("corpus/pos/b.txt", "Loved it");
        _temp.Write("corpus/pos/a.txt", "Nice");
        _temp.Write("corpus/neg/x.txt", "Boring");
        _temp.Write("corpus/neg/empty.txt", " ");
        _temp.WriteBytes("corpus/neg/bin.txt", [0x41, 0x0A, 0xFE]);
        var dataset = Load(Path.Combine(_temp.Root, "corpus"), ErrorPolicy.Skip);
        Assert.Equal(ClassificationFormat.Folder, dataset.Format);
        Assert.Equal([("neg", "Boring"), ("pos", "Nice"), ("pos", "Loved it")], dataset.Examples.Select(e => (e.Label, e.Text)));
        Assert.Equal(2, dataset.Report.Skipped.Count);
        Assert.Equal(2, dataset.Report.Skipped.Single(e => e.File.EndsWith("bin.txt")).Line);
    }

    [Fact]
    public void MissingInputsThrow()
    {
        Assert.Throws<FileNotFoundException>(() => Load(Path.Combine(_temp.Root, "missing.tsv")));
        Assert.Throws<DirectoryNotFoundException>(() => ClassificationDatasetLoader.Load(Path.Combine(_temp.Root, "nodir"), new ClassificationLoadOptions(Format: ClassificationFormat.Folder)));
    }
}
