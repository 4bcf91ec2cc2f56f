// GRU cell: the fused op against PyTorch's equations written out in loops, against the same cell composed
// from Tensor ops (values and every gradient), and finite-difference gradients.
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

    /// <summary>x, h, W_ih, W_hh, b_ih, b_hh (inputs of scale 1, weights of scale 0.5 or weightScale), all requiring grad.</summary>
    private static Tensor[] Inputs(ulong seed) => Inputs(new Generator(seed), Batch, Input, Hidden, weightScale: 0.5f);

    private static Tensor[] Inputs(Generator g, int batch, int input, int hidden, float weightScale) =>
    [
        GradCheck.Param(g, 1f, batch, input), GradCheck.Param(g, 1f, batch, hidden),
        GradCheck.Param(g, weightScale, 3 * hidden, input), GradCheck.Param(g, weightScale, 3 * hidden, hidden),
        GradCheck.Param(g, weightScale, 3 * hidden), GradCheck.Param(g, weightScale, 3 * hidden),
    ];

    [Fact]
    public void Fused_matches_composed_ops_in_values_and_all_gradients()
    {
        var p = Inputs(7);
        var w = Tensor.Randn(new Generator(8), [Batch, Hidden]);
        GradCheck.AssertSameValuesAndGradients(p, [w],
            () => [RecurrentReference.ComposedGruCell(p[0], p[1], p[2], p[3], p[4], p[5])],
            () => [FusedGruCell.Forward(p[0], p[1], p[2], p[3], p[4], p[5])], 1e-5f, 1e-4f);
    }

    // Forward and every gradient against a double-precision reference (DoubleReference.GruStep), where the float32
    // finite-difference check (tolerance 1e-2) would pass a wrong term smaller than that (e.g. the r factor on the
    // u_n gradient). Each value is a float32 sum of at most I + H + 1 = 43 O(1) products (relative rounding
    // ~√43·6e-8 ≈ 4e-7) through sigmoid/tanh (a few ulps); the weight gradients sum B = 3 such products: 1e-5.
    [Theory]
    [InlineData(4)]
    [InlineData(37)]
    public void Fused_matches_double_precision_reference_in_values_and_all_gradients(int hidden)
    {
        const int batch = 3, input = 5;
        var g = new Generator(200 + (ulong)hidden);
        var p = Inputs(g, batch, input, hidden, weightScale: 0.3f);
        var dh = Tensor.Randn(g, [batch, hidden]);
        var h = FusedGruCell.Forward(p[0], p[1], p[2], p[3], p[4], p[5]);
        Tensor.SumAll(h * dh).Backward();

        var d = p.Select(t => DoubleReference.D(t.ToArray())).ToArray();
        var expected = DoubleReference.GruStep(d[0], d[1], d[2], d[3], d[4], d[5], DoubleReference.D(dh.ToArray()), batch, input, hidden);
        const double atol = 1e-5, rtol = 1e-5;
        DoubleReference.AssertClose("h'", expected.H, h.Data, atol, rtol);
        DoubleReference.AssertClose("dx", expected.Grads.X, p[0].Grad!.Data, atol, rtol);
        DoubleReference.AssertClose("dh", expected.Grads.H, p[1].Grad!.Data, atol, rtol);
        DoubleReference.AssertClose("dW_ih", expected.Grads.WeightIh, p[2].Grad!.Data, atol, rtol);
        DoubleReference.AssertClose("dW_hh", expected.Grads.WeightHh, p[3].Grad!.Data, atol, rtol);
        DoubleReference.AssertClose("db_ih", expected.Grads.BiasIh, p[4].Grad!.Data, atol, rtol);
        DoubleReference.AssertClose("db_hh", expected.Grads.BiasHh, p[5].Grad!.Data, atol, rtol);
    }

    [Fact]
    public void Fused_gradients_match_finite_differences()
    {
        var p = Inputs(9);
        GradCheck.Check(x => FusedGruCell.Forward(x[0], x[1], x[2], x[3], x[4], x[5]), p);
    }

    [Fact]
    public void Precomputed_input_gates_overload_matches_and_passes_gradcheck()
    {
        var p = Inputs(10);
        var y1 = FusedGruCell.Forward(p[0], p[1], p[2], p[3], p[4], p[5]);
        var inputGates = (Tensor.MatMul(p[0], p[2], transposeB: true) + p[4]).Detach().Clone().WithGrad();   // (B, 3H)
        var y2 = FusedGruCell.Forward(inputGates, p[1], p[3], p[5]);
        GradCheck.AssertClose(y1.ToArray(), y2.ToArray(), 1e-6f, 1e-5f);
        GradCheck.Check(x => FusedGruCell.Forward(x[0], x[1], x[2], x[3]), [inputGates, p[1], p[3], p[5]]);
    }
}
