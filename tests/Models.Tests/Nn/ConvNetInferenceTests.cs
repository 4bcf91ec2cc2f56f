// The fused, channel-blocked evaluation forward (Nn/ConvNetInference) against the layer-by-layer forward of
// the same modules (what training mode runs; forced here by an input that requires a gradient, which the
// fused path refuses): a small ResNet at even and odd image sizes and from a middle stage, and the captioning
// encoder presets. Batch norms get non-trivial running statistics so that folding them matters. Also: after a
// weight changes (optimizer step, state-dict load) the packed weights are rebuilt, not reused.
// Tolerance: float32 sums in another order (direct and Winograd kernels, BN folded into the weights) through
// a dozen layers: 1e-4 of the output's scale plus 1e-4 relative per element.
using Pipeline.Models.Autograd;
using Pipeline.Models.Captioning;
using Pipeline.Models.Kernels;
using Pipeline.Models.Nn;
using Pipeline.Models.Optim;
using Pipeline.Models.Tensors;
using Pipeline.Models.Vision;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Nn;

public sealed class ConvNetInferenceTests
{
    private static readonly ResNetSpec SmallResNet = new(32, 7, [32, 64], [1, 2]);

    [Avx512Theory]
    [InlineData(2, 64)]
    [InlineData(1, 37)]         // odd sides: every stride-2 layer rounds up, Winograd tiles hang over the edge
    [InlineData(9, 32)]
    public void ResNet_fused_forward_matches_the_layers(int batch, int side)
    {
        var network = new ResNet(SmallResNet, new Generator(5));
        RandomiseStatistics(network, seed: 1);
        network.Eval();
        var images = Tensor.Randn(new Generator(6), [batch, 3, side, side]);
        AssertClose(LayerByLayer(x => network.Forward(x), images), Fused(() => network.Forward(images)));
    }

    [Avx512Fact]
    public void ResNet_fused_forward_from_a_middle_stage_matches_the_layers()
    {
        var network = new ResNet(SmallResNet, new Generator(7));
        RandomiseStatistics(network, seed: 2);
        network.Eval();
        var stem = Tensor.Randn(new Generator(8), [4, 32, 16, 16]);             // what stage 0 hands to stage 1
        AssertClose(LayerByLayer(x => network.ForwardStages(x, 1, 2), stem), Fused(() => network.ForwardStages(stem, 1, 2)));
        var images = Tensor.Randn(new Generator(9), [2, 3, 32, 32]);
        AssertClose(LayerByLayer(x => network.ForwardStages(x, 0, 0), images), Fused(() => network.ForwardStages(images, 0, 0)));   // stem only
    }

    [Avx512Theory]
    [InlineData(CaptionEncoderSpec.Small)]
    [InlineData(CaptionEncoderSpec.Base)]
    public void Caption_encoder_presets_fused_forward_matches_the_layers(string preset)
    {
        var encoder = new CaptionEncoder(CaptionEncoderSpec.FromPreset(preset), 64, new Generator(10));
        RandomiseStatistics(encoder, seed: 3);
        encoder.Eval();
        var images = Tensor.Randn(new Generator(11), [3, 3, 64, 64]);
        AssertClose(LayerByLayer(x => encoder.Forward(x), images), Fused(() => encoder.Forward(images)));
    }

    [Avx512Fact]
    public void Packed_weights_follow_optimizer_steps_and_state_dict_loads()
    {
        var network = new ResNet(SmallResNet, new Generator(12));
        RandomiseStatistics(network, seed: 4);
        network.Eval();
        var images = Tensor.Randn(new Generator(13), [2, 3, 32, 32]);
        var before = Fused(() => network.Forward(images));

        // An optimizer step on one convolution (in evaluation mode, as fine-tuning with frozen statistics does).
        var weight = network.StateDict()["layer2.0.conv1.weight"];
        weight.RequiresGrad = true;
        weight.Grad = Tensor.Ones(weight.ShapeArray());
        new Sgd([weight], new SgdOptions(LearningRate: 0.05)).Step();
        weight.RequiresGrad = false;
        var afterStep = Fused(() => network.Forward(images));
        Assert.NotEqual(before, afterStep);
        AssertClose(LayerByLayer(x => network.Forward(x), images), afterStep);

        // A state-dict load of other weights.
        var other = new ResNet(SmallResNet, new Generator(14));
        RandomiseStatistics(other, seed: 5);
        network.LoadStateDict(other.StateDict());
        AssertClose(LayerByLayer(x => network.Forward(x), images), Fused(() => network.Forward(images)));
    }

    /// <summary>The layers one by one: an input that wants a gradient keeps the fused path out.</summary>
    private static float[] LayerByLayer(Func<Tensor, Tensor> forward, Tensor input)
    {
        using var scope = new TensorScope();
        var x = input.Detach().WithGrad();
        return forward(x).ToArray();
    }

    private static float[] Fused(Func<Tensor> forward)
    {
        using var noGrad = GradMode.NoGrad();
        using var scope = new TensorScope();
        return forward().ToArray();
    }

    private static void RandomiseStatistics(Module model, int seed)
    {
        var random = new Random(seed);
        foreach (var (name, t) in model.StateDict())
        {
            var d = t.Data;
            for (int i = 0; i < d.Length; i++)
            {
                if (name.EndsWith("running_mean", StringComparison.Ordinal)) d[i] = (float)(random.NextDouble() - 0.5) * 0.2f;
                else if (name.EndsWith("running_var", StringComparison.Ordinal)) d[i] = (float)(0.5 + random.NextDouble());
                else if (name.EndsWith("bn1.weight", StringComparison.Ordinal) || name.EndsWith("bn2.weight", StringComparison.Ordinal) || name.EndsWith(".bn.weight", StringComparison.Ordinal))
                    d[i] = (float)(0.5 + random.NextDouble());
                else if (name.EndsWith(".bias", StringComparison.Ordinal)) d[i] = (float)(random.NextDouble() - 0.5) * 0.2f;
            }
            t.MarkModified();
        }
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = expected.Max(MathF.Abs);
        Assert.True(scale > 0.1f, $"the reference output is near zero (max {scale}); the comparison would say nothing");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-4f * scale + 1e-4f * MathF.Abs(expected[i]), $"element {i}: layers {expected[i]}, fused {actual[i]} (scale {scale})");
    }
}
