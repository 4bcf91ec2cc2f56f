// The cache key: SHA-256 over everything that determines a shard's bytes. Source files are
// identified by (path, size, last-write time) rather than content hashes, so computing the key
// costs a stat per file instead of reading the dataset.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Pipeline.Preprocessing.Images;

namespace Pipeline.Preprocessing.Caching;

/// <summary>An input to the prepared cache: an image path and its tokenized captions.</summary>
/// <param name="ImagePath">Path of the source image.</param>
/// <param name="Captions">Token-id arrays, one per caption (may be empty).</param>
public sealed record PreparedSource(string ImagePath, int[][] Captions);

/// <summary>Computes prepared-cache keys.</summary>
public static class PreparedCacheKey
{
    /// <summary>Bump when the stored pixels would change for the same inputs (e.g. a resize filter change).</summary>
    public const string AlgorithmVersion = "prepared-v1;resize=triangle-aa";

    /// <summary>
    /// Hex SHA-256 over: algorithm version and settings (<see cref="ImagePreprocessingOptions.GeometryKey"/>, stored side),
    /// the sorted distinct source files with their sizes and last-write times, and the item order with caption token ids
    /// (so a re-tokenized or reordered dataset also gets a new shard).
    /// </summary>
    public static string Compute(IReadOnlyList<PreparedSource> items, ImagePreprocessingOptions options, int storedSide)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(options);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, $"{AlgorithmVersion}\n{options.GeometryKey()};side={storedSide}\n");

        var files = items.Select(i => Path.GetFullPath(i.ImagePath)).Distinct(StringComparer.Ordinal).ToList();
        files.Sort(StringComparer.Ordinal);
        Append(hash, "files\n");
        foreach (var f in files)
        {
            var info = new FileInfo(f);
            string stamp = info.Exists
                ? string.Create(CultureInfo.InvariantCulture, $"{info.Length}\0{info.LastWriteTimeUtc.Ticks}")
                : "missing";
            Append(hash, $"{f}\0{stamp}\n");
        }

        Append(hash, "items\n");
        Span<byte> buf = stackalloc byte[4];
        foreach (var item in items)
        {
            Append(hash, Path.GetFullPath(item.ImagePath) + "\0");
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(buf, item.Captions.Length);
            hash.AppendData(buf);
            foreach (var c in item.Captions)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(buf, c.Length);
                hash.AppendData(buf);
                foreach (int t in c)
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(buf, t);
                    hash.AppendData(buf);
                }
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Append(IncrementalHash hash, string s) => hash.AppendData(Encoding.UTF8.GetBytes(s));
}
