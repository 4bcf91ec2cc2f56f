// Round trips and format detection of word-vector files (word2vec text/binary, Mikolov et al. 2013; GloVe):
// every format written by WordVectorsWriter must read back bit-exactly and be recognised without a hint.
using Pipeline.Models.Embeddings;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Embeddings;

public sealed class WordVectorsRoundTripTests
{
    private static WordVectors Sample(int words = 7, int dimensions = 5)
    {
        // Values with long mantissas, tiny and huge exponents, negative zero: the hard cases for text floats.
        var generator = new Generator(17);
        var matrix = new float[words * dimensions];
        for (var i = 0; i < matrix.Length; i++)
            matrix[i] = generator.NextNormal() * MathF.Pow(10, generator.NextInt(13) - 6);
        matrix[0] = -0f;
        matrix[1] = float.Epsilon;
        matrix[2] = float.MaxValue;
        string[] vocabulary = ["the", "Café", "naïve", "東京", "don't", "<unk>", "x-ray", "a", "b", "c"];
        return new WordVectors(vocabulary[..words], matrix, dimensions);
    }

    [Theory]
    [InlineData(WordVectorsFormat.Word2VecText)]
    [InlineData(WordVectorsFormat.GloVe)]
    [InlineData(WordVectorsFormat.Word2VecBinary)]
    public void WrittenFilesReadBackExactlyAndAreDetected(WordVectorsFormat format)
    {
        var original = Sample();
        using var file = new TempVectorFile();
        WordVectorsWriter.Write(original, file.Path, format);

        Assert.Equal(format, WordVectorsFormatDetector.Detect(file.Path));
        var result = WordVectorsReader.Read(file.Path);
        Assert.Equal(format, result.Format);
        Assert.Empty(result.Warnings);
        Assert.Equal(original.Words, result.Vectors.Words);
        Assert.Equal(original.Dimensions, result.Vectors.Dimensions);
        // Bit patterns, so -0 vs +0 and the last mantissa bit count.
        Assert.Equal(Bits(original.Matrix), Bits(result.Vectors.Matrix));
    }

    [Fact]
    public void Word2VecTextLooksLikeTheReferenceTool()
    {
        using var file = new TempVectorFile();
        WordVectorsWriter.Write(new WordVectors(["hello", "world"], [0.5f, -1f, 0.25f, 2f], 2), file.Path);
        Assert.Equal("2 2\nhello 0.5 -1\nworld 0.25 2\n", File.ReadAllText(file.Path));
    }

    [Fact]
    public void ParsesTheVariantsOtherToolsWrite()
    {
        // CRLF, a BOM, tab separators, the reference tool's trailing space, exponents, a trailing blank line.
        using var file = TempVectorFile.WithText("\uFEFF2 3\r\nking 1 2 3 \r\nqueen\t1e-3\t-2.5E+2\t0\r\n\r\n");
        var result = WordVectorsReader.Read(file.Path);
        Assert.Equal(WordVectorsFormat.Word2VecText, result.Format);
        Assert.Equal(["king", "queen"], result.Vectors.Words);
        Assert.Equal([1f, 2f, 3f, 1e-3f, -250f, 0f], result.Vectors.Matrix.ToArray());
    }

    [Fact]
    public void GloVeWithoutHeaderIsDetected()
    {
        using var file = TempVectorFile.WithText("the 0.1 0.2\n, -0.3 0.4\n");
        Assert.Equal(WordVectorsFormat.GloVe, WordVectorsFormatDetector.Detect(file.Path));
        var vectors = WordVectorsReader.Read(file.Path).Vectors;
        Assert.Equal(["the", ","], vectors.Words);
        Assert.Equal(2, vectors.Dimensions);
    }

    [Fact]
    public void ALastLineWithoutNewlineIsRead()
    {
        using var file = TempVectorFile.WithText("a 1\nb 2");
        Assert.Equal(["a", "b"], WordVectorsReader.Read(file.Path).Vectors.Words);
    }

    [Theory]
    [InlineData(WordVectorsFormat.Word2VecText)]
    [InlineData(WordVectorsFormat.Word2VecBinary)]
    [InlineData(WordVectorsFormat.GloVe)]
    public void MaxWordsKeepsTheFirstVectors(WordVectorsFormat format)
    {
        using var file = new TempVectorFile();
        WordVectorsWriter.Write(Sample(), file.Path, format);
        var vectors = WordVectorsReader.Read(file.Path, new WordVectorsReadOptions(MaxWords: 3)).Vectors;
        Assert.Equal(["the", "Café", "naïve"], vectors.Words);
        Assert.Equal(Bits(Sample().Matrix[..15]), Bits(vectors.Matrix));
    }

    [Fact]
    public void LongLinesSpanningReadBuffersAreIntact()
    {
        // 3000 dimensions × ~20 characters per value ≫ the 64 KiB read buffer.
        var original = Sample(words: 3, dimensions: 3000);
        using var file = new TempVectorFile();
        WordVectorsWriter.Write(original, file.Path, WordVectorsFormat.GloVe);
        Assert.Equal(Bits(original.Matrix), Bits(WordVectorsReader.Read(file.Path).Vectors.Matrix));
    }

    [Fact]
    public void WordsWithWhitespaceCannotBeWritten()
    {
        using var file = new TempVectorFile();
        var error = Assert.Throws<ArgumentException>(() =>
            WordVectorsWriter.Write(new WordVectors(["new york"], [1f], 1), file.Path));
        Assert.Contains("'new york' contains whitespace", error.Message);
    }

    private static int[] Bits(ReadOnlySpan<float> values)
    {
        var bits = new int[values.Length];
        for (var i = 0; i < values.Length; i++)
            bits[i] = BitConverter.SingleToInt32Bits(values[i]);
        return bits;
    }
}
