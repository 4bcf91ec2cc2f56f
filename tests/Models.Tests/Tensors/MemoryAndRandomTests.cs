// Scoped buffer reuse, view lifetimes, and the seeded generator's determinism and saved state.
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Tensors;

[Collection(Pipeline.Models.Tests.Support.SerialCollection.Name)]
public class MemoryAndRandomTests
{
    [Fact]
    public void ScopeDisposesOpResultsButNotKeptOnesOrLeaves()
    {
        var leaf = Tensor.Ones(4, 4);
        Tensor temp, kept;
        using (new TensorScope())
        {
            temp = leaf * 2f;
            kept = (leaf + 1f).Keep();
        }
        Assert.True(temp.IsDisposed);
        Assert.False(kept.IsDisposed);
        Assert.False(leaf.IsDisposed);
        Assert.Equal(2f, kept[0, 0]);
    }

    [Fact]
    public void SteadyStateStepsReuseBuffers()
    {
        var w = Tensor.Ones(64, 64).WithGrad();
        void Step()
        {
            using var scope = new TensorScope();
            var y = Tensor.Tanh(Tensor.MatMul(w, w)) * 0.5f;
            Tensor.MeanAll(y).Backward();
        }
        Step(); Step();
        long before = BufferPool.Allocations;
        for (int i = 0; i < 10; i++) Step();
        Assert.Equal(before, BufferPool.Allocations);
    }

    [Fact]
    public void ViewsKeepStorageAliveAfterTheBaseIsDisposed()
    {
        Tensor view;
        using (new TensorScope())
        {
            var x = Tensor.Arange(0, 6) * 1f;
            view = x.Reshape(2, 3).Keep();
        }
        Assert.Equal(5f, view[1, 2]);
    }

    [Fact]
    public void GeneratorIsDeterministicAndRestorable()
    {
        var a = new Generator(42);
        var b = new Generator(42);
        Assert.Equal(Enumerable.Range(0, 10).Select(_ => a.NextUInt64()), Enumerable.Range(0, 10).Select(_ => b.NextUInt64()));
        a.NextNormal();                           // leaves a spare normal in the state
        var state = a.GetState();
        var expected = Enumerable.Range(0, 5).Select(_ => a.NextNormal()).ToArray();
        var c = new Generator(0);
        c.SetState(state);
        Assert.Equal(expected, Enumerable.Range(0, 5).Select(_ => c.NextNormal()).ToArray());
        Assert.NotEqual(new Generator(1).NextUInt64(), new Generator(2).NextUInt64());
    }

    [Fact]
    public void RandomDistributionsHaveTheRightMoments()
    {
        var g = new Generator(5);
        var n = Tensor.Randn(g, [20000], 1f, 2f).ToArray();
        double mean = n.Average(), std = Math.Sqrt(n.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, 0.95, 1.05);   // 3σ of the sample mean is 0.042
        Assert.InRange(std, 1.95, 2.05);
        var u = Tensor.Rand(g, [20000], -1f, 3f).ToArray();
        Assert.True(u.Min() >= -1f && u.Max() < 3f);
        Assert.InRange(u.Average(), 0.95, 1.05);
        var counts = new int[7];
        for (int i = 0; i < 70000; i++) counts[g.NextInt(7)]++;
        Assert.All(counts, c => Assert.InRange(c, 9600, 10400));
    }

    [Fact]
    public void FactoriesAndErrors()
    {
        Assert.Equal(new float[] { 0, 0.5f, 1, 1.5f }, Tensor.Arange(0, 2, 0.5f).ToArray());
        Assert.Equal(new float[] { 7, 7 }, Tensor.Full(7, 2).ToArray());
        Assert.Equal(3f, Tensor.Scalar(3).Item());
        Assert.Throws<ShapeMismatchException>(() => Tensor.FromArray([1f, 2f, 3f], 2, 2));
        Assert.Throws<InvalidOperationException>(() => Tensor.Ones(2).Item());
    }
}
