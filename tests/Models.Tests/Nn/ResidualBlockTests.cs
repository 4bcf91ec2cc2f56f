// ResidualBlock: torchvision parameter names, identity vs projection shortcut, forward equal to the
// block written out with the functional ops, and finite-difference gradients through the whole block.
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Nn;

public class ResidualBlockTests
{
    [Fact]
    public void IdentityBlock_HasNoDownsample_AndMatchesComposition()
    {
        var g = new Generator(1);
        var block = new ResidualBlock(3, 3, g);
        Assert.Null(block.Downsample);
        Assert.Equal(["conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias"], block.NamedParameters().Select(p => p.Name));
        var x = Tensor.Randn(g, [2, 3, 5, 5]);
        var y = block.Forward(x);
        var p = block.StateDict();
        Tensor Bn(Tensor t, string name) => Functional.BatchNorm(t, null, null, p[name + ".weight"], p[name + ".bias"], training: true);
        var h = Tensor.Relu(Bn(Functional.Conv2d(x, p["conv1.weight"], padding: (1, 1)), "bn1"));
        var expected = Tensor.Relu(Bn(Functional.Conv2d(h, p["conv2.weight"], padding: (1, 1)), "bn2") + x);
        GradCheck.AssertClose(expected.Data, y.Data, 1e-5f, 1e-5f);
    }

    [Fact]
    public void ProjectionBlock_DownsamplesAndChangesChannels()
    {
        var g = new Generator(2);
        var block = new ResidualBlock(2, 4, g, stride: 2);
        Assert.NotNull(block.Downsample);
        Assert.Contains("downsample.0.weight", block.StateDict().Keys);
        Assert.Contains("downsample.1.running_var", block.StateDict().Keys);
        var y = block.Forward(Tensor.Randn(g, [2, 2, 7, 6]));
        Assert.Equal([2, 4, 4, 3], y.ShapeArray());
        Assert.All(y.ToArray(), v => Assert.True(v >= 0f));
    }

    [Fact]
    public void Gradients_MatchFiniteDifferences_InEvalMode()
    {
        // Eval mode keeps batch statistics fixed, so the check isolates the convolutions, shortcut and ReLUs;
        // training-mode batch norm is checked on its own in NormalizationTests. eps is 1e-3 rather than 1e-2
        // because one weight probe moves dozens of pre-activations, and a ±1e-2 step lets some cross a ReLU kink.
        var g = new Generator(3);
        var block = new ResidualBlock(2, 3, g, stride: 2);
        foreach (var (_, buffer) in block.NamedBuffers())
            if (buffer.Name == "running_var") buffer.Data.Fill(0.5f);
        block.Eval();
        var x = GradCheck.Param(g, 1f, 2, 2, 5, 5);
        var parameters = block.NamedParameters().Select(p => p.Tensor).ToArray();
        GradCheck.Check(t => block.Forward(t[0]), [x, .. parameters], eps: 1e-3f, atol: 2e-2f, rtol: 2e-2f);
    }
}
