// Checkpoint behaviour of the layers: PyTorch-style keys (weights, biases, batch-norm buffers) and a
// strict state-dict round trip that reproduces a trained network's outputs exactly.
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Nn;

public class LayerStateTests
{
    private static Sequential MakeNet(ulong seed)
    {
        var g = new Generator(seed);
        return new Sequential(new Conv2d(2, 3, 3, g, padding: 1), new BatchNorm2d(3), new ReLU(),
            new AdaptiveAvgPool2d(1), new Flatten(), new Dropout(0.5f, g), new Linear(3, 2, g));
    }

    [Fact]
    public void StateDict_UsesPyTorchKeys()
    {
        Assert.Equal(
            ["0.weight", "0.bias", "1.weight", "1.bias", "6.weight", "6.bias", "1.running_mean", "1.running_var"],
            MakeNet(1).StateDict().Keys);
    }

    [Fact]
    public void StateDictRoundTrip_ReproducesEvalOutputs()
    {
        var source = MakeNet(1);
        var x = Tensor.Randn(new Generator(9), [4, 2, 5, 5]);
        source.Forward(x);                                                            // moves running statistics
        source.Eval();
        var expected = source.Forward(x).ToArray();
        var target = MakeNet(2);
        target.LoadStateDict(source.StateDict());
        target.Eval();
        Assert.Equal(expected, target.Forward(x).ToArray());
        var wrong = new Dictionary<string, Tensor>(source.StateDict()) { ["6.weight"] = Tensor.Zeros(3, 3) };
        Assert.Throws<InvalidDataException>(() => target.LoadStateDict(wrong));
    }
}
