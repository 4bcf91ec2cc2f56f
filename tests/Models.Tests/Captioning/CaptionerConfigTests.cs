// CaptionerConfig: preset construction, validation messages for bad fields, and the config.json
// round trip through Checkpoint.
using Pipeline.Models.Captioning;
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Captioning;

public sealed class CaptionerConfigTests
{
    [Fact]
    public void PresetsFillTheEncoderAndImageSize()
    {
        var small = CaptionerConfig.FromPreset("small", 5000);
        Assert.Equal(128, small.ImageSize);
        Assert.Equal(256, small.Encoder!.OutputChannels);
        Assert.Equal(8, small.Encoder.GridSize(small.ImageSize));
        var tiny = CaptionerConfig.FromPreset("tiny", 50);
        Assert.Equal(64, tiny.ImageSize);
        Assert.Equal(8, tiny.Encoder!.GridSize(64));
        Assert.Throws<ArgumentException>(() => CaptionerConfig.FromPreset("huge", 50));
        // An implicit encoder is resolved from the preset name.
        Assert.Equal(128, new CaptionerConfig { VocabularySize = 10 }.Validated().Encoder!.OutputChannels);
    }

    [Theory]
    [InlineData("vocab")]
    [InlineData("dropout")]
    [InlineData("lambda")]
    [InlineData("hidden")]
    [InlineData("ids")]
    [InlineData("std")]
    [InlineData("stem")]
    public void InvalidFieldsAreRejected(string field)
    {
        var config = new CaptionerConfig { VocabularySize = 10 };
        config = field switch
        {
            "vocab" => config with { VocabularySize = 3 },
            "dropout" => config with { Dropout = 1f },
            "lambda" => config with { DoublyStochasticLambda = -1f },
            "hidden" => config with { HiddenSize = 0 },
            "ids" => config with { EndId = 2 },
            "std" => config with { ImageStd = [1f, 0f, 1f] },
            _ => config with { Encoder = new CaptionEncoderSpec([8, 16], [2], [], [], []) },
        };
        Assert.Throws<ArgumentException>(() => config.Validated());
    }

    [Fact]
    public void ConfigRoundTripsThroughCheckpointJson()
    {
        var directory = Path.Combine(Path.GetTempPath(), "caption-config-" + Guid.NewGuid().ToString("N"));
        try
        {
            var config = CaptionTestData.SmallConfig() with { UseAttention = false, DoublyStochasticLambda = 0.5f, ImageMean = [0.1f, 0.2f, 0.3f] };
            var model = new CaptionModel(config, new Generator(1));
            model.Save(directory);
            var loaded = Checkpoint.LoadConfig<CaptionerConfig>(directory);
            Assert.Equal(model.Config.Encoder!.StemChannels, loaded.Encoder!.StemChannels);
            Assert.Equal(model.Config.Encoder.StageStrides, loaded.Encoder.StageStrides);
            Assert.Equal(model.Config.ImageMean, loaded.ImageMean);
            Assert.Equal(model.Config with { Encoder = null, ImageMean = [], ImageStd = [] }, loaded with { Encoder = null, ImageMean = [], ImageStd = [] });
        }
        finally { if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true); }
    }
}
