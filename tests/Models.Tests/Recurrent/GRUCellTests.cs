// GRU cell: forward against PyTorch's equations written out in loops, and finite-difference gradients.
using Pipeline.Models.Nn.Recurrent;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Recurrent;

public class GRUCellTests
{
    private const int Batch = 2, Input = 3, Hidden = 4;

    [Fact]
    public void Forward_matches_textbook_equations()
    {
        var cell = new GRUCell(Input, Hidden, new Generator(1));
        var g = new Generator(2);
        var x = Tensor.Randn(g, [Batch, Input]); var h = Tensor.Randn(g, [Batch, Hidden]);
        var y = cell.Forward(x, h);
        var expected = RecurrentReference.GruStep(x.ToArray(), h.ToArray(), cell.WeightIh.ToArray(), cell.WeightHh.ToArray(), cell.BiasIh.ToArray(), cell.BiasHh.ToArray(), Batch, Input, Hidden);
        Assert.Equal([Batch, Hidden], y.ShapeArray());
        GradCheck.AssertClose(expected, y.ToArray(), 1e-5f, 1e-5f);
        Assert.Equal(["weight_ih", "weight_hh", "bias_ih", "bias_hh"], cell.NamedParameters().Select(n => n.Name));
        Assert.Equal([3 * Hidden, Input], cell.WeightIh.ShapeArray());
    }

    [Fact]
    public void Zero_state_overload_equals_explicit_zeros()
    {
        var cell = new GRUCell(Input, Hidden, new Generator(3));
        var x = Tensor.Randn(new Generator(4), [Batch, Input]);
        Assert.Equal(cell.Forward(x, Tensor.Zeros(Batch, Hidden)).ToArray(), cell.Forward(x).ToArray());
    }

    [Fact]
    public void Gradients_match_finite_differences()
    {
        var cell = new GRUCell(Input, Hidden, new Generator(5));
        foreach (var p in cell.Parameters()) { var d = p.Data; for (int i = 0; i < d.Length; i++) d[i] *= 2f; }   // O(1) weights
        var g = new Generator(6);
        var x = GradCheck.Param(g, 1f, Batch, Input); var h = GradCheck.Param(g, 1f, Batch, Hidden);
        GradCheck.Check(t => cell.Forward(t[0], cell.Forward(t[0], t[1])), [x, h, .. cell.Parameters()]);
    }
}
