// One LSTM step as a single fused op (Hochreiter & Schmidhuber 1997, PyTorch's formulation):
//   a = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh            (B, 4H), gate blocks in the order i, f, g, o
//   i = σ(a_i)  f = σ(a_f)  g = tanh(a_g)  o = σ(a_o)
//   c' = f ⊙ c + i ⊙ g       h' = o ⊙ tanh(c')
// Why fused: composed from Tensor ops one step records ~15 nodes and as many temporaries; here the four
// gates come out of two GEMMs into one (B, 4H) buffer, the gate math is one pass, and the backward
// computes all gate gradients in one pass followed by four GEMMs (dx, dh, dW_ih, dW_hh).
// Backward, with dh', dc' the incoming gradients and τ = tanh(c'):
//   dc = dc' + dh' ⊙ o ⊙ (1 − τ²);  do = dh' ⊙ τ;  di = dc ⊙ g;  dg = dc ⊙ i;  df = dc ⊙ c;  dc_prev = dc ⊙ f
//   da_i = di·i(1−i), da_f = df·f(1−f), da_g = dg·(1−g²), da_o = do·o(1−o)
//   dx = da·W_ih, dh = da·W_hh, dW_ih = daᵀ·x, dW_hh = daᵀ·h, db_ih = db_hh = Σ_b da.
// Shape key: B = batch, I = input features, H = hidden size.
using Pipeline.Models.Kernels;
using Pipeline.Models.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Pipeline.Models.Nn.Recurrent;

/// <summary>The fused LSTM cell op: forward and hand-written backward for one time step.</summary>
public static class FusedLstmCell
{
    /// <summary>
    /// One LSTM step. <paramref name="x"/> (B, I), <paramref name="h"/> and <paramref name="c"/> (B, H), weights in
    /// PyTorch layout (W_ih (4H, I), W_hh (4H, H), biases (4H)). Returns (h', c'), each (B, H).
    /// </summary>
    public static (Tensor Hidden, Tensor Cell) Forward(Tensor x, Tensor h, Tensor c, Tensor weightIh, Tensor weightHh, Tensor biasIh, Tensor biasHh)
    {
        const string op = "lstm_cell";
        if (x.Rank != 2 || h.Rank != 2 || c.Rank != 2 || weightIh.Rank != 2 || weightHh.Rank != 2 || biasIh.Rank != 1 || biasHh.Rank != 1)
            throw new ShapeMismatchException(op, "expected x (B, I), h and c (B, H), weights 2-D and biases 1-D");
        int batch = x.Size(0), inputSize = x.Size(1), hidden = h.Size(1), gates = 4 * hidden;
        if (h.Size(0) != batch || c.Size(0) != batch || c.Size(1) != hidden
            || weightIh.Size(0) != gates || weightIh.Size(1) != inputSize
            || weightHh.Size(0) != gates || weightHh.Size(1) != hidden
            || biasIh.Size(0) != gates || biasHh.Size(0) != gates)
            throw new ShapeMismatchException(op,
                $"x {TensorShape.Format(x.Shape)}, h {TensorShape.Format(h.Shape)}, c {TensorShape.Format(c.Shape)}, W_ih {TensorShape.Format(weightIh.Shape)}, " +
                $"W_hh {TensorShape.Format(weightHh.Shape)}, b_ih {TensorShape.Format(biasIh.Shape)}, b_hh {TensorShape.Format(biasHh.Shape)} do not fit B={batch}, I={inputSize}, H={hidden}");

        // act holds the post-activation gates (i, f, g, o), kept for the backward pass.
        var act = Tensor.Uninitialized([batch, gates]);                   // (B, 4H)
        var ad = act.Data;
        Sgemm.Multiply(false, true, batch, gates, inputSize, 1f, x.Data, inputSize, weightIh.Data, inputSize, 0f, ad, gates);
        Sgemm.Multiply(false, true, batch, gates, hidden, 1f, h.Data, hidden, weightHh.Data, hidden, 1f, ad, gates);

        // Packed result: row b is [h'_b, c'_b]; the two outputs are narrowed views of it so one op node owns both.
        var packed = Tensor.Uninitialized([batch, 2 * hidden]);           // (B, 2H)
        var pd = packed.Data; var cd = c.Data; var bi = biasIh.Data; var bh = biasHh.Data;
        for (int b = 0; b < batch; b++)
        {
            var row = ad.Slice(b * gates, gates);
            TP.Add(row, bi, row);
            TP.Add(row, bh, row);
            var gi = row[..hidden]; var gf = row.Slice(hidden, hidden); var gg = row.Slice(2 * hidden, hidden); var go = row.Slice(3 * hidden, hidden);
            TP.Sigmoid(gi, gi); TP.Sigmoid(gf, gf); TP.Tanh(gg, gg); TP.Sigmoid(go, go);
            var hOut = pd.Slice(b * 2 * hidden, hidden); var cOut = pd.Slice(b * 2 * hidden + hidden, hidden);
            var cPrev = cd.Slice(b * hidden, hidden);
            for (int j = 0; j < hidden; j++)
            {
                float cNew = gf[j] * cPrev[j] + gi[j] * gg[j];
                cOut[j] = cNew;
                hOut[j] = go[j] * MathF.Tanh(cNew);
            }
        }

        packed.Record(op, [x, h, c, weightIh, weightHh, biasIh, biasHh], g => Backward(g, packed, act, x, h, c, weightIh, weightHh, biasIh, biasHh));
        return (packed.Narrow(1, 0, hidden), packed.Narrow(1, hidden, hidden));
    }

    private static void Backward(Tensor grad, Tensor packed, Tensor act, Tensor x, Tensor h, Tensor c, Tensor weightIh, Tensor weightHh, Tensor biasIh, Tensor biasHh)
    {
        int batch = x.Size(0), inputSize = x.Size(1), hidden = h.Size(1), gates = 4 * hidden;
        using var dGates = Tensor.Uninitialized([batch, gates]);          // (B, 4H) pre-activation gradients
        var da = dGates.Data; var gd = grad.Data; var ad = act.Data; var pd = packed.Data; var cd = c.Data;
        Span<float> dcPrev = c.RequiresGrad ? c.GradBuffer() : default;
        for (int b = 0; b < batch; b++)
        {
            var row = ad.Slice(b * gates, gates); var drow = da.Slice(b * gates, gates);
            var dh = gd.Slice(b * 2 * hidden, hidden); var dcOut = gd.Slice(b * 2 * hidden + hidden, hidden);
            var cNew = pd.Slice(b * 2 * hidden + hidden, hidden); var cPrev = cd.Slice(b * hidden, hidden);
            for (int j = 0; j < hidden; j++)
            {
                float i = row[j], f = row[hidden + j], gv = row[2 * hidden + j], o = row[3 * hidden + j];
                float tc = MathF.Tanh(cNew[j]);
                float dc = dcOut[j] + dh[j] * o * (1f - tc * tc);
                drow[j] = dc * gv * i * (1f - i);
                drow[hidden + j] = dc * cPrev[j] * f * (1f - f);
                drow[2 * hidden + j] = dc * i * (1f - gv * gv);
                drow[3 * hidden + j] = dh[j] * tc * o * (1f - o);
                if (c.RequiresGrad) dcPrev[b * hidden + j] += dc * f;
            }
        }
        if (x.RequiresGrad) Sgemm.Multiply(false, false, batch, inputSize, gates, 1f, da, gates, weightIh.Data, inputSize, 1f, x.GradBuffer(), inputSize);
        if (h.RequiresGrad) Sgemm.Multiply(false, false, batch, hidden, gates, 1f, da, gates, weightHh.Data, hidden, 1f, h.GradBuffer(), hidden);
        if (weightIh.RequiresGrad) Sgemm.Multiply(true, false, gates, inputSize, batch, 1f, da, gates, x.Data, inputSize, 1f, weightIh.GradBuffer(), inputSize);
        if (weightHh.RequiresGrad) Sgemm.Multiply(true, false, gates, hidden, batch, 1f, da, gates, h.Data, hidden, 1f, weightHh.GradBuffer(), hidden);
        foreach (var bias in (ReadOnlySpan<Tensor>)[biasIh, biasHh])
        {
            if (!bias.RequiresGrad) continue;
            var gb = bias.GradBuffer();
            for (int b = 0; b < batch; b++) TP.Add(gb, da.Slice(b * gates, gates), gb);
        }
    }
}
