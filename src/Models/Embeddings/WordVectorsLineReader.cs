// Line-by-line reading of word-vector text files (word2vec text / GloVe formats, Mikolov et al. 2013 and
// Pennington et al. 2014) with strict UTF-8: StreamReader silently replaces invalid bytes with U+FFFD,
// which would merge distinct words and hide a file that is really Latin-1 or binary. Reading raw bytes and
// decoding each line ourselves lets the error name the file, the line and the byte.
using System.Text;

namespace Pipeline.Models.Embeddings;

/// <summary>Reads '\n'-terminated lines as strict UTF-8, tracking 1-based line numbers for error messages.</summary>
internal sealed class WordVectorsLineReader : IDisposable
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _stream;
    private readonly string _source;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _start;
    private int _end;
    private byte[] _pending = new byte[256]; // bytes of a line that spans buffer refills
    private int _pendingLength;
    private bool _endOfStream;

    public WordVectorsLineReader(Stream stream, string source)
    {
        _stream = stream;
        _source = source;
    }

    /// <summary>Number of the line most recently returned (1-based; 0 before the first).</summary>
    public int LineNumber { get; private set; }

    /// <summary>Reads the next line without its terminator ("\n" or "\r\n"); false at end of file.</summary>
    public bool TryReadLine(out string line)
    {
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            var newline = available.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var bytes = available[..newline];
                _start += newline + 1;
                line = _pendingLength == 0 ? Decode(bytes) : Decode(Append(bytes));
                return true;
            }
            Append(available);
            _start = _end = 0;
            if (!_endOfStream)
            {
                _end = _stream.Read(_buffer, 0, _buffer.Length);
                _endOfStream = _end == 0;
                continue;
            }
            if (_pendingLength > 0)
            {
                // A last line without a trailing newline.
                line = Decode(ReadOnlySpan<byte>.Empty);
                return true;
            }
            line = string.Empty;
            return false;
        }
    }

    private ReadOnlySpan<byte> Append(ReadOnlySpan<byte> bytes)
    {
        if (_pendingLength + bytes.Length > _pending.Length)
            Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingLength + bytes.Length));
        bytes.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += bytes.Length;
        return _pending.AsSpan(0, _pendingLength);
    }

    // Decodes bytes (or, when pending bytes exist, the pending buffer) as one line and resets the pending buffer.
    private string Decode(ReadOnlySpan<byte> bytes)
    {
        if (_pendingLength > 0)
        {
            bytes = _pending.AsSpan(0, _pendingLength);
            _pendingLength = 0;
        }
        LineNumber++;
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
            bytes = bytes[..^1];
        if (LineNumber == 1 && bytes.StartsWith("\uFEFF"u8))
            bytes = bytes[3..];
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            var column = ex.Index >= 0 ? $" at byte {ex.Index + 1} of the line" : "";
            var value = ex.BytesUnknown is { Length: > 0 } unknown ? $" (0x{Convert.ToHexString(unknown)})" : "";
            throw new FormatException($"{_source}:{LineNumber}: invalid UTF-8{column}{value}; word-vector files must be UTF-8.", ex);
        }
    }

    public void Dispose() => _stream.Dispose();
}
