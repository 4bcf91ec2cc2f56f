// Classify shards are line ranges found by one scan for newlines (ShardInputs.SplitLines) and read back by
// ClassifyInputReader from their byte offset. Whatever the file — with or without a final newline, CRLF,
// empty lines, a BOM, invalid UTF-8, a TSV header — reading every range in order must give exactly the
// items of reading the whole file, with the same line numbers: that is what makes the merged cluster output
// the single-machine one.
using System.Text;
using Pipeline.Classification;
using Pipeline.Cluster;

namespace Pipeline.Tests.Cluster;

public sealed class ShardInputsTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("shard-inputs").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(root, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static TheoryData<string, string> Files => new()
    {
        { "lines.txt", "one\ntwo\nthree\nfour\nfive\nsix\nseven\n" },
        { "no-final-newline.txt", "one\ntwo\nthree\nfour\nfive" },
        { "crlf-and-empty.txt", "\uFEFFone\r\n\r\ntwo\r\nthree\r\n\r\n\r\nfour\r\n" },
        { "single.txt", "only" },
        { "empty.txt", "" },
        { "just-newlines.txt", "\n\n\n" },
        { "header.tsv", "id\ttext\na\tfirst text\nb\tsecond\n\tno id\nc\n d\tfifth\ne\tsixth\n" },
        { "header.csv", "text,id\n\"quoted, with comma\",1\nplain,2\n\"unclosed,3\nlast,4" },
        { "records.jsonl", "{\"text\":\"a\"}\n{\"text\":1}\nnot json\n{\"id\":\"x\",\"text\":\"b\"}\n" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void RangesReadBackAsTheWholeFile(string name, string content)
    {
        var path = Write(name, Encoding.UTF8.GetBytes(content));
        var whole = ClassifyInputReader.Read(path).ToList();
        foreach (int size in new[] { 1, 2, 3, 7, 1000 })
        {
            var ranges = ShardInputs.SplitLines(path, size).ToList();
            Assert.All(ranges.SkipLast(1), r => Assert.Equal(size, r.Count));
            Assert.Equal(Enumerable.Range(0, ranges.Count).Select(i => 1 + i * size), ranges.Select(r => r.FirstLine));
            var pieces = ranges.SelectMany(r => ClassifyInputReader.Read(path, r)).ToList();
            Assert.Equal(whole, pieces);
        }
    }

    [Fact]
    public void InvalidUtf8StaysOneErrorItemInItsRange()
    {
        var bytes = new List<byte>();
        for (int line = 1; line <= 9; line++)
        {
            if (line == 5) bytes.AddRange([0x67, 0xC3, 0x28]);
            else bytes.AddRange(Encoding.UTF8.GetBytes($"text {line}"));
            bytes.Add((byte)'\n');
        }
        var path = Write("broken.txt", bytes.ToArray());
        var ranges = ShardInputs.SplitLines(path, 4).ToList();
        Assert.Equal([new(0, 1, 4), new(28, 5, 4), new(53, 9, 1)], ranges);   // "text N\n" is 7 bytes, the broken line 4
        var second = ClassifyInputReader.Read(path, ranges[1]).ToList();
        Assert.Equal([5, 6, 7, 8], second.Select(l => l.LineNumber));
        Assert.Equal("line 5: invalid UTF-8", second[0].Error);
        Assert.Equal("text 6", second[1].Text);
    }

    [Fact]
    public void CaptionItemsRoundTripInOrder()
    {
        var path = Path.Combine(root, "items.jsonl");
        (string, string)[] items = [("/data/a b/1.png", "1"), ("/data/\"quoted\".jpg", "\"quoted\""), ("/data/tab\there.png", "x/y")];
        ShardInputs.WriteCaptionItems(path, items);
        Assert.Equal(items, ShardInputs.ReadCaptionItems(path));
    }
}
