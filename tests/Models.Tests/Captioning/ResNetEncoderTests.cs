// The pretrained ResNet encoder's structure, with random weights in place of the packaged ones (the
// equivalence with the real file is ResNet18OnnxEquivalenceTests): what is frozen, what is checkpointed,
// the frozen/trainable split of the forward, frozen batch-norm statistics, and where gradients flow.
// Shape key: B = batch, R = 49 regions, F = 512 features.
using Pipeline.Models.Autograd;
using Pipeline.Models.Captioning;
using Pipeline.Models.Nn;
using Pipeline.Models.Pretrained;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Pretrained;
using Pipeline.Models.Vision;

namespace Pipeline.Models.Tests.Captioning;

public sealed class ResNetEncoderTests
{
    /// <summary>The resnet18 encoder with seeded random weights and an identity-order, zero-mean input transform.</summary>
    internal static ResNetEncoder RandomEncoder(int trainableStages, ulong seed = 3)
    {
        var backbone = PretrainedBackbones.ResNet18;
        var encoder = new ResNetEncoder(PretrainedEncoderSpec.For(backbone, trainableStages), new Generator(seed));
        var source = new ResNet(backbone.Architecture, new Generator(seed + 1));
        var weights = source.NamedParameters().Concat(source.NamedBuffers()).ToDictionary(e => e.Name, e => (e.Tensor.ToArray(), e.Tensor.ShapeArray()));
        var transform = new OnnxInputTransform([0, 1, 2], new float[3 * 224 * 224], 224);
        encoder.LoadPretrained(new ImportedResNet(backbone.Architecture, weights, "input", 224, "map", "pooled"), transform);
        return encoder;
    }

    // Random weights expect O(1) inputs (running statistics 0 and 1), so the test pixels are scaled to 0..1.
    private static Tensor Pixels(int count) => Tensor.FromArray(TestImages.Natural(count, 224, seed: 5).Select(v => v / 255f).ToArray(), count, 3, 224, 224);

    [Fact]
    public void Frozen_backbone_stays_out_of_checkpoints_and_the_optimizer()
    {
        var config = CaptionerConfig.FromPreset("resnet18", vocabularySize: 10);
        var model = new CaptionModel(config, new Generator(1));
        Assert.DoesNotContain(model.StateDict().Keys, k => k.StartsWith("encoder.", StringComparison.Ordinal));
        Assert.DoesNotContain(model.Parameters(), p => model.Encoder.NamedParameters().Any(e => ReferenceEquals(e.Tensor, p)));
        Assert.Equal([49, 512], model.Encoder.FrozenShape!);

        var fineTuned = new CaptionModel(config with { Backbone = config.Backbone! with { TrainableStages = 1 } }, new Generator(1));
        var encoderKeys = fineTuned.StateDict().Keys.Where(k => k.StartsWith("encoder.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(encoderKeys);
        Assert.All(encoderKeys, k => Assert.StartsWith("encoder.resnet.layer4.", k));
        Assert.Contains("encoder.resnet.layer4.2.bn2.running_var", encoderKeys);
        Assert.Equal([256, 14, 14], fineTuned.Encoder.FrozenShape!);
        int trainable = fineTuned.Parameters().Count(p => fineTuned.Encoder.NamedParameters().Any(e => ReferenceEquals(e.Tensor, p)));
        Assert.Equal(fineTuned.Encoder.NamedParameters().Count(e => e.Name.StartsWith("resnet.layer4.", StringComparison.Ordinal)), trainable);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Frozen_front_then_trainable_rest_equals_the_whole_network(int trainableStages)
    {
        var encoder = RandomEncoder(trainableStages);
        using var noGrad = GradMode.NoGrad();
        using var scope = new TensorScope();
        var pixels = Pixels(2);
        var frozen = encoder.ForwardFrozen(pixels);
        Assert.Equal([2, .. encoder.FrozenShape!], frozen.ShapeArray());
        var split = encoder.ForwardTrainable(frozen).ToArray();                                   // (B, R, F)
        var map = encoder.Backbone.Forward(pixels);                                               // (B, F, 7, 7)
        var whole = map.Reshape(2, 512, 49).Permute(0, 2, 1).ToArray();
        Assert.Equal(whole, split);
        Assert.Equal(whole, encoder.Forward(pixels).ToArray());
    }

    [Fact]
    public void Batch_norm_keeps_its_statistics_in_training_mode_and_only_fine_tuned_stages_get_gradients()
    {
        var encoder = RandomEncoder(trainableStages: 1);
        encoder.Train();
        Assert.True(encoder.IsTraining);
        Assert.All(encoder.Backbone.NamedChildren(), c => Assert.False(c.Module.IsTraining));
        var runningBefore = encoder.Backbone.NamedBuffers().Select(b => b.Tensor.ToArray()).ToList();

        var features = encoder.Forward(Pixels(2));                                                // (B, R, F)
        Tensor.SumAll(features * features).Backward();
        Assert.Equal(runningBefore, encoder.Backbone.NamedBuffers().Select(b => b.Tensor.ToArray()).ToList());
        foreach (var (name, p) in encoder.Backbone.NamedParameters())
        {
            bool fineTuned = name.StartsWith("layer4.", StringComparison.Ordinal);
            Assert.Equal(fineTuned, p.RequiresGrad);
            if (fineTuned) Assert.True(p.Grad is { } g && g.ToArray().Any(v => v != 0f), $"{name} got no gradient");
            else Assert.Null(p.Grad);
        }
    }

    [Fact]
    public void Forward_before_the_weights_are_loaded_says_so()
    {
        var encoder = new ResNetEncoder(PretrainedEncoderSpec.For(PretrainedBackbones.ResNet18), new Generator(1));
        var error = Assert.Throws<InvalidOperationException>(() => encoder.Forward(Tensor.Zeros(1, 3, 224, 224)));
        Assert.Contains("LoadPretrained", error.Message);
    }

    [Fact]
    public void A_config_cannot_point_the_backbone_at_other_files()
    {
        var config = CaptionerConfig.FromPreset("resnet18", vocabularySize: 10);
        var forged = config with { Backbone = config.Backbone! with { Weights = config.Backbone.Weights with { PathInPackage = "../../etc/passwd" } } };
        Assert.Contains("not the files named in the config", Assert.Throws<ArgumentException>(() => forged.Validated()).Message);
        var deeper = config with { Backbone = config.Backbone! with { Architecture = new ResNetSpec(64, 7, [64, 128, 256, 512], [2, 2, 2, 2]) } };
        Assert.Contains("architecture does not match", Assert.Throws<ArgumentException>(() => deeper.Validated()).Message);
        var tooMany = config with { Backbone = config.Backbone! with { TrainableStages = 5 } };
        Assert.Contains("TrainableStages", Assert.Throws<ArgumentException>(() => tooMany.Validated()).Message);
        Assert.Contains("224", Assert.Throws<ArgumentException>(() => (config with { ImageSize = 128 }).Validated()).Message);
    }
}
