// Tests for SpamAssassinConverter on a small synthetic corpus in the npm package's layout.
using Pipeline.Preprocessing.Datasets;

namespace Pipeline.Preprocessing.Tests.Datasets;

public sealed class SpamAssassinConverterTests : IDisposable
{
    private readonly TempDataset _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ExtractsSubjectAndBodyWithoutHeaders()
    {
        const string raw = "From: a@b.c\nSubject: Cheap\n  pills\nX-Mailer: x\n\n<html><b>Buy</b>\tnow\n\n\"today\"</html>\n";
        Assert.Equal("Cheap pills Buy now \"today\"", SpamAssassinConverter.ExtractText(raw));
    }

    [Fact]
    public void WritesStratifiedSplitsThatTheTsvReaderLoads()
    {
        for (var i = 0; i < 40; i++)
        {
            var group = i < 30 ? "easy-ham-1" : "spam-2";
            var text = $"From: x\\nSubject: Message {i}\\n\\nBody \\\"{i}\\\"\\twith tab";
            _temp.Write($"data/{group}/{i:D5}.json", $"{{\"id\":\"{i:D5}\",\"group\":\"{group}\",\"text\":\"{text}\"}}");
        }
        _temp.Write("data/file_list.json", "[\"a\"]");
        var output = Path.Combine(_temp.Root, "tsv");
        var report = SpamAssassinConverter.Convert(Path.Combine(_temp.Root, "data"), output);
        Assert.Empty(report.Skipped);
        Assert.Equal(24, report.Counts[("train.tsv", "ham")]);
        Assert.Equal(8, report.Counts[("train.tsv", "spam")]);
        Assert.Equal(3, report.Counts[("test.tsv", "ham")]);

        var train = ClassificationDatasetLoader.Load(Path.Combine(output, "train.tsv"));
        Assert.Equal(32, train.Examples.Count);
        Assert.Contains(train.Examples, e => e.Text.StartsWith("Message ", StringComparison.Ordinal) && e.Text.Contains("\"") && e.Text.EndsWith("with tab", StringComparison.Ordinal));
        var again = SpamAssassinConverter.Convert(Path.Combine(_temp.Root, "data"), Path.Combine(_temp.Root, "tsv2"));
        Assert.Equal(File.ReadAllText(Path.Combine(output, "valid.tsv")), File.ReadAllText(Path.Combine(_temp.Root, "tsv2", "valid.tsv")));
        Assert.Equal(report.Counts, again.Counts);
    }
}
