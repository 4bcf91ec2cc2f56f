// End-to-end check that the layers learn together: a conv-bn-relu-pool-linear network overfits 8 random
// 8×8 images with 4 classes using plain SGD (p ← p − lr·∇p under NoGrad; the optimizers live in another
// branch), and two runs from the same seed produce bit-identical loss curves.
using Pipeline.Models.Autograd;
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Nn;

public class SmallCnnTrainingTests
{
    private static float[] Train(ulong seed, int steps)
    {
        var g = new Generator(seed);
        var net = new Sequential(
            new Conv2d(1, 6, 3, g, padding: 1),                                      // (8, 6, 8, 8)
            new BatchNorm2d(6),
            new ReLU(),
            new MaxPool2d(2),                                                        // (8, 6, 4, 4)
            new Flatten(),                                                           // (8, 96)
            new Linear(96, 4, g));                                                   // (8, 4)
        var images = Tensor.Randn(g, [8, 1, 8, 8]);                                  // (B, C, H, W)
        int[] labels = [0, 1, 2, 3, 0, 1, 2, 3];
        var criterion = new CrossEntropyLoss();
        var losses = new float[steps];
        const float learningRate = 0.1f;
        for (int step = 0; step < steps; step++)
        {
            using var scope = new TensorScope();
            net.ZeroGrad();
            var loss = criterion.Forward(net.Forward(images), labels);
            losses[step] = loss.Item();
            loss.Backward();
            using (GradMode.NoGrad())
                foreach (var p in net.Parameters())
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(p.Grad!.Data, -learningRate, p.Data, p.Data);
        }
        return losses;
    }

    [Fact]
    public void OverfitsTinyBatch_Deterministically()
    {
        var first = Train(42, 150);
        Assert.True(first[^1] < 0.05f, $"final loss {first[^1]} (start {first[0]})");
        Assert.True(first[0] > 1f, $"initial loss {first[0]} should be near ln 4");
        var second = Train(42, 150);
        Assert.Equal(first, second);
    }
}
