// Convolutional image encoder of the captioner ("Show, Attend and Tell", Xu et al. 2015, §3.1.1, with a
// ResNet-style network of our own instead of VGG): a stem of conv-BN-ReLU layers, then residual stages
// (He et al. 2016), and the final (B, F, G, G) map read as R = G·G region vectors a_r ∈ ℝ^F:
//   features = permute(reshape(x, B, F, R), 0, 2, 1)    (B, R, F)
// Inputs are already normalised by preprocessing ((x − mean)/std with the config's per-channel values).
// Checkpoint keys: stem.{i}.conv.weight, stem.{i}.bn.*, layer{k}.{j}.conv1.weight, … (torchvision-like).
// Thread safety: in eval mode the forward reads parameters and running statistics only, so concurrent
// calls are safe; in training mode batch norm updates its running statistics (single thread only).
// Shape key: B = batch, S = image side, G = grid side, R = G·G regions, F = feature channels.
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Captioning;

/// <summary>Images (B, 3, S, S) → region features (B, R, F), trained from scratch (nothing frozen).</summary>
public sealed class CaptionEncoder : ImageEncoder
{
    private readonly Sequential stem;
    private readonly List<Sequential> stages = [];
    private ConvNetInference? inference;
    private bool inferenceUnsupported;         // a layer the fused path cannot run (shapes never change, so asked once)

    /// <summary>Builds the encoder for <paramref name="spec"/> and square images of side <paramref name="imageSize"/>.</summary>
    public CaptionEncoder(CaptionEncoderSpec spec, int imageSize, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, 1);
        Spec = spec;
        ImageSize = imageSize;
        stem = RegisterModule("stem", new Sequential());
        int channels = 3;
        for (int i = 0; i < spec.StemChannels.Length; i++)
        {
            stem.Append(new ConvBnRelu(channels, spec.StemChannels[i], spec.StemStrides[i], generator));
            channels = spec.StemChannels[i];
        }
        for (int k = 0; k < spec.StageChannels.Length; k++)
        {
            var stage = RegisterModule($"layer{k + 1}", new Sequential());
            for (int j = 0; j < spec.StageDepths[k]; j++)
            {
                stage.Append(new ResidualBlock(channels, spec.StageChannels[k], generator, stride: j == 0 ? spec.StageStrides[k] : 1));
                channels = spec.StageChannels[k];
            }
            stages.Add(stage);
        }
        GridHeight = GridWidth = spec.GridSize(imageSize);
        FeatureSize = spec.OutputChannels;
    }

    /// <summary>The architecture.</summary>
    public CaptionEncoderSpec Spec { get; }
    /// <inheritdoc/>
    public override int ImageSize { get; }
    /// <inheritdoc/>
    public override int GridHeight { get; }
    /// <inheritdoc/>
    public override int GridWidth { get; }
    /// <inheritdoc/>
    public override int FeatureSize { get; }

    /// <summary>(B, 3, S, S) normalised images → (B, R, F) region features (the whole encoder trains).</summary>
    public override Tensor ForwardTrainable(Tensor images)
    {
        // Evaluation without gradients: one fused, channel-blocked pass (Nn/ConvNetInference), same values.
        if (ConvNetInference.Applies(images, [this]) && Inference() is { } plan)
            return ToRegions(plan.Forward(images, 0, plan.StepCount));
        var x = stem.Forward(images);                                                   // (B, C, G', G')
        foreach (var stage in stages) x = stage.Forward(x);                             // (B, F, G, G)
        return ToRegions(x);                                                            // (B, R, F)
    }

    /// <summary>The fused inference plan of every layer, repacked when a weight changed; null when a layer is unsupported.</summary>
    private ConvNetInference? Inference()
    {
        var plan = inference;
        if (inferenceUnsupported || plan is not null && plan.IsCurrent) return plan;
        var builder = new ConvNetInference.Builder(3);
        for (int i = 0; i < stem.Count; i++)
        {
            var layer = (ConvBnRelu)stem[i];
            builder.Conv(layer.Conv, layer.Norm, relu: true);
        }
        foreach (var stage in stages)
            for (int j = 0; j < stage.Count; j++) builder.Block((ResidualBlock)stage[j]);
        inference = builder.Build();
        inferenceUnsupported = inference is null;
        return inference;
    }
}
