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
// A second overload takes the input half x·W_ihᵀ + b_ih precomputed: a multi-step layer projects all T
// steps in one (T·B, I)×(I, 4H) GEMM and only the recurrent half remains inside the time loop.
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
        if (x.Rank != 2 || weightIh.Rank != 2 || biasIh.Rank != 1 || h.Rank != 2)
            throw new ShapeMismatchException(Op, "expected x (B, I), h (B, H), W_ih (4H, I) and b_ih (4H)");
        int gates = 4 * h.Size(1);
        if (weightIh.Size(0) != gates || weightIh.Size(1) != x.Size(1) || biasIh.Size(0) != gates)
            throw new ShapeMismatchException(Op, $"x {TensorShape.Format(x.Shape)}, W_ih {TensorShape.Format(weightIh.Shape)}, b_ih {TensorShape.Format(biasIh.Shape)} do not fit H={h.Size(1)}");
        return Core(new InputSide(x, weightIh, biasIh, null), h, c, weightHh, biasHh);
    }

    /// <summary>
    /// One LSTM step from a precomputed input projection <paramref name="inputGates"/> = x·W_ihᵀ + b_ih (B, 4H), e.g.
    /// one row block of a single GEMM over all time steps. Otherwise as the other overload.
    /// </summary>
    public static (Tensor Hidden, Tensor Cell) Forward(Tensor inputGates, Tensor h, Tensor c, Tensor weightHh, Tensor biasHh)
    {
        if (inputGates.Rank != 2 || h.Rank != 2 || inputGates.Size(1) != 4 * h.Size(1))
            throw new ShapeMismatchException(Op, $"input gates {TensorShape.Format(inputGates.Shape)} are not (B, 4H) for h {TensorShape.Format(h.Shape)}");
        return Core(new InputSide(null, null, null, inputGates), h, c, weightHh, biasHh);
    }

    private const string Op = "lstm_cell";

    /// <summary>Where the input half of the gates comes from: x with W_ih and b_ih, or a precomputed projection.</summary>
    private readonly record struct InputSide(Tensor? X, Tensor? WeightIh, Tensor? BiasIh, Tensor? Gates);

    private static (Tensor Hidden, Tensor Cell) Core(InputSide input, Tensor h, Tensor c, Tensor weightHh, Tensor biasHh)
    {
        if (c.Rank != 2 || weightHh.Rank != 2 || biasHh.Rank != 1)
            throw new ShapeMismatchException(Op, "expected c (B, H), W_hh (4H, H) and b_hh (4H)");
        int batch = h.Size(0), hidden = h.Size(1), gates = 4 * hidden;
        int rows = input.X?.Size(0) ?? input.Gates!.Size(0);
        if (rows != batch || c.Size(0) != batch || c.Size(1) != hidden
            || weightHh.Size(0) != gates || weightHh.Size(1) != hidden || biasHh.Size(0) != gates)
            throw new ShapeMismatchException(Op,
                $"{rows} input rows, h {TensorShape.Format(h.Shape)}, c {TensorShape.Format(c.Shape)}, W_hh {TensorShape.Format(weightHh.Shape)}, " +
                $"b_hh {TensorShape.Format(biasHh.Shape)} do not fit B={batch}, H={hidden}");

        // act holds the post-activation gates (i, f, g, o), kept for the backward pass.
        var act = Tensor.Uninitialized([batch, gates]);                   // (B, 4H)
        var ad = act.Data;
        if (input.X is { } x)
        {
            int inputSize = x.Size(1);
            Sgemm.Multiply(false, true, batch, gates, inputSize, 1f, x.Data, inputSize, input.WeightIh!.Data, inputSize, 0f, ad, gates);
            for (int b = 0; b < batch; b++) { var row = ad.Slice(b * gates, gates); TP.Add(row, input.BiasIh!.Data, row); }
        }
        else input.Gates!.Data.CopyTo(ad);
        Sgemm.Multiply(false, true, batch, gates, hidden, 1f, h.Data, hidden, weightHh.Data, hidden, 1f, ad, gates);

        // Packed result: row b is [h'_b, c'_b]; the two outputs are narrowed views of it so one op node owns both.
        var packed = Tensor.Uninitialized([batch, 2 * hidden]);           // (B, 2H)
        var pd = packed.Data; var cd = c.Data; var bh = biasHh.Data;
        for (int b = 0; b < batch; b++)
        {
            var row = ad.Slice(b * gates, gates);
            TP.Add(row, bh, row);
            var gi = row[..hidden]; var gf = row.Slice(hidden, hidden); var gg = row.Slice(2 * hidden, hidden); var go = row.Slice(3 * hidden, hidden);
            TP.Sigmoid(gi, gi); TP.Sigmoid(gf, gf); TP.Tanh(gg, gg); TP.Sigmoid(go, go);
            var hOut = pd.Slice(b * 2 * hidden, hidden); var cOut = pd.Slice(b * 2 * hidden + hidden, hidden);
            var cPrev = cd.Slice(b * hidden, hidden);
            // c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c'), in SIMD passes (a scalar MathF.Tanh per element was slower than the GEMMs).
            TP.Multiply(gf, cPrev, cOut);
            TP.MultiplyAdd(gi, gg, cOut, cOut);
            TP.Tanh(cOut, hOut);
            TP.Multiply(hOut, go, hOut);
        }

        Tensor[] inputs = input.X is not null ? [input.X, h, c, input.WeightIh!, weightHh, input.BiasIh!, biasHh] : [input.Gates!, h, c, weightHh, biasHh];
        packed.Record(Op, inputs, g => Backward(g, packed, act, input, h, c, weightHh, biasHh));
        return (packed.Narrow(1, 0, hidden), packed.Narrow(1, hidden, hidden));
    }

    private static void Backward(Tensor grad, Tensor packed, Tensor act, InputSide input, Tensor h, Tensor c, Tensor weightHh, Tensor biasHh)
    {
        int batch = h.Size(0), hidden = h.Size(1), gates = 4 * hidden;
        using var dGates = Tensor.Uninitialized([batch, gates]);          // (B, 4H) pre-activation gradients
        var da = dGates.Data; var gd = grad.Data; var ad = act.Data; var pd = packed.Data; var cd = c.Data;
        Span<float> dcPrev = c.RequiresGrad ? c.GradBuffer() : default;
        var tanhC = BufferPool.Rent(hidden);                                 // tanh(c') of one row
        for (int b = 0; b < batch; b++)
        {
            var row = ad.Slice(b * gates, gates); var drow = da.Slice(b * gates, gates);
            var dh = gd.Slice(b * 2 * hidden, hidden); var dcOut = gd.Slice(b * 2 * hidden + hidden, hidden);
            var cNew = pd.Slice(b * 2 * hidden + hidden, hidden); var cPrev = cd.Slice(b * hidden, hidden);
            TP.Tanh(cNew, tanhC);
            int done = LstmGateGradients.Accumulate(row, tanhC, dh, dcOut, cPrev, drow, c.RequiresGrad ? dcPrev.Slice(b * hidden, hidden) : default, hidden);
            for (int j = done; j < hidden; j++)
            {
                float i = row[j], f = row[hidden + j], gv = row[2 * hidden + j], o = row[3 * hidden + j];
                float tc = tanhC[j];
                float dc = dcOut[j] + dh[j] * o * (1f - tc * tc);
                drow[j] = dc * gv * i * (1f - i);
                drow[hidden + j] = dc * cPrev[j] * f * (1f - f);
                drow[2 * hidden + j] = dc * i * (1f - gv * gv);
                drow[3 * hidden + j] = dh[j] * tc * o * (1f - o);
                if (c.RequiresGrad) dcPrev[b * hidden + j] += dc * f;
            }
        }
        BufferPool.Return(tanhC);
        if (input.X is { } x)
        {
            int inputSize = x.Size(1);
            if (x.RequiresGrad) Sgemm.Multiply(false, false, batch, inputSize, gates, 1f, da, gates, input.WeightIh!.Data, inputSize, 1f, x.GradBuffer(), inputSize);
            if (input.WeightIh!.RequiresGrad) Sgemm.Multiply(true, false, gates, inputSize, batch, 1f, da, gates, x.Data, inputSize, 1f, input.WeightIh.GradBuffer(), inputSize);
            AccumulateRowSum(input.BiasIh!, da, batch, gates);
        }
        else if (input.Gates!.RequiresGrad) { var gg = input.Gates.GradBuffer(); TP.Add(gg, da, gg); }
        if (h.RequiresGrad) Sgemm.Multiply(false, false, batch, hidden, gates, 1f, da, gates, weightHh.Data, hidden, 1f, h.GradBuffer(), hidden);
        if (weightHh.RequiresGrad) Sgemm.Multiply(true, false, gates, hidden, batch, 1f, da, gates, h.Data, hidden, 1f, weightHh.GradBuffer(), hidden);
        AccumulateRowSum(biasHh, da, batch, gates);
    }

    /// <summary>bias.grad += Σ_b rows of <paramref name="d"/> (B, G).</summary>
    private static void AccumulateRowSum(Tensor bias, ReadOnlySpan<float> d, int batch, int width)
    {
        if (!bias.RequiresGrad) return;
        var gb = bias.GradBuffer();
        for (int b = 0; b < batch; b++) TP.Add(gb, d.Slice(b * width, width), gb);
    }
}
