// Reader and writer of the safetensors format (huggingface/safetensors, docs "Format"):
//   [8 bytes]  N, unsigned 64-bit little-endian: length of the header
//   [N bytes]  UTF-8 JSON object: { "name": { "dtype": "F32", "shape": [d0, d1, ...],
//                                             "data_offsets": [begin, end] }, ...,
//                                   "__metadata__": { "key": "value", ... } }   (metadata optional)
//              possibly padded with trailing spaces
//   [rest]     raw little-endian tensor bytes; offsets are relative to the first byte after the header
//
// Files are untrusted input, so the reader validates the whole header before allocating any tensor:
// header length bounded by MaxHeaderBytes and by the file, JSON well-formed, every entry complete with a
// known dtype, non-negative shape whose byte size equals end − begin, offsets inside the data region and
// no two tensors overlapping. Each problem raises CheckpointFormatException naming file, tensor, problem.
//
// The writer is deterministic: tensors sorted by name (ordinal), packed back to back, header padded with
// spaces so the data starts at a multiple of 8 bytes, float32 only.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Checkpoints;

/// <summary>Tensors and string metadata read from a safetensors file.</summary>
/// <param name="Tensors">Tensors by name (float32, converted from the stored dtype).</param>
/// <param name="Metadata">The <c>__metadata__</c> block (empty when absent).</param>
public sealed record SafeTensorsContent(IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata);

/// <summary>One tensor's entry in a validated safetensors header (nothing of its data has been read).</summary>
/// <param name="Name">Tensor name (the checkpoint key).</param>
/// <param name="DType">Stored element type as spelled in the file (F32, F16, BF16, F64).</param>
/// <param name="Shape">Dimensions.</param>
/// <param name="Begin">First byte of the data, relative to the data region.</param>
/// <param name="End">One past the last byte of the data.</param>
public sealed record SafeTensorsEntry(string Name, string DType, IReadOnlyList<int> Shape, long Begin, long End);

/// <summary>The validated header of a safetensors file: its tensor entries (sorted by offset) and metadata.</summary>
/// <param name="Tensors">Entries in data order.</param>
/// <param name="Metadata">The <c>__metadata__</c> block (empty when absent).</param>
public sealed record SafeTensorsHeader(IReadOnlyList<SafeTensorsEntry> Tensors, IReadOnlyDictionary<string, string> Metadata);

/// <summary>Reads and writes safetensors files.</summary>
public static class SafeTensors
{
    /// <summary>Largest header accepted (the reference implementation uses the same 100 MB bound).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    private static readonly string[] UnsupportedDtypes = ["BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64", "F8_E4M3", "F8_E5M2"];

    private enum DType { F32, F16, BF16, F64 }

    private sealed record Entry(string Name, DType DType, int[] Shape, long Begin, long End);

    // ---------------------------------------------------------------- writing

    /// <summary>Writes <paramref name="tensors"/> (and optional metadata) to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        AtomicFile.Write(path, stream => Write(stream, tensors, metadata));

    /// <summary>Writes the safetensors encoding of <paramref name="tensors"/> to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
        foreach (var name in names)
            if (string.IsNullOrEmpty(name) || name == MetadataKey) throw new ArgumentException($"'{name}' cannot be used as a tensor name", nameof(tensors));

        var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var name in names)
            {
                var t = tensors[name];
                writer.WriteStartObject(name);
                writer.WriteString("dtype", "F32");
                writer.WriteStartArray("shape");
                foreach (var d in t.Shape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                offset += 4L * t.Length;
                writer.WriteNumberValue(offset);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        // Pad with spaces so that 8 + N is a multiple of 8: the data region starts aligned.
        int padding = (int)((8 - json.Length % 8) % 8);
        for (int i = 0; i < padding; i++) json.WriteByte((byte)' ');

        Span<byte> lengthBytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)json.Length);
        stream.Write(lengthBytes);
        json.Position = 0;
        json.CopyTo(stream);
        foreach (var name in names) WriteFloats(stream, tensors[name].Data);
    }

    private static void WriteFloats(Stream stream, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian) { stream.Write(MemoryMarshal.AsBytes(values)); return; }
        Span<byte> four = stackalloc byte[4];
        foreach (var v in values) { BinaryPrimitives.WriteSingleLittleEndian(four, v); stream.Write(four); }
    }

    // ---------------------------------------------------------------- reading

    /// <summary>Reads a safetensors file, validating it completely before allocating tensors.</summary>
    public static SafeTensorsContent Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, path);
    }

    /// <summary>Reads safetensors data from a seekable stream; <paramref name="source"/> names it in error messages.</summary>
    public static SafeTensorsContent Read(Stream stream, string source)
    {
        if (!stream.CanSeek) throw new ArgumentException("safetensors reading needs a seekable stream", nameof(stream));
        var (entries, metadata, dataStart) = ReadHeader(stream, source);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var t = Tensor.Zeros(e.Shape);
            stream.Position = dataStart + e.Begin;
            try { ReadData(stream, e.DType, t.Data); }
            catch (EndOfStreamException ex) { throw new CheckpointFormatException(source, e.Name, "file ended while reading tensor data", ex); }
            tensors[e.Name] = t;
        }
        return new SafeTensorsContent(tensors, metadata);
    }

    /// <summary>
    /// Reads and validates only the header of a safetensors file (same checks as <see cref="Read(string)"/>),
    /// so names, shapes and dtypes can be compared with what a model expects before any tensor is allocated.
    /// </summary>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 12);
        var (entries, metadata, _) = ReadHeader(stream, path);
        return new SafeTensorsHeader(
            entries.Select(e => new SafeTensorsEntry(e.Name, e.DType.ToString(), e.Shape, e.Begin, e.End)).ToArray(),
            metadata);
    }

    private static (List<Entry> Entries, Dictionary<string, string> Metadata, long DataStart) ReadHeader(Stream stream, string source)
    {
        long fileLength = stream.Length - stream.Position;
        long start = stream.Position;
        if (fileLength < 8) throw new CheckpointFormatException(source, null, $"truncated: {fileLength} bytes is too short for the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
            throw new CheckpointFormatException(source, null, $"header length {headerLength} exceeds the limit of {MaxHeaderBytes} bytes (corrupt or not a safetensors file)");
        if ((long)headerLength > fileLength - 8)
            throw new CheckpointFormatException(source, null, $"header length {headerLength} runs past the end of the file ({fileLength} bytes; truncated?)");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataStart = start + 8 + (long)headerLength;
        long dataLength = fileLength - 8 - (long)headerLength;

        JsonDocument document;
        try { document = JsonDocument.Parse(header); }
        catch (JsonException ex) { throw new CheckpointFormatException(source, null, $"malformed JSON header: {ex.Message}", ex); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new CheckpointFormatException(source, null, $"header must be a JSON object, found {root.ValueKind}");
            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name)) throw new CheckpointFormatException(source, property.Name, "appears twice in the header");
                if (property.Name == MetadataKey) ReadMetadata(property.Value, metadata, source);
                else entries.Add(ParseEntry(property.Name, property.Value, dataLength, source));
            }
            // Sorted by position, each tensor must start at or after the previous one's end.
            entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            for (int i = 1; i < entries.Count; i++)
                if (entries[i].Begin < entries[i - 1].End)
                    throw new CheckpointFormatException(source, entries[i].Name,
                        $"data_offsets [{entries[i].Begin}, {entries[i].End}] overlap tensor '{entries[i - 1].Name}' at [{entries[i - 1].Begin}, {entries[i - 1].End}]");
            return (entries, metadata, dataStart);
        }
    }

    private static void ReadMetadata(JsonElement element, Dictionary<string, string> metadata, string source)
    {
        if (element.ValueKind != JsonValueKind.Object) throw new CheckpointFormatException(source, null, $"{MetadataKey} must be an object of strings, found {element.ValueKind}");
        foreach (var item in element.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String) throw new CheckpointFormatException(source, null, $"{MetadataKey} value of '{item.Name}' must be a string, found {item.Value.ValueKind}");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static Entry ParseEntry(string name, JsonElement element, long dataLength, string source)
    {
        CheckpointFormatException Fail(string problem) => new(source, name, problem);
        if (element.ValueKind != JsonValueKind.Object) throw Fail($"entry must be an object, found {element.ValueKind}");
        if (!element.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String) throw Fail("missing string field 'dtype'");
        if (!element.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array) throw Fail("missing array field 'shape'");
        if (!element.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array) throw Fail("missing array field 'data_offsets'");

        string dtypeName = dtypeElement.GetString()!;
        DType dtype = dtypeName switch
        {
            "F32" => DType.F32,
            "F16" => DType.F16,
            "BF16" => DType.BF16,
            "F64" => DType.F64,
            _ when UnsupportedDtypes.Contains(dtypeName) => throw Fail($"dtype {dtypeName} is not supported (readable: F32, F16, BF16, F64)"),
            _ => throw Fail($"unknown dtype '{dtypeName}'"),
        };

        var shape = new int[shapeElement.GetArrayLength()];
        long count = 1;
        int axis = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long d) || d < 0)
                throw Fail($"shape dimension {axis} must be a non-negative integer, found {dim.GetRawText()}");
            if (d > int.MaxValue) throw Fail($"shape dimension {axis} = {d} is too large");
            shape[axis++] = (int)d;
            try { count = checked(count * d); }
            catch (OverflowException) { throw Fail("element count overflows"); }
        }
        if (count > int.MaxValue) throw Fail($"{count} elements exceed the {int.MaxValue}-element tensor limit");

        if (offsetsElement.GetArrayLength() != 2) throw Fail($"data_offsets must have 2 entries, found {offsetsElement.GetArrayLength()}");
        var offsets = new long[2];
        int k = 0;
        foreach (var o in offsetsElement.EnumerateArray())
        {
            if (o.ValueKind != JsonValueKind.Number || !o.TryGetInt64(out offsets[k]) || offsets[k] < 0)
                throw Fail($"data_offsets entries must be non-negative integers, found {o.GetRawText()}");
            k++;
        }
        var (begin, end) = (offsets[0], offsets[1]);
        if (begin > end) throw Fail($"data_offsets [{begin}, {end}] end before they begin");
        if (end > dataLength) throw Fail($"data_offsets [{begin}, {end}] run past the end of the data region ({dataLength} bytes)");
        long expected = count * ElementSize(dtype);
        if (end - begin != expected)
            throw Fail($"shape {TensorShape.Format(shape)} of {dtypeName} needs {expected} bytes but data_offsets [{begin}, {end}] span {end - begin}");
        return new Entry(name, dtype, shape, begin, end);
    }

    private static int ElementSize(DType dtype) => dtype switch { DType.F32 => 4, DType.F16 or DType.BF16 => 2, _ => 8 };

    private static void ReadData(Stream stream, DType dtype, Span<float> destination)
    {
        if (dtype == DType.F32 && BitConverter.IsLittleEndian)
        {
            stream.ReadExactly(MemoryMarshal.AsBytes(destination));   // straight into the tensor
            return;
        }
        int size = ElementSize(dtype);
        var chunk = new byte[Math.Min(1 << 16, Math.Max(size, destination.Length * size))];
        int done = 0;
        while (done < destination.Length)
        {
            int n = Math.Min(destination.Length - done, chunk.Length / size);
            var bytes = chunk.AsSpan(0, n * size);
            stream.ReadExactly(bytes);
            for (int i = 0; i < n; i++)
            {
                var b = bytes.Slice(i * size, size);
                destination[done + i] = dtype switch
                {
                    DType.F32 => BinaryPrimitives.ReadSingleLittleEndian(b),
                    DType.F16 => (float)BinaryPrimitives.ReadHalfLittleEndian(b),
                    // bfloat16 is the top half of a float32.
                    DType.BF16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b) << 16),
                    _ => (float)BinaryPrimitives.ReadDoubleLittleEndian(b),
                };
            }
            done += n;
        }
    }
}
