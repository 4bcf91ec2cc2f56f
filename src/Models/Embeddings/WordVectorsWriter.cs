// Writes word vectors in the formats WordVectorsReader reads: word2vec text or binary (Mikolov et al. 2013)
// and GloVe (Pennington et al. 2014). Values are written in the shortest form that parses back to the same
// float32 (invariant culture), so text files round-trip exactly; words must not contain whitespace, which
// would change the number of fields on a line.
using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Pipeline.Models.Embeddings;

/// <summary>Writes word2vec text, GloVe and word2vec binary files.</summary>
public static class WordVectorsWriter
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes <paramref name="vectors"/> to <paramref name="path"/> in <paramref name="format"/> (Auto means word2vec text).</summary>
    public static void Write(WordVectors vectors, string path, WordVectorsFormat format = WordVectorsFormat.Word2VecText)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(path);
        if (!Enum.IsDefined(format))
            throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown word-vector format.");
        foreach (var word in vectors.Words)
        {
            if (word.AsSpan().IndexOfAny(" \t\n\r") >= 0)
                throw new ArgumentException($"Word '{word}' contains whitespace and cannot be written as a word-vector line.", nameof(vectors));
        }
        using var stream = File.Create(path);
        if (format == WordVectorsFormat.Word2VecBinary)
            WriteBinary(vectors, stream);
        else
            WriteText(vectors, stream, withHeader: format != WordVectorsFormat.GloVe);
    }

    private static void WriteText(WordVectors vectors, Stream stream, bool withHeader)
    {
        using var writer = new StreamWriter(stream, Utf8NoBom, 1 << 16) { NewLine = "\n" };
        if (withHeader)
            writer.WriteLine($"{vectors.Count} {vectors.Dimensions}");
        Span<char> number = stackalloc char[32];
        for (var row = 0; row < vectors.Count; row++)
        {
            writer.Write(vectors.Words[row]);
            foreach (var value in vectors.GetRow(row))
            {
                writer.Write(' ');
                // "R"-equivalent: .NET's default float formatting is the shortest round-trippable string.
                value.TryFormat(number, out var written, provider: CultureInfo.InvariantCulture);
                writer.Write(number[..written]);
            }
            writer.WriteLine();
        }
    }

    private static void WriteBinary(WordVectors vectors, Stream stream)
    {
        using var buffered = new BufferedStream(stream, 1 << 16);
        buffered.Write(Encoding.ASCII.GetBytes($"{vectors.Count} {vectors.Dimensions}\n"));
        Span<byte> value = stackalloc byte[4];
        for (var row = 0; row < vectors.Count; row++)
        {
            buffered.Write(Utf8NoBom.GetBytes(vectors.Words[row]));
            buffered.WriteByte((byte)' ');
            foreach (var component in vectors.GetRow(row))
            {
                BinaryPrimitives.WriteSingleLittleEndian(value, component);
                buffered.Write(value);
            }
            buffered.WriteByte((byte)'\n');
        }
    }
}
