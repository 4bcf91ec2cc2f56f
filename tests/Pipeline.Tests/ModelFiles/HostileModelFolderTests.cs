// Regression tests for issue 18, items 4 and 8: model folders are untrusted input.
//   4. Every size in config.json is checked before anything is allocated: dimensions above the limits are
//      refused by name, a config that is within the limits but larger than its weights fails after
//      allocating at most what the weights hold, and an oversized vocabulary is not built to be rejected.
//      Each case is measured: the managed bytes the failed load allocated on this thread stay small.
//   8. Weights holding NaN or an infinity are refused at load with the tensor's name, instead of
//      producing NaN scores (CSV) or a crash while writing JSON.
using Pipeline.Preprocessing.Tests;
using System.Text.Json.Nodes;
using Pipeline.Captioning;
using Pipeline.Classification;
using Pipeline.Models.Checkpoints;
using Pipeline.Preprocessing.Text;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.ModelFiles;

public sealed class HostileModelFolderTests : IDisposable
{
    private const long AllowedBytes = 64L << 20;   // what a refused load may allocate (the real weights are a few KB)
    private readonly string root = Directory.CreateTempSubdirectory("hostile-models").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static void EditConfig(string directory, Action<JsonObject> edit)
    {
        var path = Path.Combine(directory, Checkpoint.ConfigFile);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    private static (Exception Error, long Allocated) Measure(Action load)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Record.Exception(load);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.NotNull(error);
        return (error, allocated);
    }

    [Theory]
    [InlineData("HiddenSize", 20_000, "HiddenSize = 20,000 exceeds")]
    [InlineData("EmbeddingDim", 2_000_000, "EmbeddingDim = 2,000,000 exceeds")]
    [InlineData("AttentionDim", 8_000_000, "AttentionDim = 8,000,000 exceeds")]
    [InlineData("StageChannels", 15_000, "describes a model larger than")]   // within the dimension limit, far beyond the weights
    [InlineData("HiddenSize", 4_000, "describes a model larger than")]
    [InlineData("ImageSize", 100_000, "ImageSize = 100,000 exceeds")]
    public void ACaptionerConfigBeyondLimitsOrWeightsFailsBeforeAllocating(string field, int value, string expected)
    {
        var dir = TinyModelDirectories.WriteCaptioner(Path.Combine(root, field + value));
        EditConfig(dir, json =>
        {
            if (field == "StageChannels") json["Encoder"]!["StageChannels"] = new JsonArray(value);
            else json[field] = value;
        });

        var (error, allocated) = Measure(() => ImageCaptioner.Load(dir));

        Assert.IsType<InvalidDataException>(error);
        Assert.Contains(expected, error.Message);
        Assert.True(allocated < AllowedBytes, $"the refused load allocated {allocated:N0} bytes");
    }

    [Theory]
    [InlineData("EmbeddingDim", 5_000_000, "EmbeddingDim = 5,000,000 exceeds")]
    [InlineData("FilterWidths", 100_000, "FilterWidths[0] = 100,000 exceeds")]
    [InlineData("EmbeddingDim", 16_000, "describes a model larger than")]
    public void AClassifierConfigBeyondLimitsOrWeightsFailsBeforeAllocating(string field, int value, string expected)
    {
        var dir = TinyModelDirectories.WriteClassifier(Path.Combine(root, "cls-" + field + value));
        EditConfig(dir, json =>
        {
            if (field == "FilterWidths") json[field] = new JsonArray(value);
            else json[field] = value;
        });

        var (error, allocated) = Measure(() => TextClassifier.Load(dir));

        Assert.IsType<InvalidDataException>(error);
        Assert.Contains(expected, error.Message);
        Assert.True(allocated < AllowedBytes, $"the refused load allocated {allocated:N0} bytes");
    }

    [Fact]
    public void AMillionEntryVocabularyIsRejectedWithoutBeingBuilt()
    {
        var dir = TinyModelDirectories.WriteCaptioner(Path.Combine(root, "big-vocab"));
        var tokens = Vocabulary.SpecialTokens.Concat(Enumerable.Range(0, 1_000_000).Select(i => "w" + i)).ToList();
        File.WriteAllText(Path.Combine(dir, CaptionerDirectory.VocabularyFile),
            $$"""{"format":"pipeline-vocabulary","version":1,"tokens":[{{string.Join(",", tokens.Select(t => "\"" + t + "\""))}}]}""");
        tokens = null;
        GC.Collect();

        var (error, allocated) = Measure(() => ImageCaptioner.Load(dir));

        Assert.IsType<InvalidDataException>(error);
        Assert.Contains("vocab.json", error.Message);
        // The file itself (≈ 11 MB) is read once; the million tokens are never materialised.
        Assert.True(allocated < AllowedBytes, $"the refused load allocated {allocated:N0} bytes");
    }

    private static void PoisonWeight(string directory, string tensor, float value)
    {
        var path = Path.Combine(directory, Checkpoint.ModelFile);
        var content = SafeTensors.Read(path);
        content.Tensors[tensor].Data[3] = value;
        SafeTensors.Write(path, content.Tensors, content.Metadata);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void NonFiniteCaptionerWeightsAreRefusedNamingTheTensor(float value)
    {
        var dir = TinyModelDirectories.WriteCaptioner(Path.Combine(root, "nan-captioner-" + value));
        PoisonWeight(dir, "decoder.output.weight", value);
        var error = Assert.Throws<InvalidDataException>(() => ImageCaptioner.Load(dir));
        Assert.Contains("tensor 'decoder.output.weight'", error.Message);
        Assert.Contains("not finite", error.Message);
    }

    [Fact]
    public void NonFiniteClassifierWeightsAreRefusedNamingTheTensor()
    {
        var dir = TinyModelDirectories.WriteClassifier(Path.Combine(root, "nan-classifier"));
        PoisonWeight(dir, "fc.weight", float.NegativeInfinity);
        var error = Assert.Throws<InvalidDataException>(() => TextClassifier.Load(dir));
        Assert.Contains("tensor 'fc.weight'", error.Message);
    }

    [Fact]
    public void AFifoInAModelFolderIsReportedNotWaitedOn()
    {
        if (OperatingSystem.IsWindows()) return;
        var dir = TinyModelDirectories.WriteCaptioner(Path.Combine(root, "fifo-config"));
        File.Delete(Path.Combine(dir, Checkpoint.ConfigFile));
        SpecialFiles.MakeFifo(Path.Combine(dir, Checkpoint.ConfigFile));
        var error = Assert.Throws<InvalidDataException>(() => ImageCaptioner.Load(dir));
        Assert.Contains("FIFO", error.Message);
    }
}
