// Embedding: lookup equals row copies, backward scatter-adds (repeated ids accumulate), the padding row
// is zero and never learns, freezing stops gradients, pre-trained loading checks its shape.
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Nn;

public class EmbeddingTests
{
    [Fact]
    public void Forward_CopiesRows_WithIdShape()
    {
        var emb = new Embedding(6, 3, new Generator(1));
        int[] ids = [5, 0, 2, 2, 1, 4];
        var y = emb.Forward(ids, [2, 3]);                                             // (2, 3, D)
        Assert.Equal([2, 3, 3], y.ShapeArray());
        for (int i = 0; i < ids.Length; i++)
            for (int d = 0; d < 3; d++) Assert.Equal(emb.Weight[ids[i], d], y.Data[i * 3 + d]);
    }

    [Fact]
    public void Backward_ScatterAddsRows_AndMatchesIndexSelect()
    {
        var g = new Generator(2);
        var w = GradCheck.Param(g, 1f, 5, 4);
        int[] ids = [3, 1, 3, 0, 3];
        GradCheck.Check(t => Functional.Embedding(ids, [5], t[0]), [w]);
        // fused op vs the composed IndexSelect
        var upstream = Tensor.Randn(g, [5, 4]);
        w.Grad = null;
        Tensor.SumAll(Functional.Embedding(ids, [5], w) * upstream).Backward();
        var fused = w.Grad!.ToArray();
        w.Grad = null;
        Tensor.SumAll(Tensor.IndexSelect(w, 0, ids) * upstream).Backward();
        GradCheck.AssertClose(w.Grad!.Data, fused, 1e-6f, 1e-6f);
    }

    [Fact]
    public void PaddingRow_IsZero_AndGetsNoGradient()
    {
        var emb = new Embedding(4, 3, new Generator(3), paddingIndex: 1);
        Assert.All(emb.Weight.Data.Slice(3, 3).ToArray(), v => Assert.Equal(0f, v));
        Tensor.SumAll(emb.Forward([1, 2, 1, 0])).Backward();
        var grad = emb.Weight.Grad!;
        Assert.All(grad.Data.Slice(3, 3).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(grad.Data.Slice(6, 3).ToArray(), v => Assert.Equal(1f, v));
        Assert.All(grad.Data.Slice(0, 3).ToArray(), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void Freeze_RemovesTableFromParameters_AndStopsGradients()
    {
        var emb = new Embedding(4, 2, new Generator(4)).Freeze();
        Assert.True(emb.IsFrozen);
        Assert.Empty(emb.Parameters());
        Assert.False(emb.Forward([0, 3]).RequiresGrad);
        emb.Freeze(false);
        Assert.Single(emb.Parameters());
    }

    [Fact]
    public void LoadPretrained_CopiesValues_AndChecksShape()
    {
        var emb = new Embedding(2, 3, new Generator(5));
        emb.LoadPretrained(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Assert.Equal([1f, 2, 3, 4, 5, 6], emb.Weight.ToArray());
        emb.LoadPretrained(Tensor.Full(7f, 2, 3));
        Assert.All(emb.Weight.ToArray(), v => Assert.Equal(7f, v));
        Assert.Throws<ShapeMismatchException>(() => emb.LoadPretrained(new float[3, 3]));
        Assert.Throws<ShapeMismatchException>(() => emb.LoadPretrained(Tensor.Zeros(2, 4)));
        Assert.Throws<IndexOutOfRangeException>(() => emb.Forward([2]));
    }
}
