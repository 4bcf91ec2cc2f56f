// Every kind of damaged word-vector file (word2vec, Mikolov et al. 2013; GloVe) must fail with a message that
// names the file and the line (or binary record) and says what was expected; duplicates are warnings.
using System.Text;
using Pipeline.Models.Embeddings;

namespace Pipeline.Models.Tests.Embeddings;

public sealed class WordVectorsMalformedInputTests
{
    [Theory]
    [InlineData("2 3\na 1 2 3\nb 1 2\n", ":3: 'b' has 2 values, expected 3 (from the header on line 1)")]
    [InlineData("2 3\na 1 2 3\nb 1 2 3 4\n", ":3: 'b' has 4 values, expected 3 (from the header on line 1)")]
    [InlineData("a 1 2 3\nb 1 2 3\nc 1 2\n", ":3: 'c' has 2 values, expected 3 (from line 1)")]
    [InlineData("a 1 2\n\nb 1 2 3\n", ":3: 'b' has 3 values, expected 2 (from line 1)")]
    [InlineData("a\nb 1\n", ":1: 'a' has no values")]
    [InlineData("2 2\na 1 x\nb 1 2\n", ":2: value 2 of 'a' is not a finite number: 'x'")]
    [InlineData("a 1 1,5\n", ":1: value 2 of 'a' is not a finite number: '1,5'")]
    [InlineData("a 1 NaN\n", ":1: value 2 of 'a' is not a finite number: 'NaN'")]
    [InlineData("a 1 1e99\n", ":1: value 2 of 'a' is not a finite number: '1e99'")]
    [InlineData("3 2\na 1 2\nb 3 4\n", ": the header on line 1 declares 3 vectors but the file has 2 (truncated?)")]
    [InlineData("1 2\na 1 2\nb 3 4\n", ":3: more vectors than the 1 declared in the header on line 1")]
    [InlineData("", ": the file is empty")]
    [InlineData("\n\n", ": no word vectors found")]
    public void MalformedTextNamesFileLineAndProblem(string content, string expected)
    {
        using var file = TempVectorFile.WithText(content);
        var error = Assert.Throws<FormatException>(() => WordVectorsReader.Read(file.Path));
        Assert.StartsWith(file.Path + expected, error.Message);
    }

    [Fact]
    public void AForcedWord2VecFormatNeedsAHeader()
    {
        using var file = TempVectorFile.WithText("the 1 2\n");
        var error = Assert.Throws<FormatException>(() =>
            WordVectorsReader.Read(file.Path, new WordVectorsReadOptions(WordVectorsFormat.Word2VecText)));
        Assert.Equal($"{file.Path}:1: expected the word2vec header 'count dimensions' (two integers, dimensions ≥ 1), found 'the 1 2'.", error.Message);
    }

    [Fact]
    public void InvalidUtf8NamesTheLineAndByte()
    {
        // "café" in Latin-1: 0xE9 is not valid UTF-8 on its own.
        var bytes = Encoding.ASCII.GetBytes("a 1\ncaf").Concat(new byte[] { 0xE9 }).Concat(Encoding.ASCII.GetBytes(" 2\n")).ToArray();
        using var file = TempVectorFile.WithBytes(bytes, ".txt");
        var error = Assert.Throws<FormatException>(() => WordVectorsReader.Read(file.Path));
        Assert.Equal($"{file.Path}:2: invalid UTF-8 at byte 4 of the line (0xE9); word-vector files must be UTF-8.", error.Message);
    }

    [Fact]
    public void DuplicateWordsKeepTheFirstVectorAndAreReported()
    {
        using var file = TempVectorFile.WithText("3 1\nx 1\ny 2\nx 3\n");
        var result = WordVectorsReader.Read(file.Path);
        Assert.Equal(["x", "y"], result.Vectors.Words);
        Assert.Equal([1f, 2f], result.Vectors.Matrix.ToArray());
        Assert.Equal([$"{file.Path}:4: duplicate word 'x' (first at line 2); kept the first vector."], result.Warnings);
    }

    [Fact]
    public void MissingFileIsReportedByPath()
    {
        var error = Assert.Throws<FileNotFoundException>(() => WordVectorsReader.Read("/no/such/vectors.txt"));
        Assert.Contains("/no/such/vectors.txt", error.Message);
    }

    [Fact]
    public void TruncatedBinaryNamesTheRecord()
    {
        var bytes = Binary("2 2\n", ("a", [1f, 2f]), ("b", [3f]));
        using var file = TempVectorFile.WithBytes(bytes);
        var error = Assert.Throws<FormatException>(() => WordVectorsReader.Read(file.Path));
        Assert.Equal($"{file.Path}: record 2 of 2 ('b', byte 14) ends after 1 of 2 values (truncated file?).", error.Message);
    }

    [Fact]
    public void BinaryWithFewerRecordsThanTheHeaderFails()
    {
        using var file = TempVectorFile.WithBytes(Binary("3 1\n", ("a", [1f]), ("b", [2f])));
        var error = Assert.Throws<FormatException>(() => WordVectorsReader.Read(file.Path, new WordVectorsReadOptions(WordVectorsFormat.Word2VecBinary)));
        Assert.Equal($"{file.Path}: the header on line 1 declares 3 vectors but the file ends after 2 (truncated?).", error.Message);
    }

    [Fact]
    public void BinaryNonFiniteValuesAndBadWordsFail()
    {
        using (var file = TempVectorFile.WithBytes(Binary("1 2\n", ("a", [1f, float.NaN]))))
        {
            var error = Assert.Throws<FormatException>(() => WordVectorsReader.Read(file.Path));
            Assert.Equal($"{file.Path}: record 1 ('a', byte 4): value 2 is not a finite number (NaN).", error.Message);
        }
        var latin1 = Encoding.ASCII.GetBytes("1 1\n").Concat(new byte[] { 0xE9, (byte)' ' }).Concat(BitConverter.GetBytes(1f)).ToArray();
        using (var file = TempVectorFile.WithBytes(latin1))
        {
            var error = Assert.Throws<FormatException>(() => WordVectorsReader.Read(file.Path, new WordVectorsReadOptions(WordVectorsFormat.Word2VecBinary)));
            Assert.Equal($"{file.Path}: record 1 (byte 4): the word is not valid UTF-8 (0xE9).", error.Message);
        }
    }

    [Fact]
    public void BinaryDuplicatesAreReportedByRecord()
    {
        using var file = TempVectorFile.WithBytes(Binary("2 1\n", ("a", [1f]), ("a", [2f])));
        var result = WordVectorsReader.Read(file.Path);
        Assert.Equal([1f], result.Vectors.Matrix.ToArray());
        Assert.Equal([$"{file.Path}: record 2: duplicate word 'a' (first at record 1); kept the first vector."], result.Warnings);
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WordVectorsReader.Read("x", new WordVectorsReadOptions(MaxWords: 0)));
    }

    // Builds a word2vec binary file by hand (header, then "word " + little-endian floats + '\n' per record).
    private static byte[] Binary(string header, params (string Word, float[] Values)[] records)
    {
        var bytes = new List<byte>(Encoding.ASCII.GetBytes(header));
        foreach (var (word, values) in records)
        {
            bytes.AddRange(Encoding.UTF8.GetBytes(word + " "));
            foreach (var value in values)
                bytes.AddRange(BitConverter.GetBytes(value));
            bytes.Add((byte)'\n');
        }
        // Drop the final newline so truncation cases end mid-record.
        bytes.RemoveAt(bytes.Count - 1);
        return [.. bytes];
    }
}
