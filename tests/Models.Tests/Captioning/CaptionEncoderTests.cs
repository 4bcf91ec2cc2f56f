// The captioning encoder: output shapes and grids of every preset (the small preset is the benchmark's
// 8×8×256 at 128 px), the NCHW → (B, R, F) reading checked against conv + batch norm + ReLU computed with
// the functional ops and a naive permutation, and stable checkpoint key names.
// Shape key: B = batch, S = image side, G = grid side, R = regions, F = feature channels.
using Pipeline.Models.Captioning;
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Captioning;

public sealed class CaptionEncoderTests
{
    [Theory]
    [InlineData("tiny", 64, 8, 128)]
    [InlineData("tiny", 32, 4, 128)]
    [InlineData("small", 128, 8, 256)]
    [InlineData("base", 128, 8, 256)]
    public void PresetsProduceTheDocumentedGrid(string preset, int imageSize, int grid, int channels)
    {
        var spec = CaptionEncoderSpec.FromPreset(preset);
        Assert.Equal(grid, spec.GridSize(imageSize));
        Assert.Equal(channels, spec.OutputChannels);
        var encoder = new CaptionEncoder(spec, imageSize, new Generator(1));
        encoder.Eval();
        using var scope = new TensorScope();
        var features = encoder.Forward(Tensor.Randn(new Generator(2), [2, 3, imageSize, imageSize]));
        Assert.Equal([2, grid * grid, channels], features.ShapeArray());
        Assert.Equal(grid, encoder.GridHeight);
        Assert.Equal(grid, encoder.GridWidth);
    }

    [Fact]
    public void SmallPresetIsTheBenchmarkConvStack()
    {
        var encoder = new CaptionEncoder(CaptionEncoderSpec.FromPreset("small"), 128, new Generator(1));
        var convShapes = encoder.NamedParameters().Where(p => p.Name.EndsWith("conv.weight", StringComparison.Ordinal)).Select(p => p.Tensor.ShapeArray()).ToArray();
        int[][] expected = [[32, 3, 3, 3], [64, 32, 3, 3], [64, 64, 3, 3], [128, 64, 3, 3], [128, 128, 3, 3], [256, 128, 3, 3]];
        Assert.Equal(expected, convShapes);
        Assert.DoesNotContain(encoder.NamedParameters(), p => p.Name.EndsWith("conv.bias", StringComparison.Ordinal));
    }

    [Fact]
    public void FeaturesAreTheConvMapReadRegionByRegion()
    {
        var spec = new CaptionEncoderSpec([4], [2], [], [], []);
        var generator = new Generator(3);
        var encoder = new CaptionEncoder(spec, 6, generator);
        var state = encoder.StateDict();
        // Non-trivial running statistics and affine parameters, so the eval-mode batch norm is exercised.
        foreach (var name in new[] { "stem.0.bn.running_mean", "stem.0.bn.weight", "stem.0.bn.bias" })
            Tensor.Randn(generator, [4], 0f, 0.5f).Data.CopyTo(state[name].Data);
        Tensor.Rand(generator, [4], 0.5f, 2f).Data.CopyTo(state["stem.0.bn.running_var"].Data);
        encoder.Eval();
        var images = Tensor.Randn(generator, [2, 3, 6, 6]);

        var features = encoder.Forward(images);                                             // (2, 9, 4)
        var map = Tensor.Relu(Functional.BatchNorm(
            Functional.Conv2d(images, state["stem.0.conv.weight"], null, (2, 2), (1, 1)),
            state["stem.0.bn.running_mean"], state["stem.0.bn.running_var"], state["stem.0.bn.weight"], state["stem.0.bn.bias"], training: false));  // (2, 4, 3, 3)
        var expected = new float[2 * 9 * 4];
        for (int b = 0; b < 2; b++)
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 3; x++)
                    for (int f = 0; f < 4; f++)
                        expected[(b * 9 + y * 3 + x) * 4 + f] = map[b, f, y, x];
        GradCheck.AssertClose(expected, features.Data, 1e-6f, 1e-6f);
    }

    [Fact]
    public void ParameterNamesAreStableCheckpointKeys()
    {
        var model = new CaptionModel(CaptionTestData.SmallConfig(), new Generator(4));
        var keys = model.StateDict().Keys.ToHashSet();
        foreach (var key in new[]
        {
            "encoder.stem.0.conv.weight", "encoder.stem.0.bn.running_var", "encoder.layer1.0.conv1.weight", "encoder.layer1.0.downsample.0.weight",
            "encoder.layer3.0.bn2.bias", "decoder.embedding.weight", "decoder.init_h.weight", "decoder.init_c.bias",
            "decoder.attention.features_weight", "decoder.attention.score_weight", "decoder.gate.weight",
            "decoder.lstm.weight_ih", "decoder.lstm.bias_hh", "decoder.output.weight", "decoder.output.bias",
        })
            Assert.Contains(key, keys);
    }

    [Fact]
    public void ConcurrentEvalEncodeMatchesSerial()
    {
        var model = new CaptionModel(CaptionTestData.SmallConfig(), new Generator(5));
        model.Eval();
        var (images, _) = CaptionTestData.Squares(32);
        float[] serial;
        using (var scope = new TensorScope()) serial = model.Encode(images).ToArray();
        var results = new float[6][];
        Parallel.For(0, results.Length, i => { using var scope = new TensorScope(); results[i] = model.Encode(images).ToArray(); });
        Assert.All(results, r => Assert.Equal(serial, r));
    }

    [Fact]
    public void RejectsImagesOfTheWrongSize()
    {
        var encoder = new CaptionEncoder(CaptionEncoderSpec.FromPreset("tiny"), 32, new Generator(1));
        Assert.Throws<ShapeMismatchException>(() => encoder.Forward(Tensor.Zeros(1, 3, 16, 16)));
        Assert.Throws<ShapeMismatchException>(() => encoder.Forward(Tensor.Zeros(1, 1, 32, 32)));
    }
}
