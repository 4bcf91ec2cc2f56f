// Reads the binary format of the original word2vec tool (Mikolov et al. 2013): an ASCII header line
// "count dimensions\n", then per word its UTF-8 bytes, one space, and `dimensions` little-endian float32
// values, usually followed by '\n'. There are no lines to point at, so errors name the record number and
// byte offset instead; the checks mirror the text reader (count mismatch, truncation, non-finite values,
// invalid UTF-8, duplicates as warnings).
using System.Buffers.Binary;
using System.Text;

namespace Pipeline.Models.Embeddings;

/// <summary>Reader of word2vec binary vector files.</summary>
internal static class WordVectorsBinaryReader
{
    // The reference tool caps words at 100 bytes; allow more but stop before a garbage file eats memory.
    private const int MaxWordBytes = 4096;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static WordVectorsReadResult Read(string path, int? maxWords)
    {
        using var stream = new BufferedStream(File.OpenRead(path), 1 << 16);
        var header = ReadHeader(stream, path);
        if (!WordVectorsFormatDetector.TryParseHeader(header, out var count, out var dimensions))
            throw new FormatException($"{path}:1: expected the word2vec header 'count dimensions' (two integers, dimensions ≥ 1), found '{WordVectorsReader.Shorten(Encoding.Latin1.GetString(header))}'.");
        var toRead = maxWords is { } limit ? Math.Min(limit, count) : count;
        var collector = new WordVectorsCollector(path, byRecord: true);
        var wordBytes = new List<byte>(64);
        var valueBytes = new byte[4 * dimensions];
        var offset = (long)header.Length + 1;
        for (var record = 1; collector.Count < toRead && record <= count; record++)
        {
            var recordOffset = offset;
            var word = ReadWord(stream, path, record, count, wordBytes, ref offset);
            var read = stream.ReadAtLeast(valueBytes, valueBytes.Length, throwOnEndOfStream: false);
            offset += read;
            if (read < valueBytes.Length)
                throw new FormatException($"{path}: record {record} of {count} ('{WordVectorsReader.Shorten(word)}', byte {recordOffset}) ends after {read / 4} of {dimensions} values (truncated file?).");
            var vector = collector.Begin(word, record, dimensions);
            for (var i = 0; i < dimensions; i++)
            {
                var value = BinaryPrimitives.ReadSingleLittleEndian(valueBytes.AsSpan(4 * i, 4));
                if (!float.IsFinite(value))
                    throw new FormatException($"{path}: record {record} ('{WordVectorsReader.Shorten(word)}', byte {recordOffset}): value {i + 1} is not a finite number ({value}).");
                vector[i] = value;
            }
            collector.Commit();
        }
        if (collector.Count == 0)
            throw new FormatException($"{path}: no word vectors found (header declares {count}).");
        return new WordVectorsReadResult(collector.Build(), WordVectorsFormat.Word2VecBinary, collector.Warnings);
    }

    private static byte[] ReadHeader(Stream stream, string path)
    {
        var bytes = new List<byte>(32);
        while (true)
        {
            var b = stream.ReadByte();
            if (b < 0)
                throw new FormatException($"{path}:1: the file ends inside the header; expected 'count dimensions' and a newline.");
            if (b == '\n')
                return [.. bytes];
            if (bytes.Count >= 64)
                throw new FormatException($"{path}:1: the first line is not a word2vec header 'count dimensions'.");
            bytes.Add((byte)b);
        }
    }

    // Reads "word " after skipping the '\n' (and any other whitespace) the writer put after the previous vector.
    private static string ReadWord(Stream stream, string path, int record, int count, List<byte> bytes, ref long offset)
    {
        bytes.Clear();
        while (true)
        {
            var b = stream.ReadByte();
            if (b < 0)
            {
                throw new FormatException(bytes.Count == 0
                    ? $"{path}: the header on line 1 declares {count} vectors but the file ends after {record - 1} (truncated?)."
                    : $"{path}: record {record} (byte {offset}) ends inside its word (truncated file?).");
            }
            offset++;
            if (b == ' ')
            {
                if (bytes.Count > 0)
                    break;
                continue;
            }
            if (b is '\n' or '\r' or '\t' && bytes.Count == 0)
                continue;
            if (bytes.Count >= MaxWordBytes)
                throw new FormatException($"{path}: record {record} (byte {offset}): no space after {MaxWordBytes} bytes of word; is this really a word2vec binary file?");
            bytes.Add((byte)b);
        }
        try
        {
            return StrictUtf8.GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException ex)
        {
            throw new FormatException($"{path}: record {record} (byte {offset - bytes.Count - 1}): the word is not valid UTF-8 (0x{Convert.ToHexString(bytes.ToArray())}).", ex);
        }
    }
}
