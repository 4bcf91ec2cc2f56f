// Which input a results file was computed from. Jobs that key records by input position (classify: the
// line number) can only resume against the very same input: after lines are prepended or edited, record
// "line 12" describes a different text. So the first run stores, beside the results, the input's length
// and SHA-256 ("out.input.json"); a rerun hashes the first that-many bytes of the input again and resumes
// only when they match — the input is unchanged, or was only appended to (new lines get new positions,
// old records stay right). Anything else is refused with the reason, before a single record is written.
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Models.Checkpoints;
using Pipeline.Preprocessing.Files;

namespace Pipeline.Batch;

/// <summary>Length and SHA-256 of an input file, stored beside the results computed from it.</summary>
/// <param name="Input">The input's path when the fingerprint was taken (informational).</param>
/// <param name="Bytes">Its length in bytes.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of those bytes.</param>
public sealed record InputFingerprint(
    [property: JsonPropertyName("input")] string Input,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("sha256")] string Sha256)
{
    /// <summary>The fingerprint file beside an output file: <c>out.jsonl</c> → <c>out.input.json</c>.</summary>
    public static string PathFor(string outputPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outputPath))!, Path.GetFileNameWithoutExtension(outputPath) + ".input.json");

    /// <summary>Fingerprint of the whole of <paramref name="inputPath"/> as it is now.</summary>
    public static InputFingerprint Of(string inputPath) => Hash(inputPath, prefixBytes: null).Whole;

    /// <summary>
    /// Checks <paramref name="inputPath"/> against the fingerprint stored for <paramref name="outputPath"/> (when the output holds
    /// <paramref name="existingRecords"/> &gt; 0 records), then stores the input's current fingerprint.
    /// </summary>
    /// <exception cref="InvalidDataException">The stored fingerprint is missing or does not match the input's first bytes.</exception>
    public static void Bind(string outputPath, string inputPath, long existingRecords)
    {
        string fingerprintPath = PathFor(outputPath);
        InputFingerprint? stored = existingRecords > 0 ? ReadStored(fingerprintPath, outputPath, existingRecords) : null;
        var (current, prefix) = Hash(inputPath, stored?.Bytes);
        if (stored is not null && prefix != stored.Sha256)
        {
            string how = current.Bytes < stored.Bytes
                ? $"it is now {current.Bytes:N0} bytes, shorter than the {stored.Bytes:N0} bytes the results were computed from"
                : $"its first {stored.Bytes:N0} bytes differ from the input the results were computed from ({stored.Input})";
            throw new InvalidDataException(
                $"the input '{inputPath}' changed since the {existingRecords:N0} results in '{outputPath}' were written: {how}. Records are matched to inputs by position, " +
                "so resuming would attach old results to the wrong lines. Move the output away (or delete it) to start over, or restore the original input. " +
                "Appending lines to the input is fine.");
        }
        AtomicFile.WriteAllText(fingerprintPath, JsonSerializer.Serialize(current with { Input = Path.GetFullPath(inputPath) }, Json));
    }

    private static InputFingerprint ReadStored(string fingerprintPath, string outputPath, long existingRecords)
    {
        if (!File.Exists(fingerprintPath))
            throw new InvalidDataException(
                $"'{outputPath}' holds {existingRecords:N0} results but no record of the input they came from ('{fingerprintPath}' is missing: written by an older version, " +
                "or moved without it), so a resume cannot tell whether they still match the input's lines. Move the output away (or delete it) to start over, " +
                "or put the fingerprint file back beside it.");
        try
        {
            var text = BoundedFile.ReadAllText(fingerprintPath, 64 << 10, "input fingerprint");
            var stored = JsonSerializer.Deserialize<InputFingerprint>(text, Json);
            if (stored is null || stored.Bytes < 0 || stored.Sha256 is not { Length: 64 }) throw new JsonException("incomplete fingerprint");
            return stored;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{fingerprintPath}' is not a valid input fingerprint ({e.Message}); move the output and this file away to start over.", e);
        }
    }

    // SHA-256 of the whole file, and of its first prefixBytes bytes (null when the file is shorter) in the same pass.
    private static (InputFingerprint Whole, string? Prefix) Hash(string inputPath, long? prefixBytes)
    {
        BoundedFile.RequireRegularFile(inputPath);
        using var stream = new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long total = 0;
        string? prefix = prefixBytes == 0 ? Hex(hash.GetCurrentHash()) : null;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (prefixBytes is { } cut && prefix is null && total + read >= cut)
            {
                int head = (int)(cut - total);
                hash.AppendData(buffer, 0, head);
                prefix = Hex(hash.GetCurrentHash());
                hash.AppendData(buffer, head, read - head);
            }
            else hash.AppendData(buffer, 0, read);
            total += read;
        }
        return (new InputFingerprint(inputPath, total, Hex(hash.GetHashAndReset())), prefix);
    }

    private static string Hex(byte[] hash) => Convert.ToHexString(hash).ToLower(CultureInfo.InvariantCulture);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
}
