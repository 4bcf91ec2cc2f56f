// LSTM cell: the fused op against the textbook equations, against the same cell composed from Tensor
// ops (values and every gradient), and against finite differences; the LSTMCell module's names/shapes.
using Pipeline.Models.Nn.Recurrent;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Recurrent;

public class LSTMCellTests
{
    private const int Batch = 2, Input = 3, Hidden = 4;

    /// <summary>x, h, c, W_ih, W_hh, b_ih, b_hh (inputs of scale 1, weights of scale 0.5 or weightScale), all requiring grad.</summary>
    private static Tensor[] Inputs(ulong seed) => Inputs(new Generator(seed), Batch, Input, Hidden, weightScale: 0.5f);

    private static Tensor[] Inputs(Generator g, int batch, int input, int hidden, float weightScale) =>
    [
        GradCheck.Param(g, 1f, batch, input), GradCheck.Param(g, 1f, batch, hidden), GradCheck.Param(g, 1f, batch, hidden),
        GradCheck.Param(g, weightScale, 4 * hidden, input), GradCheck.Param(g, weightScale, 4 * hidden, hidden),
        GradCheck.Param(g, weightScale, 4 * hidden), GradCheck.Param(g, weightScale, 4 * hidden),
    ];

    [Fact]
    public void Fused_forward_matches_textbook_equations()
    {
        var p = Inputs(1);
        var (h, c) = FusedLstmCell.Forward(p[0], p[1], p[2], p[3], p[4], p[5], p[6]);
        var (hRef, cRef) = RecurrentReference.LstmStep(p[0].ToArray(), p[1].ToArray(), p[2].ToArray(), p[3].ToArray(), p[4].ToArray(), p[5].ToArray(), p[6].ToArray(), Batch, Input, Hidden);
        Assert.Equal([Batch, Hidden], h.ShapeArray());
        Assert.Equal([Batch, Hidden], c.ShapeArray());
        // float32 gate sums of ≤ 8 O(1) terms vs double: a few ulps.
        GradCheck.AssertClose(hRef, h.ToArray(), 1e-5f, 1e-5f);
        GradCheck.AssertClose(cRef, c.ToArray(), 1e-5f, 1e-5f);
    }

    // Hidden 4 is below one vector; 16 and 37 run the SIMD paths of the forward state update and of
    // LstmGateGradients (vector body, and with 37 a scalar tail) for 128-, 256- and 512-bit vectors.
    [Theory]
    [InlineData(4)]
    [InlineData(16)]
    [InlineData(37)]
    public void Fused_matches_composed_ops_in_values_and_all_gradients(int hidden)
    {
        const int batch = 3, input = 5;
        var g = new Generator((ulong)hidden);
        var p = Inputs(g, batch, input, hidden, weightScale: 0.3f);
        var wh = Tensor.Randn(g, [batch, hidden]); var wc = Tensor.Randn(g, [batch, hidden]);
        // Same float32 math in a different order (fused GEMMs vs separate ops): a few ulps of O(1) values.
        GradCheck.AssertSameValuesAndGradients(p, [wh, wc],
            () => { var (h, c) = RecurrentReference.ComposedLstmCell(p[0], p[1], p[2], p[3], p[4], p[5], p[6]); return [h, c]; },
            () => { var (h, c) = FusedLstmCell.Forward(p[0], p[1], p[2], p[3], p[4], p[5], p[6]); return [h, c]; }, 1e-5f, 1e-4f);
    }

    // Forward and every gradient against a double-precision reference (DoubleReference.LstmStep). The float32
    // finite-difference check below tolerates 1e-2; a wrong term in a gate derivative that small (e.g. a missing
    // (1 − i) on a saturated gate) would pass it. Against double the fused kernel must agree to ~1e-5: each value is
    // a float32 sum of at most I + H + 2 = 44 O(1) products (relative rounding ~√44·6e-8 ≈ 4e-7) passed through
    // sigmoid/tanh (TensorPrimitives, a few ulps), and the weight gradients sum B = 3 such products.
    [Theory]
    [InlineData(4)]
    [InlineData(37)]
    public void Fused_matches_double_precision_reference_in_values_and_all_gradients(int hidden)
    {
        const int batch = 3, input = 5;
        var g = new Generator(100 + (ulong)hidden);
        var p = Inputs(g, batch, input, hidden, weightScale: 0.3f);
        var dh = Tensor.Randn(g, [batch, hidden]); var dc = Tensor.Randn(g, [batch, hidden]);
        var (h, c) = FusedLstmCell.Forward(p[0], p[1], p[2], p[3], p[4], p[5], p[6]);
        Tensor.SumAll(h * dh + c * dc).Backward();

        var d = p.Select(t => DoubleReference.D(t.ToArray())).ToArray();
        var expected = DoubleReference.LstmStep(d[0], d[1], d[2], d[3], d[4], d[5], d[6], DoubleReference.D(dh.ToArray()), DoubleReference.D(dc.ToArray()), batch, input, hidden);
        const double atol = 1e-5, rtol = 1e-5;
        DoubleReference.AssertClose("h'", expected.H, h.Data, atol, rtol);
        DoubleReference.AssertClose("c'", expected.C, c.Data, atol, rtol);
        DoubleReference.AssertClose("dx", expected.Grads.X, p[0].Grad!.Data, atol, rtol);
        DoubleReference.AssertClose("dh", expected.Grads.H, p[1].Grad!.Data, atol, rtol);
        DoubleReference.AssertClose("dc", expected.Grads.C, p[2].Grad!.Data, atol, rtol);
        DoubleReference.AssertClose("dW_ih", expected.Grads.WeightIh, p[3].Grad!.Data, atol, rtol);
        DoubleReference.AssertClose("dW_hh", expected.Grads.WeightHh, p[4].Grad!.Data, atol, rtol);
        DoubleReference.AssertClose("db_ih", expected.Grads.BiasIh, p[5].Grad!.Data, atol, rtol);
        DoubleReference.AssertClose("db_hh", expected.Grads.BiasHh, p[6].Grad!.Data, atol, rtol);
    }

    [Fact]
    public void Fused_gradients_match_finite_differences()
    {
        var p = Inputs(3);
        GradCheck.Check(x =>
        {
            var (h, c) = FusedLstmCell.Forward(x[0], x[1], x[2], x[3], x[4], x[5], x[6]);
            return Tensor.Concat([h, c], 1);
        }, p);
    }

    [Fact]
    public void Module_has_pytorch_names_and_shapes_and_passes_gradcheck()
    {
        var cell = new LSTMCell(Input, Hidden, new Generator(4));
        Assert.Equal(["weight_ih", "weight_hh", "bias_ih", "bias_hh"], cell.NamedParameters().Select(n => n.Name));
        Assert.Equal([4 * Hidden, Input], cell.WeightIh.ShapeArray());
        Assert.Equal([4 * Hidden, Hidden], cell.WeightHh.ShapeArray());
        var g = new Generator(5);
        var x = GradCheck.Param(g, 1f, Batch, Input); var h = GradCheck.Param(g, 1f, Batch, Hidden); var c = GradCheck.Param(g, 1f, Batch, Hidden);
        GradCheck.Check(t =>
        {
            var (h1, c1) = cell.Forward(t[0], (t[1], t[2]));
            var (h2, c2) = cell.Forward(h1.Narrow(1, 0, Input), (h1, c1));   // two steps, the second fed from the first
            return Tensor.Concat([h2, c2], 1);
        }, [x, h, c, .. cell.Parameters()]);
    }

    [Fact]
    public void Fused_rejects_mismatched_shapes()
    {
        var p = Inputs(6);
        Assert.Throws<ShapeMismatchException>(() => FusedLstmCell.Forward(p[0], p[1], p[2], p[4], p[4], p[5], p[6]));
    }

    [Fact]
    public void Precomputed_input_gates_overload_matches_and_passes_gradcheck()
    {
        var p = Inputs(7);
        var (h1, c1) = FusedLstmCell.Forward(p[0], p[1], p[2], p[3], p[4], p[5], p[6]);
        var inputGates = (Tensor.MatMul(p[0], p[3], transposeB: true) + p[5]).Detach().Clone().WithGrad();   // (B, 4H)
        var (h2, c2) = FusedLstmCell.Forward(inputGates, p[1], p[2], p[4], p[6]);
        GradCheck.AssertClose(h1.ToArray(), h2.ToArray(), 1e-6f, 1e-5f);
        GradCheck.AssertClose(c1.ToArray(), c2.ToArray(), 1e-6f, 1e-5f);
        GradCheck.Check(x =>
        {
            var (h, c) = FusedLstmCell.Forward(x[0], x[1], x[2], x[3], x[4]);
            return Tensor.Concat([h, c], 1);
        }, [inputGates, p[1], p[2], p[4], p[6]]);
    }
}
