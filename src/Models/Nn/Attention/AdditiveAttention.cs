// Additive (Bahdanau) attention as used by "Show, Attend and Tell" (Xu et al. 2015, §3.1.2; Bahdanau
// et al. 2015):
//   e_r = vᵀ tanh(W_f f_r + W_h h + b)        α = softmax_r(e) (masked regions get α = 0)
//   context = Σ_r α_r f_r
// The feature projection W_f f does not depend on the decoder state, so it is exposed separately
// (ProjectFeatures, once per image batch) from the per-step Attend (20+ calls per batch while decoding).
// Parameters: features_weight (A, F), hidden_weight (A, H), bias (A), score_weight (1, A) — Linear layouts.
// Shape key: B = batch, R = regions, F = feature channels, H = decoder hidden size, A = attention size.
using Pipeline.Models.Init;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn.Attention;

/// <summary>Bahdanau attention over a set of region features, queried by a decoder state.</summary>
public sealed class AdditiveAttention : Module
{
    /// <summary>Score added to masked regions: finite (so an all-masked row stays finite) yet far below any real score.</summary>
    internal const float MaskedScore = -1e30f;

    /// <summary>Creates the module with U(−1/√fan_in, 1/√fan_in) weights drawn from <paramref name="generator"/>.</summary>
    public AdditiveAttention(int featureSize, int hiddenSize, int attentionSize, Generator generator)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(featureSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(attentionSize, 1);
        FeatureSize = featureSize; HiddenSize = hiddenSize; AttentionSize = attentionSize;
        FeaturesWeight = RegisterParameter("features_weight", Initializers.DefaultUniform(generator, [attentionSize, featureSize], featureSize));  // (A, F)
        HiddenWeight = RegisterParameter("hidden_weight", Initializers.DefaultUniform(generator, [attentionSize, hiddenSize], hiddenSize));       // (A, H)
        Bias = RegisterParameter("bias", Initializers.DefaultUniform(generator, [attentionSize], hiddenSize));                                   // (A)
        ScoreWeight = RegisterParameter("score_weight", Initializers.DefaultUniform(generator, [1, attentionSize], attentionSize));               // (1, A)
    }

    /// <summary>Feature channels F.</summary>
    public int FeatureSize { get; }
    /// <summary>Decoder hidden size H.</summary>
    public int HiddenSize { get; }
    /// <summary>Attention (projection) size A.</summary>
    public int AttentionSize { get; }
    /// <summary>W_f (A, F).</summary>
    public Tensor FeaturesWeight { get; }
    /// <summary>W_h (A, H).</summary>
    public Tensor HiddenWeight { get; }
    /// <summary>b (A).</summary>
    public Tensor Bias { get; }
    /// <summary>vᵀ (1, A).</summary>
    public Tensor ScoreWeight { get; }

    /// <summary>W_f·f for every region: <paramref name="features"/> (B, R, F) → (B, R, A). Compute once per image batch.</summary>
    public Tensor ProjectFeatures(Tensor features)
    {
        if (features.Rank != 3 || features.Size(2) != FeatureSize)
            throw new ShapeMismatchException("additive_attention", $"features {TensorShape.Format(features.Shape)} are not (B, R, {FeatureSize})");
        return Tensor.MatMul(features, FeaturesWeight, transposeB: true);
    }

    /// <summary>
    /// One attention step. <paramref name="projected"/> (B, R, A) from <see cref="ProjectFeatures"/>, <paramref name="features"/>
    /// (B, R, F), decoder state <paramref name="hidden"/> (B, H), optional <paramref name="regionMask"/> (B, R) of 0/1
    /// (1 = attend). Returns context (B, F) and weights α (B, R).
    /// </summary>
    public (Tensor Context, Tensor Alpha) Attend(Tensor projected, Tensor features, Tensor hidden, Tensor? regionMask = null)
    {
        const string op = "additive_attention";
        if (features.Rank != 3 || features.Size(2) != FeatureSize)
            throw new ShapeMismatchException(op, $"features {TensorShape.Format(features.Shape)} are not (B, R, {FeatureSize})");
        int batch = features.Size(0), regions = features.Size(1);
        if (projected.Rank != 3 || projected.Size(0) != batch || projected.Size(1) != regions || projected.Size(2) != AttentionSize)
            throw new ShapeMismatchException(op, $"projected features {TensorShape.Format(projected.Shape)} are not ({batch}, {regions}, {AttentionSize})");
        if (hidden.Rank != 2 || hidden.Size(0) != batch || hidden.Size(1) != HiddenSize)
            throw new ShapeMismatchException(op, $"hidden {TensorShape.Format(hidden.Shape)} is not ({batch}, {HiddenSize})");

        var query = (Tensor.MatMul(hidden, HiddenWeight, transposeB: true) + Bias).Unsqueeze(1);    // (B, 1, A)
        var energy = Tensor.Tanh(projected + query);                                                // (B, R, A)
        var scores = Tensor.MatMul(energy, ScoreWeight, transposeB: true).Reshape(batch, regions);  // (B, R)
        if (regionMask is not null) scores = scores + MaskBias(regionMask, batch, regions, op);
        var alpha = Tensor.Softmax(scores, 1);                                                      // (B, R)
        var context = Tensor.MatMul(alpha.Unsqueeze(1), features).Reshape(batch, FeatureSize);      // (B, F)
        return (context, alpha);
    }

    /// <summary>Projects and attends in one call (for a single query per feature set).</summary>
    public (Tensor Context, Tensor Alpha) Forward(Tensor features, Tensor hidden, Tensor? regionMask = null)
        => Attend(ProjectFeatures(features), features, hidden, regionMask);

    /// <summary>A constant (B, R) tensor: 0 where the mask is non-zero, <see cref="MaskedScore"/> elsewhere.</summary>
    internal static Tensor MaskBias(Tensor mask, int batch, int length, string op)
    {
        if (mask.Rank != 2 || mask.Size(0) != batch || mask.Size(1) != length)
            throw new ShapeMismatchException(op, $"mask {TensorShape.Format(mask.Shape)} is not ({batch}, {length})");
        var bias = new float[batch * length];
        var md = mask.Data;
        for (int i = 0; i < bias.Length; i++) bias[i] = md[i] != 0f ? 0f : MaskedScore;
        return Tensor.FromArray(bias, batch, length);
    }
}
