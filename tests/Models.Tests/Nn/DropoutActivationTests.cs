// Dropout (identity in eval and at p = 0; ≈p zeroed and 1/(1−p) scaling in training; same seed → same
// mask; gradient uses the same mask), activation/softmax modules as thin wrappers, and Sequential.
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Nn;

public class DropoutActivationTests
{
    [Fact]
    public void Dropout_EvalAndZeroProbability_AreIdentity()
    {
        var x = Tensor.Randn(new Generator(1), [4, 5]);
        var drop = new Dropout(0.5f, new Generator(2));
        drop.Eval();
        Assert.Same(x, drop.Forward(x));
        Assert.Same(x, new Dropout(0f, new Generator(2)).Forward(x));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1f, new Generator(2)));
    }

    [Fact]
    public void Dropout_Train_ZeroesAboutP_ScalesSurvivors_AndIsReproducible()
    {
        const float p = 0.3f;
        var x = Tensor.Full(2f, 100, 100);
        var y = new Dropout(p, new Generator(7)).Forward(x).ToArray();
        int zeros = y.Count(v => v == 0f);
        // Binomial(10000, 0.3): sd ≈ 46, so ±250 is more than 5 sd.
        Assert.InRange(zeros, 3000 - 250, 3000 + 250);
        Assert.All(y.Where(v => v != 0f), v => Assert.Equal(2f / (1 - p), v, 5));
        Assert.Equal(y, new Dropout(p, new Generator(7)).Forward(x).ToArray());
        Assert.NotEqual(y, new Dropout(p, new Generator(8)).Forward(x).ToArray());
    }

    [Fact]
    public void Dropout_GradientUsesTheForwardMask()
    {
        var x = GradCheck.Param(new Generator(3), 1f, 6, 7);
        var y = Functional.Dropout(x, 0.4f, new Generator(4));
        Tensor.SumAll(y).Backward();
        for (int i = 0; i < x.Length; i++)
            Assert.Equal(y.Data[i] == 0f ? 0f : 1f / 0.6f, x.Grad!.Data[i], 5);
    }

    [Fact]
    public void Activations_WrapTensorOps()
    {
        var x = Tensor.FromArray([-2f, -0.5f, 0.5f, 3f], 2, 2);
        Assert.Equal([0f, 0, 0.5f, 3], new ReLU().Forward(x).ToArray());
        Assert.Equal([-0.2f, -0.05f, 0.5f, 3], new LeakyReLU(0.1f).Forward(x).ToArray());
        GradCheck.AssertClose(x.ToArray().Select(v => MathF.Tanh(v)).ToArray(), new Tanh().Forward(x).Data, 1e-6f, 1e-5f);
        GradCheck.AssertClose(x.ToArray().Select(v => 1f / (1f + MathF.Exp(-v))).ToArray(), new Sigmoid().Forward(x).Data, 1e-6f, 1e-5f);
        GradCheck.AssertClose(Tensor.Gelu(x).Data, new GELU().Forward(x).Data, 0, 0);
        var s = new Softmax(0).Forward(x);
        Assert.Equal(1f, s[0, 1] + s[1, 1], 5);
        var ls = new LogSoftmax().Forward(x);
        Assert.Equal(1f, MathF.Exp(ls[0, 0]) + MathF.Exp(ls[0, 1]), 5);
    }

    [Fact]
    public void Sequential_ChainsLayers_WithPyTorchKeys()
    {
        var g = new Generator(5);
        var net = new Sequential(new Linear(3, 4, g), new Tanh(), new Linear(4, 2, g));
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], net.NamedParameters().Select(p => p.Name));
        var x = GradCheck.Param(g, 1f, 5, 3);
        var y = net.Forward(x);
        var manual = ((Linear)net[2]).Forward(Tensor.Tanh(((Linear)net[0]).Forward(x)));
        Assert.Equal(manual.ToArray(), y.ToArray());
        GradCheck.Check(t => net.Forward(t[0]), [x]);
        net.Eval();
        Assert.False(((Module)net[0]).IsTraining);
    }
}
