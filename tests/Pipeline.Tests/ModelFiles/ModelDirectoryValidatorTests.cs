// ModelDirectoryValidator against untrusted model directories: a valid tiny text model is accepted, then
// each kind of damage — truncated weights, absurd header length, offsets past the end, overlapping
// tensors, unknown dtype, shapes that disagree with the config, vocabularies and label maps that disagree
// with their embedding/output layers, oversized or missing files — is rejected with a message that names
// the file, the tensor and the problem.
using System.Buffers.Binary;
using System.Text;
using Pipeline.ModelFiles;
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;
using Pipeline.Preprocessing.Datasets;
using Pipeline.Preprocessing.Text;

namespace Pipeline.Tests.ModelFiles;

public sealed class ModelDirectoryValidatorTests : IDisposable
{
    private const int Dim = 3;
    private static readonly string[] Words = ["cheap", "pills", "meeting", "tomorrow", "now"];
    private static readonly string[] Classes = ["ham", "spam"];

    private readonly string directory = Path.Combine(Path.GetTempPath(), "pipeline-mdv-" + Guid.NewGuid().ToString("N"));

    public ModelDirectoryValidatorTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>Embedding (V, D) → Linear (C, D): the smallest model with both kinds of vocabulary check.</summary>
    private sealed class TinyTextModel : Module
    {
        public TinyTextModel(int vocabularySize, int classes)
        {
            var generator = new Generator(7);
            RegisterModule("embedding", new Embedding(vocabularySize, Dim, generator));
            RegisterModule("output", new Linear(Dim, classes, generator));
        }
    }

    private sealed record TinyConfig(int VocabularySize, int Classes);

    private static readonly VocabularyCheck[] Checks =
    [
        new("vocab.json", VocabularyFileKind.Tokens, "embedding.weight"),
        new("labels.json", VocabularyFileKind.Labels, "output.weight"),
    ];

    private static Vocabulary MakeVocabulary(int words) => Vocabulary.FromTokens([.. Vocabulary.SpecialTokens, .. Words.Take(words)]);

    // A consistent directory as a trainer would write it; returns the spec a loader would build from config.json.
    private ModelDirectorySpec WriteValidDirectory()
    {
        var vocabulary = MakeVocabulary(Words.Length);
        var config = new TinyConfig(vocabulary.Count, Classes.Length);
        Checkpoint.Save(directory, new TinyTextModel(config.VocabularySize, config.Classes), config);
        vocabulary.Save(Path.Combine(directory, "vocab.json"));
        File.WriteAllText(Path.Combine(directory, "labels.json"), LabelMap.Fit(Classes).ToJson());
        return SpecFromConfig();
    }

    private ModelDirectorySpec SpecFromConfig()
    {
        var config = ModelDirectoryValidator.ReadConfig<TinyConfig>(directory);
        return ModelDirectorySpec.FromModule(new TinyTextModel(config.VocabularySize, config.Classes), Checks);
    }

    private string WeightsPath => Path.Combine(directory, Checkpoint.ModelFile);

    // Replaces the weights with hand-built bytes: 8-byte header length (declared or true), JSON, data.
    private void WriteWeights(string json, int dataBytes, ulong? declaredLength = null)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(WeightsPath, bytes);
    }

    private const string EmbeddingEntry = """{"dtype":"F32","shape":[9,3],"data_offsets":[0,108]}""";
    private const string BiasEntry = """{"dtype":"F32","shape":[2],"data_offsets":[108,116]}""";
    private const string WeightEntry = """{"dtype":"F32","shape":[2,3],"data_offsets":[116,140]}""";

    // The valid header of the tiny model (9×3 + 2 + 2×3 floats = 140 bytes), optionally with one entry replaced.
    private static string TinyHeader(string? embedding = null, string? weight = null) =>
        $$"""{"embedding.weight":{{embedding ?? EmbeddingEntry}},"output.bias":{{BiasEntry}},"output.weight":{{weight ?? WeightEntry}}}""";

    private ModelDirectoryException AssertRejected(ModelDirectorySpec spec, params string[] fragments)
    {
        var ex = Assert.Throws<ModelDirectoryException>(() => ModelDirectoryValidator.Validate(directory, spec));
        Assert.Contains(directory, ex.Message);
        foreach (var fragment in fragments) Assert.Contains(fragment, ex.Message);
        return ex;
    }

    [Fact]
    public void AcceptsAConsistentDirectoryAndReturnsItsHeader()
    {
        var spec = WriteValidDirectory();
        var header = ModelDirectoryValidator.Validate(directory, spec);
        Assert.Equal(["embedding.weight", "output.bias", "output.weight"], header.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.Equal([9, Dim], header.Tensors.Single(t => t.Name == "embedding.weight").Shape);
        Assert.Equal("1", header.Metadata["format_version"]);
    }

    [Fact]
    public void HandBuiltHeaderMatchesTheTinyModelSoTheCorruptionTestsChangeOneThingEach()
    {
        var spec = WriteValidDirectory();
        WriteWeights(TinyHeader(), 140);
        ModelDirectoryValidator.Validate(directory, spec);
    }

    [Fact]
    public void RejectsTruncatedWeights()
    {
        var spec = WriteValidDirectory();
        var bytes = File.ReadAllBytes(WeightsPath);
        File.WriteAllBytes(WeightsPath, bytes[..^4]);
        AssertRejected(spec, Checkpoint.ModelFile, "tensor 'output.weight'", "run past the end of the data region");
        File.WriteAllBytes(WeightsPath, bytes[..5]);
        AssertRejected(spec, Checkpoint.ModelFile, "truncated");
    }

    [Fact]
    public void RejectsAHugeDeclaredHeaderLengthWithoutAllocatingIt()
    {
        var spec = WriteValidDirectory();
        WriteWeights(TinyHeader(), 140, declaredLength: ulong.MaxValue / 2);
        AssertRejected(spec, Checkpoint.ModelFile, "header length 9223372036854775807", "exceeds the limit");
        WriteWeights(TinyHeader(), 140, declaredLength: 50_000);
        AssertRejected(spec, "header length 50000", "runs past the end of the file");
    }

    [Fact]
    public void RejectsOffsetsPastTheEnd()
    {
        var spec = WriteValidDirectory();
        WriteWeights(TinyHeader(weight: """{"dtype":"F32","shape":[2,3],"data_offsets":[116,140]}"""), 130);
        AssertRejected(spec, "tensor 'output.weight'", "data_offsets [116, 140] run past the end of the data region (130 bytes)");
    }

    [Fact]
    public void RejectsOverlappingTensors()
    {
        var spec = WriteValidDirectory();
        WriteWeights(TinyHeader(weight: """{"dtype":"F32","shape":[2,3],"data_offsets":[100,124]}"""), 140);
        AssertRejected(spec, "overlap tensor");
    }

    [Theory]
    [InlineData("I32", "dtype I32 is not supported")]
    [InlineData("Q4_K", "unknown dtype 'Q4_K'")]
    public void RejectsWrongDtypes(string dtype, string problem)
    {
        var spec = WriteValidDirectory();
        WriteWeights(TinyHeader(embedding: $$"""{"dtype":"{{dtype}}","shape":[9,3],"data_offsets":[0,108]}"""), 140);
        AssertRejected(spec, "tensor 'embedding.weight'", problem);
    }

    [Fact]
    public void RejectsMalformedHeaderJson()
    {
        var spec = WriteValidDirectory();
        WriteWeights(TinyHeader()[..^5], 140);
        AssertRejected(spec, Checkpoint.ModelFile, "malformed JSON header");
    }

    [Fact]
    public void RejectsShapesThatDisagreeWithTheConfigAndListsEveryMismatch()
    {
        WriteValidDirectory();
        // config.json now claims 3 classes; the weights (and label map) still have 2.
        Checkpoint.Save(Path.Combine(directory, "other"), new TinyTextModel(9, 3), new TinyConfig(9, 3));
        File.Copy(Path.Combine(directory, "other", Checkpoint.ConfigFile), Path.Combine(directory, Checkpoint.ConfigFile), overwrite: true);
        var ex = AssertRejected(SpecFromConfig(),
            "tensor 'output.weight' has shape [2, 3] but the configuration needs [3, 3]",
            "tensor 'output.bias' has shape [2] but the configuration needs [3]");
        Assert.Equal(2, ex.Problems.Count);
    }

    [Fact]
    public void RejectsMissingAndUnexpectedTensors()
    {
        var spec = WriteValidDirectory();
        var tensors = new Dictionary<string, int[]>(spec.Tensors) { ["decoder.weight"] = [4, 4] };
        tensors.Remove("output.bias");
        AssertRejected(spec with { Tensors = tensors },
            "tensor 'decoder.weight' is missing (the configuration needs shape [4, 4])",
            "tensor 'output.bias' is not part of the configured model");
        ModelDirectoryValidator.Validate(directory, spec with { Tensors = spec.Tensors.Where(kv => kv.Key != "output.bias").ToDictionary(), AllowUnexpectedTensors = true });
    }

    [Fact]
    public void RejectsAVocabularyThatDoesNotMatchTheEmbedding()
    {
        var spec = WriteValidDirectory();
        MakeVocabulary(3).Save(Path.Combine(directory, "vocab.json"));
        AssertRejected(spec, "vocab.json has 7 token entries but tensor 'embedding.weight' has 9 along axis 0");
    }

    [Fact]
    public void RejectsALabelMapThatDoesNotMatchTheOutputLayer()
    {
        var spec = WriteValidDirectory();
        File.WriteAllText(Path.Combine(directory, "labels.json"), LabelMap.Fit(["ham", "spam", "phishing"]).ToJson());
        AssertRejected(spec, "labels.json has 3 label entries but tensor 'output.weight' has 2 along axis 0");
    }

    [Fact]
    public void RejectsUnreadableVocabulariesAndMissingFiles()
    {
        var spec = WriteValidDirectory();
        File.WriteAllText(Path.Combine(directory, "vocab.json"), """{"format":"something-else"}""");
        File.Delete(Path.Combine(directory, "labels.json"));
        var ex = AssertRejected(spec, "vocab.json: cannot be read as a token file", "labels.json is missing");
        Assert.Equal(2, ex.Problems.Count);
        File.Delete(WeightsPath);
        AssertRejected(spec, $"{Checkpoint.ModelFile} is missing");
    }

    [Fact]
    public void RejectsOversizedSmallFilesBeforeReadingThem()
    {
        var spec = WriteValidDirectory();
        AssertRejected(spec with { MaxSmallFileBytes = 10 }, "vocab.json is", "more than the 10-byte limit");
        var ex = Assert.Throws<ModelDirectoryException>(() => ModelDirectoryValidator.ReadConfig<TinyConfig>(directory, maxBytes: 10));
        Assert.Contains("config.json is", ex.Message);
    }

    [Fact]
    public void RejectsAMissingDirectoryOrConfig()
    {
        var missing = Path.Combine(directory, "nope");
        Assert.Contains("does not exist", Assert.Throws<ModelDirectoryException>(() => ModelDirectoryValidator.ReadConfig<TinyConfig>(missing)).Message);
        Assert.Contains("config.json is missing", Assert.Throws<ModelDirectoryException>(() => ModelDirectoryValidator.ReadConfig<TinyConfig>(directory)).Message);
        File.WriteAllText(Path.Combine(directory, Checkpoint.ConfigFile), "{ not json");
        Assert.Contains("cannot read TinyConfig", Assert.Throws<ModelDirectoryException>(() => ModelDirectoryValidator.ReadConfig<TinyConfig>(directory)).Message);
    }
}
