// The safetensors reader/writer against the public format: files built byte by byte in the test,
// files written by us decoded by an independent minimal parser, and every kind of corruption rejected
// with a message naming the file, the tensor and the problem.
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Checkpoints;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "pipeline-st-" + Guid.NewGuid().ToString("N"));

    public SafeTensorsTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    // 8-byte little-endian header length, the JSON text, then the data bytes — exactly as the spec lays it out.
    private static byte[] Build(string json, byte[] data, ulong? declaredLength = null)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    private static byte[] Floats(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    private string WriteFile(byte[] bytes, string name = "file.safetensors")
    {
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void ReadsAHandWrittenFile()
    {
        // Little-endian bytes written out by hand: F16 1.0 = 0x3C00, BF16 −2.0 = 0xC000, BF16 1.0 = 0x3F80.
        byte[] f16 = [0x00, 0x3C, 0x00, 0xC0];   // F16: 1.0, −2.0
        byte[] bf16 = [0x80, 0x3F, 0x00, 0xC0];  // BF16: 1.0, −2.0
        var data = Floats(1.5f, -2f, 3.25f, 0f, 7f, 8f).Concat(f16).Concat(bf16).Concat(BitConverter.GetBytes(0.5)).ToArray();
        const string json = """
            {"__metadata__":{"format":"pt"},
             "weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},
             "bias":{"dtype":"F32","shape":[2],"data_offsets":[16,24]},
             "half":{"dtype":"F16","shape":[2],"data_offsets":[24,28]},
             "brain":{"dtype":"BF16","shape":[2],"data_offsets":[28,32]},
             "scalar":{"dtype":"F64","shape":[],"data_offsets":[32,40]},
             "empty":{"dtype":"F32","shape":[0,3],"data_offsets":[40,40]}}
            """;
        var content = SafeTensors.Read(WriteFile(Build(json + "   ", data)));
        Assert.Equal("pt", content.Metadata["format"]);
        Assert.Equal(6, content.Tensors.Count);
        Assert.Equal([2, 2], content.Tensors["weight"].ShapeArray());
        Assert.Equal([1.5f, -2f, 3.25f, 0f], content.Tensors["weight"].ToArray());
        Assert.Equal([7f, 8f], content.Tensors["bias"].ToArray());
        Assert.Equal([1f, -2f], content.Tensors["half"].ToArray());
        Assert.Equal([1f, -2f], content.Tensors["brain"].ToArray());
        Assert.Equal(0, content.Tensors["scalar"].Rank);
        Assert.Equal(0.5f, content.Tensors["scalar"].Item());
        Assert.Equal([0, 3], content.Tensors["empty"].ShapeArray());
    }

    [Fact]
    public void WrittenFileFollowsTheSpecAccordingToAnIndependentParser()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["zeta"] = Tensor.FromArray([1f, 2f, 3f], 3),
            ["alpha.weight"] = Tensor.FromArray([4f, 5f, 6f, 7f, 8f, 9f], 2, 3),
            ["mid"] = Tensor.Scalar(-1f),
        };
        var path = Path.Combine(directory, "out.safetensors");
        SafeTensors.Write(path, tensors, new Dictionary<string, string> { ["epoch"] = "3" });
        var bytes = File.ReadAllBytes(path);

        // Minimal parser: length, JSON, offsets relative to the end of the header.
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + n) % 8);
        using var doc = JsonDocument.Parse(bytes.AsMemory(8, (int)n));
        Assert.Equal("3", doc.RootElement.GetProperty("__metadata__").GetProperty("epoch").GetString());
        var names = doc.RootElement.EnumerateObject().Select(p => p.Name).Where(k => k != "__metadata__").ToArray();
        Assert.Equal(["alpha.weight", "mid", "zeta"], names);   // sorted, deterministic
        long expectedBegin = 0;
        foreach (var name in names)
        {
            var entry = doc.RootElement.GetProperty(name);
            Assert.Equal("F32", entry.GetProperty("dtype").GetString());
            Assert.Equal(tensors[name].ShapeArray(), entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray());
            var offsets = entry.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Assert.Equal(expectedBegin, offsets[0]);
            Assert.Equal(offsets[0] + 4L * tensors[name].Length, offsets[1]);
            var values = new float[tensors[name].Length];
            for (int i = 0; i < values.Length; i++) values[i] = BitConverter.ToSingle(bytes, (int)(8 + n + offsets[0] + 4 * i));
            Assert.Equal(tensors[name].ToArray(), values);
            expectedBegin = offsets[1];
        }
        Assert.Equal(8 + n + expectedBegin, bytes.Length);

        // Deterministic: writing again gives the same bytes; reading gives the same tensors.
        var again = Path.Combine(directory, "again.safetensors");
        SafeTensors.Write(again, tensors, new Dictionary<string, string> { ["epoch"] = "3" });
        Assert.Equal(bytes, File.ReadAllBytes(again));
        var read = SafeTensors.Read(path);
        foreach (var (name, t) in tensors) Assert.Equal(t.ToArray(), read.Tensors[name].ToArray());
        Assert.Empty(Directory.GetFiles(directory, "*.tmp-*"));
    }

    private void AssertRejected(byte[] bytes, params string[] fragments)
    {
        var path = WriteFile(bytes, "bad-" + Guid.NewGuid().ToString("N")[..6] + ".safetensors");
        var ex = Assert.Throws<CheckpointFormatException>(() => SafeTensors.Read(path));
        Assert.Contains(path, ex.Message);
        foreach (var fragment in fragments) Assert.Contains(fragment, ex.Message);
        // Header-only reading applies exactly the same validation.
        var headerEx = Assert.Throws<CheckpointFormatException>(() => SafeTensors.ReadHeader(path));
        Assert.Equal(ex.Message, headerEx.Message);
    }

    [Fact]
    public void ReadHeaderListsEntriesInDataOrderWithoutReadingData()
    {
        const string json = """{"__metadata__":{"k":"v"},"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]},"a":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}""";
        var header = SafeTensors.ReadHeader(WriteFile(Build(json, Floats(1f, 2f, 3f))));
        Assert.Equal("v", header.Metadata["k"]);
        Assert.Equal(["a", "b"], header.Tensors.Select(t => t.Name));
        Assert.Equal([1, 2], header.Tensors[0].Shape);
        Assert.Equal(("F32", 0L, 8L), (header.Tensors[0].DType, header.Tensors[0].Begin, header.Tensors[0].End));
        Assert.Equal(("BF16", 8L, 12L), (header.Tensors[1].DType, header.Tensors[1].Begin, header.Tensors[1].End));
    }

    private const string Good = """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";

    [Fact]
    public void RejectsTruncatedFiles()
    {
        AssertRejected([1, 2, 3, 4, 5], "truncated", "5 bytes");
        // A valid file missing its last data byte: the tensor now runs past the data region.
        var full = Build(Good, Floats(1f, 2f));
        AssertRejected(full[..^1], "tensor 'w'", "run past the end of the data region (7 bytes)");
    }

    [Fact]
    public void RejectsHugeOrOverlongHeaderLengths()
    {
        AssertRejected(Build(Good, Floats(1f, 2f), declaredLength: 1UL << 60), "header length 1152921504606846976", "exceeds the limit");
        AssertRejected(Build(Good, Floats(1f, 2f), declaredLength: 1000), "header length 1000", "runs past the end of the file");
    }

    [Fact]
    public void RejectsMalformedJson()
    {
        AssertRejected(Build("""{"w":{"dtype":"F32",""", []), "malformed JSON header");
        AssertRejected(Build("[1, 2]", []), "header must be a JSON object");
        AssertRejected(Build("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", Floats(1f, 2f)), "tensor 'w'", "appears twice");
    }

    [Theory]
    [InlineData("""{"w":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}""", "unknown dtype 'F33'")]
    [InlineData("""{"w":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}""", "dtype I64 is not supported")]
    [InlineData("""{"w":{"shape":[2],"data_offsets":[0,8]}}""", "missing string field 'dtype'")]
    [InlineData("""{"w":{"dtype":"F32","data_offsets":[0,8]}}""", "missing array field 'shape'")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2]}}""", "missing array field 'data_offsets'")]
    [InlineData("""{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", "shape dimension 0 must be a non-negative integer")]
    [InlineData("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", "needs 12 bytes", "span 8")]
    [InlineData("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", "run past the end of the data region (8 bytes)")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", "end before they begin")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0]}}""", "must have 2 entries")]
    [InlineData("""{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}""", "too large")]
    public void RejectsBadEntries(string json, params string[] fragments) =>
        AssertRejected(Build(json, Floats(1f, 2f)), ["tensor 'w'", .. fragments]);

    [Fact]
    public void RejectsOverlappingTensors()
    {
        const string json = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""";
        AssertRejected(Build(json, Floats(1f, 2f, 3f)), "tensor 'b'", "overlap tensor 'a'");
    }

    [Fact]
    public void RejectsNonStringMetadata() =>
        AssertRejected(Build("""{"__metadata__":{"epoch":3}}""", []), "__metadata__ value of 'epoch' must be a string");
}
