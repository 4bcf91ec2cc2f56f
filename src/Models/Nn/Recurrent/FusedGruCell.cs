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
        const string op = "gru_cell";
        if (x.Rank != 2 || h.Rank != 2 || weightIh.Rank != 2 || weightHh.Rank != 2 || biasIh.Rank != 1 || biasHh.Rank != 1)
            throw new ShapeMismatchException(op, "expected x (B, I), h (B, H), weights 2-D and biases 1-D");
        int batch = x.Size(0), inputSize = x.Size(1), hidden = h.Size(1), gates = 3 * hidden;
        if (h.Size(0) != batch || weightIh.Size(0) != gates || weightIh.Size(1) != inputSize
            || weightHh.Size(0) != gates || weightHh.Size(1) != hidden || biasIh.Size(0) != gates || biasHh.Size(0) != gates)
            throw new ShapeMismatchException(op,
                $"x {TensorShape.Format(x.Shape)}, h {TensorShape.Format(h.Shape)}, W_ih {TensorShape.Format(weightIh.Shape)}, W_hh {TensorShape.Format(weightHh.Shape)}, " +
                $"b_ih {TensorShape.Format(biasIh.Shape)}, b_hh {TensorShape.Format(biasHh.Shape)} do not fit B={batch}, I={inputSize}, H={hidden}");

        var inputGates = Tensor.Uninitialized([batch, gates]);     // (B, 3H) a, then overwritten with (r, z, n)
        var hiddenGates = Tensor.Uninitialized([batch, gates]);    // (B, 3H) u; its n block is needed by backward
        var ad = inputGates.Data; var ud = hiddenGates.Data;
        Sgemm.Multiply(false, true, batch, gates, inputSize, 1f, x.Data, inputSize, weightIh.Data, inputSize, 0f, ad, gates);
        Sgemm.Multiply(false, true, batch, gates, hidden, 1f, h.Data, hidden, weightHh.Data, hidden, 0f, ud, gates);

        var y = Tensor.Uninitialized([batch, hidden]);             // (B, H)
        var yd = y.Data; var hd = h.Data; var bi = biasIh.Data; var bh = biasHh.Data;
        for (int b = 0; b < batch; b++)
        {
            var a = ad.Slice(b * gates, gates); var u = ud.Slice(b * gates, gates);
            TP.Add(a, bi, a);
            TP.Add(u, bh, u);
            var r = a[..hidden]; var z = a.Slice(hidden, hidden); var n = a.Slice(2 * hidden, hidden);
            TP.Add(r, u[..hidden], r); TP.Sigmoid(r, r);
            TP.Add(z, u.Slice(hidden, hidden), z); TP.Sigmoid(z, z);
            var un = u.Slice(2 * hidden, hidden);
            for (int j = 0; j < hidden; j++) n[j] = MathF.Tanh(n[j] + r[j] * un[j]);
            var hPrev = hd.Slice(b * hidden, hidden); var hOut = yd.Slice(b * hidden, hidden);
            for (int j = 0; j < hidden; j++) hOut[j] = (1f - z[j]) * n[j] + z[j] * hPrev[j];
        }

        return y.Record(op, [x, h, weightIh, weightHh, biasIh, biasHh], g =>
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
            if (x.RequiresGrad) Sgemm.Multiply(false, false, batch, inputSize, gates, 1f, da, gates, weightIh.Data, inputSize, 1f, x.GradBuffer(), inputSize);
            if (h.RequiresGrad) Sgemm.Multiply(false, false, batch, hidden, gates, 1f, du, gates, weightHh.Data, hidden, 1f, dh, hidden);
            if (weightIh.RequiresGrad) Sgemm.Multiply(true, false, gates, inputSize, batch, 1f, da, gates, x.Data, inputSize, 1f, weightIh.GradBuffer(), inputSize);
            if (weightHh.RequiresGrad) Sgemm.Multiply(true, false, gates, hidden, batch, 1f, du, gates, hPrevData, hidden, 1f, weightHh.GradBuffer(), hidden);
            if (biasIh.RequiresGrad) { var gb = biasIh.GradBuffer(); for (int b = 0; b < batch; b++) TP.Add(gb, da.Slice(b * gates, gates), gb); }
            if (biasHh.RequiresGrad) { var gb = biasHh.GradBuffer(); for (int b = 0; b < batch; b++) TP.Add(gb, du.Slice(b * gates, gates), gb); }
        });
    }
}
