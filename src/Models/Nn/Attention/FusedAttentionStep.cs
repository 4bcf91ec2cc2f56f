// One decoding step of additive attention (Bahdanau et al. 2015; Xu et al. 2015 §3.1.2) after the query
// projection, fused into a single op with a hand-written backward. Given the once-per-batch projection
// P = W_f·a (B, R, A), the query q = W_h·h + b (B, A), the score vector v (1, A) and features a (B, R, F):
//   e_r = tanh(P_r + q)   s_r = v·e_r   α = softmax_r(s)   z = Σ_r α_r a_r
// Backward, with incoming dz (B, F) and dα (B, R):
//   dα_r += dz·a_r        da_r += α_r·dz
//   ds_r = α_r·(dα_r − Σ_k α_k dα_k)
//   dpre_r = ds_r·v ⊙ (1 − e_r²)    dP_r += dpre_r    dq += Σ_r dpre_r    dv += Σ_r ds_r·e_r
// Why fused: composed from tensor ops a step materialises P + q, tanh(·), the scores, the softmax and a
// batched (1, R)×(R, F) product — five passes and temporaries of (B, R, A); here each row is one pass and,
// without gradients, e_r lives in an A-sized rented buffer. The composed AdditiveAttention.Attend is the
// reference the tests compare against.
// Outputs are packed as (B, F + R) = [z, α] so one op node owns both; callers get narrowed views.
// Thread safety: no shared state (scratch comes from the locked BufferPool).
// Shape key: B = batch, R = regions, F = feature dims, A = attention dims.
using Pipeline.Models.Autograd;
using Pipeline.Models.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Pipeline.Models.Nn.Attention;

/// <summary>Fused additive-attention step: (P, q, v, a) → (context, α).</summary>
public static class FusedAttentionStep
{
    private const string Op = "fused_attention_step";

    /// <summary>
    /// Attention of <paramref name="attention"/> for decoder state <paramref name="hidden"/> (B, H) over <paramref name="features"/>
    /// (B, R, F) with <paramref name="projected"/> = attention.ProjectFeatures(features) (B, R, A). Same result as
    /// <see cref="AdditiveAttention.Attend"/> without a mask. Returns context (B, F) and α (B, R).
    /// </summary>
    public static (Tensor Context, Tensor Alpha) Attend(AdditiveAttention attention, Tensor projected, Tensor features, Tensor hidden)
    {
        ArgumentNullException.ThrowIfNull(attention);
        if (hidden.Rank != 2 || hidden.Size(1) != attention.HiddenSize)
            throw new ShapeMismatchException(Op, $"hidden {TensorShape.Format(hidden.Shape)} is not (B, {attention.HiddenSize})");
        var query = Tensor.MatMul(hidden, attention.HiddenWeight, transposeB: true) + attention.Bias;   // (B, A)
        return Forward(projected, query, attention.ScoreWeight, features);
    }

    /// <summary>The fused op on explicit tensors: <paramref name="projected"/> (B, R, A), <paramref name="query"/> (B, A), <paramref name="scoreWeight"/> (1, A), <paramref name="features"/> (B, R, F).</summary>
    public static (Tensor Context, Tensor Alpha) Forward(Tensor projected, Tensor query, Tensor scoreWeight, Tensor features)
    {
        if (features.Rank != 3 || projected.Rank != 3 || query.Rank != 2 || scoreWeight.Rank != 2 || scoreWeight.Size(0) != 1)
            throw new ShapeMismatchException(Op, "expected projected (B, R, A), query (B, A), score weight (1, A), features (B, R, F)");
        int batch = features.Size(0), regions = features.Size(1), featureSize = features.Size(2), attn = scoreWeight.Size(1);
        if (projected.Size(0) != batch || projected.Size(1) != regions || projected.Size(2) != attn || query.Size(0) != batch || query.Size(1) != attn)
            throw new ShapeMismatchException(Op,
                $"projected {TensorShape.Format(projected.Shape)}, query {TensorShape.Format(query.Shape)}, score weight {TensorShape.Format(scoreWeight.Shape)} " +
                $"do not fit features {TensorShape.Format(features.Shape)}");

        bool record = GradMode.IsEnabled && (projected.RequiresGrad || query.RequiresGrad || scoreWeight.RequiresGrad || features.RequiresGrad);
        // e = tanh(P + q) is kept for the backward pass; without one, a single A-sized row suffices.
        var energy = record ? Tensor.Uninitialized([batch, regions, attn]) : null;                   // (B, R, A)
        float[]? row = record ? null : BufferPool.Rent(attn);
        var packed = Tensor.Uninitialized([batch, featureSize + regions]);                            // (B, F + R)
        var pd = packed.Data; var pj = projected.Data; var qd = query.Data; var v = scoreWeight.Data; var fd = features.Data;
        for (int b = 0; b < batch; b++)
        {
            var q = qd.Slice(b * attn, attn);
            var context = pd.Slice(b * (featureSize + regions), featureSize);
            var alpha = pd.Slice(b * (featureSize + regions) + featureSize, regions);
            for (int r = 0; r < regions; r++)
            {
                int at = (b * regions + r) * attn;
                var e = energy is not null ? energy.Data.Slice(at, attn) : row.AsSpan(0, attn);
                TP.Add(pj.Slice(at, attn), q, e);
                TP.Tanh(e, e);
                alpha[r] = TP.Dot(e, v);
            }
            float max = TP.Max(alpha);
            TP.Subtract(alpha, max, alpha);
            TP.Exp(alpha, alpha);
            TP.Divide(alpha, TP.Sum(alpha), alpha);
            context.Clear();
            for (int r = 0; r < regions; r++)
                TP.MultiplyAdd(fd.Slice((b * regions + r) * featureSize, featureSize), alpha[r], context, context);
        }
        if (row is not null) BufferPool.Return(row);
        if (record)
            packed.Record(Op, [projected, query, scoreWeight, features], g => Backward(g, packed, energy!, projected, query, scoreWeight, features));
        return (packed.Narrow(1, 0, featureSize), packed.Narrow(1, featureSize, regions));
    }

    private static void Backward(Tensor grad, Tensor packed, Tensor energy, Tensor projected, Tensor query, Tensor scoreWeight, Tensor features)
    {
        int batch = features.Size(0), regions = features.Size(1), featureSize = features.Size(2), attn = scoreWeight.Size(1), width = featureSize + regions;
        var gd = grad.Data; var pd = packed.Data; var ed = energy.Data; var fd = features.Data; var v = scoreWeight.Data;
        Span<float> dProjected = projected.RequiresGrad ? projected.GradBuffer() : default;
        Span<float> dQuery = query.RequiresGrad ? query.GradBuffer() : default;
        Span<float> dScore = scoreWeight.RequiresGrad ? scoreWeight.GradBuffer() : default;
        Span<float> dFeatures = features.RequiresGrad ? features.GradBuffer() : default;
        var dAlpha = BufferPool.Rent(regions);
        var dPre = BufferPool.Rent(attn);
        for (int b = 0; b < batch; b++)
        {
            var dContext = gd.Slice(b * width, featureSize);
            var alpha = pd.Slice(b * width + featureSize, regions);
            var da = dAlpha.AsSpan(0, regions);
            gd.Slice(b * width + featureSize, regions).CopyTo(da);
            for (int r = 0; r < regions; r++)
            {
                var f = fd.Slice((b * regions + r) * featureSize, featureSize);
                da[r] += TP.Dot(dContext, f);
                if (!dFeatures.IsEmpty)
                {
                    var df = dFeatures.Slice((b * regions + r) * featureSize, featureSize);
                    TP.MultiplyAdd(dContext, alpha[r], df, df);
                }
            }
            float weighted = TP.Dot(alpha, da);
            for (int r = 0; r < regions; r++)
            {
                float ds = alpha[r] * (da[r] - weighted);
                var e = ed.Slice((b * regions + r) * attn, attn);
                if (!dScore.IsEmpty) TP.MultiplyAdd(e, ds, dScore, dScore);
                var pre = dPre.AsSpan(0, attn);
                for (int k = 0; k < attn; k++) pre[k] = ds * v[k] * (1f - e[k] * e[k]);
                if (!dProjected.IsEmpty) { var dp = dProjected.Slice((b * regions + r) * attn, attn); TP.Add(dp, pre, dp); }
                if (!dQuery.IsEmpty) { var dq = dQuery.Slice(b * attn, attn); TP.Add(dq, pre, dq); }
            }
        }
        BufferPool.Return(dAlpha);
        BufferPool.Return(dPre);
    }
}
