// The corpus as word ids in a temporary file, so word2vec training (Mikolov et al. 2013) tokenizes the text
// exactly once. Tokenizing (NFKC + regex) costs about as much as a skip-gram epoch, and the reference tool's
// trick of re-reading the raw text each epoch would pay it again every pass. Holding the ids in memory would
// cost 4 bytes per token, too much for large corpora; a temp file of int32 ids keeps memory bounded and is
// read back sequentially at disk speed. During the single pass each new word gets a provisional id (order of
// first appearance) and is counted; once the vocabulary is chosen a remap table turns provisional ids into
// vocabulary ids (or −1 for dropped words).
// File layout per sentence: int32 length, then that many int32 provisional ids (machine byte order; the
// file never leaves this process and is deleted on dispose).
using System.Runtime.InteropServices;

namespace Pipeline.Models.Embeddings;

/// <summary>A one-pass, id-encoded copy of a <see cref="Word2VecCorpus"/> in a self-deleting temporary file.</summary>
internal sealed class EncodedCorpusFile : IDisposable
{
    private readonly FileStream _file;
    private readonly string[] _words;
    private readonly long[] _counts;

    private EncodedCorpusFile(FileStream file, string[] words, long[] counts)
    {
        _file = file;
        _words = words;
        _counts = counts;
    }

    /// <summary>Every distinct word, indexed by provisional id.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>Corpus count of each provisional id.</summary>
    public IReadOnlyList<long> Counts => _counts;

    /// <summary>Tokenizes <paramref name="corpus"/> once, writing ids to a temporary file and counting words.</summary>
    public static EncodedCorpusFile Encode(Word2VecCorpus corpus, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"word2vec-{Guid.NewGuid():N}.ids");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        try
        {
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            var words = new List<string>();
            var counts = new List<long>();
            var buffer = new int[256];
            foreach (var sentence in corpus.ReadSentences())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (buffer.Length < sentence.Count + 1)
                    buffer = new int[Math.Max(sentence.Count + 1, 2 * buffer.Length)];
                buffer[0] = sentence.Count;
                for (var i = 0; i < sentence.Count; i++)
                {
                    ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(ids, sentence[i], out var exists);
                    if (!exists)
                    {
                        id = words.Count;
                        words.Add(sentence[i]);
                        counts.Add(0);
                    }
                    counts[id]++;
                    buffer[i + 1] = id;
                }
                file.Write(MemoryMarshal.AsBytes(buffer.AsSpan(0, sentence.Count + 1)));
            }
            file.Flush();
            return new EncodedCorpusFile(file, [.. words], [.. counts]);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Streams the sentences from the start, mapping provisional ids through <paramref name="remap"/> and
    /// dropping words mapped to −1. Sentences left empty are skipped. Not thread-safe: one reader at a time.
    /// </summary>
    public IEnumerable<int[]> ReadSentences(int[] remap)
    {
        if (remap.Length != _words.Length)
            throw new ArgumentException($"Remap table has {remap.Length} entries; the corpus has {_words.Length} distinct words.", nameof(remap));
        _file.Position = 0;
        var raw = new int[256];
        var length = new int[1];
        while (_file.Position < _file.Length)
        {
            _file.ReadExactly(MemoryMarshal.AsBytes(length.AsSpan()));
            var count = length[0];
            if (raw.Length < count)
                raw = new int[Math.Max(count, 2 * raw.Length)];
            var span = raw.AsSpan(0, count);
            _file.ReadExactly(MemoryMarshal.AsBytes(span));
            var kept = 0;
            foreach (var provisional in span)
            {
                var id = remap[provisional];
                if (id >= 0)
                    span[kept++] = id;
            }
            if (kept > 0)
                yield return span[..kept].ToArray();
        }
    }

    public void Dispose() => _file.Dispose();
}
