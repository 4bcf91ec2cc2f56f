// ClassifierConfig: Kim (2014) defaults, validation that names the bad setting, and a JSON round trip
// through config.json with enums written by name.
using System.Text.Json;
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Classification;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Classification;

public class ClassifierConfigTests
{
    [Fact]
    public void Defaults_FollowKim2014()
    {
        var config = new ClassifierConfig(ClassifierArchitecture.TextCnn, 20000, 2);
        Assert.Equal(128, config.EmbeddingDim);
        Assert.Equal(EmbeddingMode.Rand, config.EmbeddingMode);
        Assert.Equal([3, 4, 5], config.FilterWidths);
        Assert.Equal(100, config.FeatureMaps);
        Assert.Equal(0.5f, config.Dropout);
        Assert.Equal(3f, config.MaxNorm);
        Assert.Equal(0, config.PaddingId);
        Assert.Equal(CnnPooling.Max, config.CnnPooling);
        Assert.Equal(5, config.MaxFilterWidth);
        Assert.Equal(128, config.HiddenSize);
        Assert.Null(config.ClassWeights);
        Assert.Same(config, config.Validate());
    }

    public static TheoryData<ClassifierConfig, string> Invalid()
    {
        var cnn = new ClassifierConfig(ClassifierArchitecture.TextCnn, 100, 3);
        var rnn = new ClassifierConfig(ClassifierArchitecture.BiRnn, 100, 3);
        return new()
        {
            { cnn with { VocabularySize = 1 }, nameof(ClassifierConfig.VocabularySize) },
            { cnn with { NumClasses = 1 }, nameof(ClassifierConfig.NumClasses) },
            { cnn with { EmbeddingDim = 0 }, nameof(ClassifierConfig.EmbeddingDim) },
            { cnn with { Dropout = 1f }, nameof(ClassifierConfig.Dropout) },
            { cnn with { PaddingId = 100 }, nameof(ClassifierConfig.PaddingId) },
            { cnn with { FilterWidths = [] }, nameof(ClassifierConfig.FilterWidths) },
            { cnn with { FilterWidths = [3, 0] }, nameof(ClassifierConfig.FilterWidths) },
            { cnn with { FeatureMaps = 0 }, nameof(ClassifierConfig.FeatureMaps) },
            { cnn with { CnnPooling = CnnPooling.KMax, KMax = 0 }, nameof(ClassifierConfig.KMax) },
            { cnn with { MaxNorm = 0f }, nameof(ClassifierConfig.MaxNorm) },
            { cnn with { ClassWeights = [1f, 2f] }, nameof(ClassifierConfig.ClassWeights) },
            { cnn with { ClassWeights = [1f, 0f, 2f] }, nameof(ClassifierConfig.ClassWeights) },
            { cnn with { EmbeddingMode = (EmbeddingMode)9 }, nameof(ClassifierConfig.EmbeddingMode) },
            { rnn with { RnnLayers = 3 }, nameof(ClassifierConfig.RnnLayers) },
            { rnn with { HiddenSize = 0 }, nameof(ClassifierConfig.HiddenSize) },
            { rnn with { AttentionSize = 0 }, nameof(ClassifierConfig.AttentionSize) },
            { rnn with { RnnPooling = (RnnPooling)7 }, nameof(ClassifierConfig.RnnPooling) },
            { cnn with { NgramNormalization = (NgramNormalization)5 }, nameof(ClassifierConfig.NgramNormalization) },
        };
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_NamesTheBadSetting(ClassifierConfig config, string setting)
    {
        var error = Assert.Throws<ArgumentException>(() => config.Validate());
        Assert.Equal(setting, error.ParamName);
        Assert.Throws<ArgumentException>(() => TextClassifierModel.Create(config, new Generator(1)));
    }

    [Fact]
    public void CheckpointConfig_RoundTrips_WithEnumNames()
    {
        var config = new ClassifierConfig(ClassifierArchitecture.BiRnn, 50, 4)
        {
            EmbeddingMode = EmbeddingMode.Multichannel, RnnCell = RnnCellType.Gru, RnnLayers = 2, RnnPooling = RnnPooling.Max,
            ClassWeights = [1f, 2f, 0.5f, 3f], FilterWidths = [2, 7], MaxNorm = null,
        };
        var directory = Path.Combine(Path.GetTempPath(), "cls-config-" + Guid.NewGuid().ToString("N"));
        try
        {
            Checkpoint.Save(directory, TextClassifierModel.Create(config, new Generator(1)), config);
            var json = File.ReadAllText(Path.Combine(directory, Checkpoint.ConfigFile));
            Assert.Contains("\"Multichannel\"", json);
            Assert.Contains("\"Gru\"", json);
            Assert.DoesNotContain(nameof(ClassifierConfig.MaxFilterWidth), json);             // derived, not saved
            var loaded = Checkpoint.LoadConfig<ClassifierConfig>(directory);
            Assert.Equal(config.Architecture, loaded.Architecture);
            Assert.Equal(config.EmbeddingMode, loaded.EmbeddingMode);
            Assert.Equal(config.RnnCell, loaded.RnnCell);
            Assert.Equal(config.RnnPooling, loaded.RnnPooling);
            Assert.Equal(config.ClassWeights, loaded.ClassWeights);
            Assert.Equal(config.FilterWidths, loaded.FilterWidths);
            Assert.Null(loaded.MaxNorm);
            // Arrays compare by reference in records, so compare the JSON forms for full equality.
            Assert.Equal(JsonSerializer.Serialize(config), JsonSerializer.Serialize(loaded));
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Fact]
    public void NgramNormalization_IsSavedByName_AndAnOlderConfigWithoutItMeansThePlainSum()
    {
        var config = new ClassifierConfig(ClassifierArchitecture.TextCnn, 50, 2) { NgramOrder = 2, NgramFeatures = 7, NgramNormalization = NgramNormalization.L2 };
        var json = JsonSerializer.Serialize(config);
        Assert.Contains("\"NgramNormalization\":\"L2\"", json);
        Assert.Equal(NgramNormalization.L2, JsonSerializer.Deserialize<ClassifierConfig>(json)!.NgramNormalization);
        // Models saved before the setting existed summed their n-grams: their config.json must keep meaning that.
        var older = json.Replace(",\"NgramNormalization\":\"L2\"", "");
        Assert.DoesNotContain("NgramNormalization", older);
        Assert.Equal(NgramNormalization.None, JsonSerializer.Deserialize<ClassifierConfig>(older)!.NgramNormalization);
    }
}
