// One GRU step as a single fused op, with exactly PyTorch's equations (Cho et al. 2014 with the reset
// gate applied to the projected hidden state):
//   a = x·W_ihᵀ + b_ih (B, 3H),  u = h·W_hhᵀ + b_hh (B, 3H), gate blocks r, z, n
//   r = σ(a_r + u_r)   z = σ(a_z + u_z)   n = tanh(a_n + r ⊙ u_n)   h' = (1 − z) ⊙ n + z ⊙ h
// Why fused: the composed step (GRUCell.Step) records ~14 nodes per step; here it is two GEMMs, one
// elementwise pass, and a backward of one pass plus four GEMMs. Backward with dh' the incoming gradient:
//   dn = dh'(1 − z),  dz = dh'(h − n),  dh_direct = dh' z
//   δn = dn (1 − n²),  δr = δn·u_n·r(1 − r),  δz = dz·z(1 − z)
//   da = [δr, δz, δn],  du = [δr, δz, δn ⊙ r]
//   dx = da·W_ih, dh = du·W_hh + dh_direct, dW_ih = daᵀx, dW_hh = duᵀh, db_ih = Σ_b da, db_hh = Σ_b du.
// A second overload takes the input half x·W_ihᵀ + b_ih precomputed (one GEMM over all time steps in a layer).
// Shape key: B = batch, I = input features, H = hidden size.
using Pipeline.Models.Kernels;
using Pipeline.Models.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Pipeline.Models.Nn.Recurrent;

/// <summary>The fused GRU cell op: forward and hand-written backward for one time step.</summary>
public static class FusedGruCell
{
    /// <summary>
    /// One GRU step. <paramref name="x"/> (B, I), <paramref name="h"/> (B, H), weights in PyTorch layout
    /// (W_ih (3H, I), W_hh (3H, H), biases (3H)). Returns h' (B, H).
    /// </summary>
    public static Tensor Forward(Tensor x, Tensor h, Tensor weightIh, Tensor weightHh, Tensor biasIh, Tensor biasHh)
    {
        if (x.Rank != 2 || h.Rank != 2 || weightIh.Rank != 2 || biasIh.Rank != 1)
            throw new ShapeMismatchException(Op, "expected x (B, I), h (B, H), W_ih (3H, I) and b_ih (3H)");
        int gates = 3 * h.Size(1);
        if (weightIh.Size(0) != gates || weightIh.Size(1) != x.Size(1) || biasIh.Size(0) != gates)
            throw new ShapeMismatchException(Op, $"x {TensorShape.Format(x.Shape)}, W_ih {TensorShape.Format(weightIh.Shape)}, b_ih {TensorShape.Format(biasIh.Shape)} do not fit H={h.Size(1)}");
        return Core(x, weightIh, biasIh, null, h, weightHh, biasHh);
    }

    /// <summary>
    /// One GRU step from a precomputed input projection <paramref name="inputGates"/> = x·W_ihᵀ + b_ih (B, 3H), e.g. one
    /// row block of a single GEMM over all time steps. Otherwise as the other overload.
    /// </summary>
    public static Tensor Forward(Tensor inputGates, Tensor h, Tensor weightHh, Tensor biasHh)
    {
        if (inputGates.Rank != 2 || h.Rank != 2 || inputGates.Size(1) != 3 * h.Size(1))
            throw new ShapeMismatchException(Op, $"input gates {TensorShape.Format(inputGates.Shape)} are not (B, 3H) for h {TensorShape.Format(h.Shape)}");
        return Core(null, null, null, inputGates, h, weightHh, biasHh);
    }

    private const string Op = "gru_cell";

    /// <summary>Either (x, W_ih, b_ih) or the precomputed <paramref name="projected"/> input gates is given.</summary>
    private static Tensor Core(Tensor? x, Tensor? weightIh, Tensor? biasIh, Tensor? projected, Tensor h, Tensor weightHh, Tensor biasHh)
    {
        if (weightHh.Rank != 2 || biasHh.Rank != 1)
            throw new ShapeMismatchException(Op, "expected W_hh (3H, H) and b_hh (3H)");
        int batch = h.Size(0), hidden = h.Size(1), gates = 3 * hidden, inputSize = x?.Size(1) ?? 0;
        int rows = x?.Size(0) ?? projected!.Size(0);
        if (rows != batch || weightHh.Size(0) != gates || weightHh.Size(1) != hidden || biasHh.Size(0) != gates)
            throw new ShapeMismatchException(Op,
                $"{rows} input rows, h {TensorShape.Format(h.Shape)}, W_hh {TensorShape.Format(weightHh.Shape)}, b_hh {TensorShape.Format(biasHh.Shape)} do not fit B={batch}, H={hidden}");

        var inputGates = Tensor.Uninitialized([batch, gates]);     // (B, 3H) a, then overwritten with (r, z, n)
        var hiddenGates = Tensor.Uninitialized([batch, gates]);    // (B, 3H) u; its n block is needed by backward
        var ad = inputGates.Data; var ud = hiddenGates.Data;
        if (x is not null)
        {
            Sgemm.Multiply(false, true, batch, gates, inputSize, 1f, x.Data, inputSize, weightIh!.Data, inputSize, 0f, ad, gates);
            for (int b = 0; b < batch; b++) { var a = ad.Slice(b * gates, gates); TP.Add(a, biasIh!.Data, a); }
        }
        else projected!.Data.CopyTo(ad);
        Sgemm.Multiply(false, true, batch, gates, hidden, 1f, h.Data, hidden, weightHh.Data, hidden, 0f, ud, gates);

        var y = Tensor.Uninitialized([batch, hidden]);             // (B, H)
        var yd = y.Data; var hd = h.Data; var bh = biasHh.Data;
        for (int b = 0; b < batch; b++)
        {
            var a = ad.Slice(b * gates, gates); var u = ud.Slice(b * gates, gates);
            TP.Add(u, bh, u);
            var r = a[..hidden]; var z = a.Slice(hidden, hidden); var n = a.Slice(2 * hidden, hidden);
            TP.Add(r, u[..hidden], r); TP.Sigmoid(r, r);
            TP.Add(z, u.Slice(hidden, hidden), z); TP.Sigmoid(z, z);
            var un = u.Slice(2 * hidden, hidden);
            for (int j = 0; j < hidden; j++) n[j] = MathF.Tanh(n[j] + r[j] * un[j]);
            var hPrev = hd.Slice(b * hidden, hidden); var hOut = yd.Slice(b * hidden, hidden);
            for (int j = 0; j < hidden; j++) hOut[j] = (1f - z[j]) * n[j] + z[j] * hPrev[j];
        }

        Tensor[] inputs = x is not null ? [x, h, weightIh!, weightHh, biasIh!, biasHh] : [projected!, h, weightHh, biasHh];
        return y.Record(Op, inputs, g =>
        {
            using var dInput = Tensor.Uninitialized([batch, gates]);    // (B, 3H) gradient of a
            using var dHidden = Tensor.Uninitialized([batch, gates]);   // (B, 3H) gradient of u
            var da = dInput.Data; var du = dHidden.Data; var gd = g.Data; var act = inputGates.Data; var u = hiddenGates.Data; var hPrevData = h.Data;
            Span<float> dh = h.RequiresGrad ? h.GradBuffer() : default;
            for (int b = 0; b < batch; b++)
            {
                int row = b * gates;
                for (int j = 0; j < hidden; j++)
                {
                    float r = act[row + j], z = act[row + hidden + j], n = act[row + 2 * hidden + j], un = u[row + 2 * hidden + j];
                    float dOut = gd[b * hidden + j], hPrev = hPrevData[b * hidden + j];
                    float deltaN = dOut * (1f - z) * (1f - n * n);
                    float deltaR = deltaN * un * r * (1f - r);
                    float deltaZ = dOut * (hPrev - n) * z * (1f - z);
                    da[row + j] = deltaR; da[row + hidden + j] = deltaZ; da[row + 2 * hidden + j] = deltaN;
                    du[row + j] = deltaR; du[row + hidden + j] = deltaZ; du[row + 2 * hidden + j] = deltaN * r;
                    if (h.RequiresGrad) dh[b * hidden + j] += dOut * z;
                }
            }
            if (x is not null)
            {
                if (x.RequiresGrad) Sgemm.Multiply(false, false, batch, inputSize, gates, 1f, da, gates, weightIh!.Data, inputSize, 1f, x.GradBuffer(), inputSize);
                if (weightIh!.RequiresGrad) Sgemm.Multiply(true, false, gates, inputSize, batch, 1f, da, gates, x.Data, inputSize, 1f, weightIh.GradBuffer(), inputSize);
                if (biasIh!.RequiresGrad) { var gb = biasIh.GradBuffer(); for (int b = 0; b < batch; b++) TP.Add(gb, da.Slice(b * gates, gates), gb); }
            }
            else if (projected!.RequiresGrad) { var gp = projected.GradBuffer(); TP.Add(gp, da, gp); }
            if (h.RequiresGrad) Sgemm.Multiply(false, false, batch, hidden, gates, 1f, du, gates, weightHh.Data, hidden, 1f, dh, hidden);
            if (weightHh.RequiresGrad) Sgemm.Multiply(true, false, gates, hidden, batch, 1f, du, gates, hPrevData, hidden, 1f, weightHh.GradBuffer(), hidden);
            if (biasHh.RequiresGrad) { var gb = biasHh.GradBuffer(); for (int b = 0; b < batch; b++) TP.Add(gb, du.Slice(b * gates, gates), gb); }
        });
    }
}
