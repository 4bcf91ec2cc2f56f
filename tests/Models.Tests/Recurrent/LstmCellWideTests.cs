// The fused LSTM cell at hidden sizes wide enough for its SIMD paths (vector body + scalar tail of the
// forward state update and of LstmGateGradients) against the cell composed from Tensor ops.
using Pipeline.Models.Nn.Recurrent;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Recurrent;

public class LstmCellWideTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(37)]
    public void Fused_matches_composed_at_vector_widths(int hidden)
    {
        const int batch = 3, input = 5;
        var g = new Generator((ulong)hidden);
        Tensor[] p =
        [
            GradCheck.Param(g, 1f, batch, input), GradCheck.Param(g, 1f, batch, hidden), GradCheck.Param(g, 1f, batch, hidden),
            GradCheck.Param(g, 0.3f, 4 * hidden, input), GradCheck.Param(g, 0.3f, 4 * hidden, hidden),
            GradCheck.Param(g, 0.3f, 4 * hidden), GradCheck.Param(g, 0.3f, 4 * hidden),
        ];
        var wh = Tensor.Randn(g, [batch, hidden]); var wc = Tensor.Randn(g, [batch, hidden]);

        float[][] Run(bool fused)
        {
            foreach (var t in p) t.Grad = null;
            var (h, c) = fused ? FusedLstmCell.Forward(p[0], p[1], p[2], p[3], p[4], p[5], p[6]) : RecurrentReference.ComposedLstmCell(p[0], p[1], p[2], p[3], p[4], p[5], p[6]);
            Tensor.SumAll(h * wh + c * wc).Backward();
            return [h.ToArray(), c.ToArray(), .. p.Select(t => t.Grad!.ToArray())];
        }
        var composed = Run(fused: false);
        var fusedResult = Run(fused: true);
        for (int i = 0; i < composed.Length; i++)
            GradCheck.AssertClose(composed[i], fusedResult[i], 1e-5f, 1e-4f);
    }
}
