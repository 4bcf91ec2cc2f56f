// The on-disk formats of pre-trained word vectors and how to tell them apart. word2vec (Mikolov et al. 2013)
// writes a "count dimensions" header and then either text lines "word v1 … vD" or, in binary mode, the word,
// a space and D little-endian float32 values; GloVe (Pennington et al. 2014) writes the text lines with no
// header. Detection looks only at the first line and the bytes after it, so it is cheap on huge files.
using System.Globalization;

namespace Pipeline.Models.Embeddings;

/// <summary>A word-vector file format.</summary>
public enum WordVectorsFormat
{
    /// <summary>Detect from the content (see <see cref="WordVectorsFormatDetector.Detect(string)"/>).</summary>
    Auto,
    /// <summary>word2vec text: header "count dimensions", then "word v1 … vD" per line.</summary>
    Word2VecText,
    /// <summary>GloVe: "word v1 … vD" per line, no header.</summary>
    GloVe,
    /// <summary>word2vec binary: header line, then per word "word " + D little-endian float32 (+ optional '\n').</summary>
    Word2VecBinary,
}

/// <summary>Guesses the format of a word-vector file from its first bytes.</summary>
public static class WordVectorsFormatDetector
{
    private const int SniffBytes = 1 << 16;

    /// <summary>
    /// A first line of exactly two integers is a word2vec header (a GloVe line needs a word and at least one
    /// value, so "3 50" can only be ambiguous for one-dimensional vectors of numeric words, which we accept);
    /// the file is then binary when the 4·D bytes after the first word are not plain UTF-8 text (zero or
    /// control bytes, invalid sequences). Anything else is GloVe.
    /// </summary>
    public static WordVectorsFormat Detect(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Word-vector file not found: {path}", path);
        var head = new byte[SniffBytes];
        int length;
        using (var stream = File.OpenRead(path))
            length = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return Detect(head.AsSpan(0, length));
    }

    /// <summary>Detects the format from the first bytes of a file (see <see cref="Detect(string)"/>).</summary>
    public static WordVectorsFormat Detect(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("\uFEFF"u8))
            head = head[3..];
        var newline = head.IndexOf((byte)'\n');
        var firstLine = newline >= 0 ? head[..newline] : head;
        if (!TryParseHeader(firstLine, out _, out var dimensions))
            return WordVectorsFormat.GloVe;
        if (newline < 0)
            return WordVectorsFormat.Word2VecText;
        var rest = head[(newline + 1)..];
        var space = rest.IndexOf((byte)' ');
        if (space < 0)
            return WordVectorsFormat.Word2VecText;
        var values = rest[(space + 1)..];
        values = values[..Math.Min(values.Length, 4 * dimensions)];
        return LooksLikeText(values) ? WordVectorsFormat.Word2VecText : WordVectorsFormat.Word2VecBinary;
    }

    // Text is valid UTF-8 without control characters other than tab/CR/LF; D raw float32 values almost always
    // contain a zero or control byte, or a byte sequence that is not UTF-8. A multi-byte character cut off by
    // the end of the window still counts as text.
    private static bool LooksLikeText(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes, out var rune, out var consumed);
            if (status == System.Buffers.OperationStatus.NeedMoreData)
                return true;
            if (status != System.Buffers.OperationStatus.Done)
                return false;
            if (System.Text.Rune.IsControl(rune) && rune.Value is not ('\t' or '\r' or '\n'))
                return false;
            bytes = bytes[consumed..];
        }
        return true;
    }

    /// <summary>Parses "count dimensions" (ASCII, whitespace-separated, count ≥ 0, dimensions ≥ 1).</summary>
    internal static bool TryParseHeader(ReadOnlySpan<byte> line, out int count, out int dimensions)
    {
        count = dimensions = 0;
        Span<char> chars = stackalloc char[64];
        if (line.Length > chars.Length)
            return false;
        for (var i = 0; i < line.Length; i++)
            chars[i] = (char)line[i];
        return TryParseHeader(chars[..line.Length], out count, out dimensions);
    }

    /// <inheritdoc cref="TryParseHeader(ReadOnlySpan{byte}, out int, out int)"/>
    internal static bool TryParseHeader(ReadOnlySpan<char> line, out int count, out int dimensions)
    {
        count = dimensions = 0;
        line = line.Trim();
        var split = line.IndexOfAny(' ', '\t');
        if (split < 0)
            return false;
        var first = line[..split];
        var second = line[split..].Trim();
        return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out count)
            && int.TryParse(second, NumberStyles.None, CultureInfo.InvariantCulture, out dimensions)
            && dimensions >= 1;
    }
}
