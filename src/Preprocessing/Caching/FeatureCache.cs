// Get-or-create for feature stores (FeatureShard): a store is reused when its file exists, opens cleanly and
// carries the same key; otherwise the rows are computed batch by batch into a temporary file that is renamed
// into place when complete, so an interrupted run leaves no half-written store behind (the next run starts
// the computation over).
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Preprocessing.Caching;

/// <summary>Builds or reuses <see cref="FeatureShard"/> files in a cache directory.</summary>
public static class FeatureCache
{
    /// <summary>The store file for <paramref name="key"/>.</summary>
    public static string FileNameFor(string key) => $"features-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16]}.bin";

    /// <summary>
    /// Opens the store for <paramref name="key"/> in <paramref name="cacheDirectory"/>, or computes it: <paramref name="compute"/>
    /// fills rows [start, start + count) into its span (count · Π <paramref name="shape"/> floats), for consecutive
    /// batches of at most <paramref name="batchSize"/> rows. <paramref name="reused"/> tells which happened.
    /// </summary>
    public static FeatureShard GetOrCreate(string cacheDirectory, string key, int count, int[] shape, int batchSize,
        Action<int, int, Span<float>> compute, out bool reused, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(compute);
        if (shape.Length is < 1 or > FeatureShard.MaxRank || shape.Any(d => d < 1)) throw new ArgumentException($"feature rows need 1..{FeatureShard.MaxRank} positive dims, got [{string.Join(", ", shape)}].", nameof(shape));
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Directory.CreateDirectory(cacheDirectory);
        string path = Path.Combine(cacheDirectory, FileNameFor(key));
        if (File.Exists(path))
        {
            FeatureShard? existing = null;
            try
            {
                existing = FeatureShard.Open(path);
                if (existing.Key == key && existing.Count == count && existing.Shape.SequenceEqual(shape)) { reused = true; return existing; }
            }
            catch (InvalidDataException) { }            // truncated or foreign: recompute below
            existing?.Dispose();
        }

        string temporary = path + $".{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            var keyBytes = Encoding.UTF8.GetBytes(key);
            int rowLength = shape.Aggregate(1, (a, d) => checked(a * d));
            long dataOffset = FeatureShard.DataOffset(keyBytes.Length), fileLength = dataOffset + 4L * rowLength * count;
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                var header = new byte[dataOffset];
                FeatureShard.Magic.CopyTo(header);
                BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), FeatureShard.Version);
                BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), count);
                BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), shape.Length);
                for (int i = 0; i < shape.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(20 + 4 * i), shape[i]);
                BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(36), keyBytes.Length);
                BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(40), fileLength);
                keyBytes.CopyTo(header, FeatureShard.HeaderSize);
                stream.Write(header);
                var rows = new float[(long)Math.Min(batchSize, Math.Max(count, 1)) * rowLength];
                for (int start = 0; start < count; start += batchSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int n = Math.Min(batchSize, count - start);
                    var batch = rows.AsSpan(0, n * rowLength);
                    compute(start, n, batch);
                    stream.Write(MemoryMarshal.AsBytes(batch));
                    progress?.Report(start + n);
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
        reused = false;
        return FeatureShard.Open(path);
    }
}
