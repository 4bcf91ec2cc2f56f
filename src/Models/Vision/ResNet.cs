// An ImageNet-style residual network (He et al. 2016) built from the engine's layers: the stem
// (conv k×k/2 → BN → ReLU → max-pool 3×3/2) and stages of basic blocks (Nn/ResidualBlock), ending in the
// last stage's feature map — the classifier head is left out, since the captioner attends over the map.
// Checkpoint keys follow torchvision (conv1.weight, bn1.*, layer1.0.conv1.weight, layer4.1.downsample.0.weight, …),
// so weights from other frameworks map onto it by name (see Pretrained/OnnxResNetImporter).
// ForwardStages runs a contiguous part of the network, which lets training cache the frozen front
// (images → stage k) once and run only the trainable back on every step.
// Shape key: B = batch, S = image side, C = channels, G = grid side.
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Vision;

/// <summary>Residual network trunk: images (B, 3, S, S) → last-stage map (B, F, G, G).</summary>
public sealed class ResNet : Module, ITensorModule
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly MaxPool2d maxPool;
    private readonly Sequential[] stages;
    private ConvNetInference? inference;
    private bool inferenceUnsupported;         // a layer the fused path cannot run (shapes never change, so asked once)

    /// <summary>Builds the network for <paramref name="spec"/> with freshly initialised weights.</summary>
    public ResNet(ResNetSpec spec, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec.Validate();
        conv1 = RegisterModule("conv1", new Conv2d(3, spec.StemChannels, spec.StemKernel, generator, stride: 2, padding: spec.StemKernel / 2, bias: false));
        bn1 = RegisterModule("bn1", new BatchNorm2d(spec.StemChannels));
        maxPool = new MaxPool2d(3, stride: 2, padding: 1);
        stages = new Sequential[spec.StageChannels.Length];
        int channels = spec.StemChannels;
        for (int k = 0; k < stages.Length; k++)
        {
            stages[k] = RegisterModule($"layer{k + 1}", new Sequential());
            for (int j = 0; j < spec.StageDepths[k]; j++)
            {
                stages[k].Append(new ResidualBlock(channels, spec.StageChannels[k], generator, stride: k > 0 && j == 0 ? 2 : 1));
                channels = spec.StageChannels[k];
            }
        }
    }

    /// <summary>The architecture.</summary>
    public ResNetSpec Spec { get; }

    /// <summary>Number of residual stages.</summary>
    public int StageCount => stages.Length;

    /// <summary>Stage <paramref name="index"/> (0-based; checkpoint name layer{index+1}).</summary>
    public Module Stage(int index) => stages[index];

    /// <summary>(B, 3, S, S) → (B, F, G, G): the whole trunk.</summary>
    public Tensor Forward(Tensor input) => ForwardStages(input, 0, stages.Length);

    /// <summary>
    /// Runs the stem (when <paramref name="from"/> is 0) and stages [<paramref name="from"/>, <paramref name="to"/>):
    /// from 0 the input is an image batch (B, 3, S, S); from k &gt; 0 it is the output of stage k − 1.
    /// </summary>
    public Tensor ForwardStages(Tensor input, int from, int to)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (from < 0 || to > stages.Length || from > to)
            throw new ArgumentOutOfRangeException(nameof(from), $"resnet: stage range [{from}, {to}) is not within [0, {stages.Length}].");
        if (from == 0 && (input.Rank != 4 || input.Size(1) != 3))
            throw new ShapeMismatchException("resnet", $"images {TensorShape.Format(input.Shape)} are not (B, 3, S, S)");
        if (from > 0 && (input.Rank != 4 || input.Size(1) != ChannelsAfter(from - 1)))
            throw new ShapeMismatchException("resnet", $"input {TensorShape.Format(input.Shape)} of stage {from} is not (B, {ChannelsAfter(from - 1)}, H, W)");
        if ((from == 0 || from < to) && ConvNetInference.Applies(input, UsedModules(from, to)) && Inference() is { } plan)
        {
            // Evaluation without gradients: the fused, channel-blocked forward (see Nn/ConvNetInference).
            return plan.Forward(input, FirstStep(from), to == 0 ? 2 : FirstStep(to));
        }
        var x = input;
        if (from == 0)
        {
            x = maxPool.Forward(ConvBatchNorm.Forward(conv1, bn1, x, relu: true));        // (B, C0, S/4, S/4)
        }
        for (int k = from; k < to; k++) x = stages[k].Forward(x);                           // (B, C_k, ·, ·)
        return x;
    }

    /// <summary>The stem and stages [from, to) as modules (what decides whether the fused path applies).</summary>
    private IEnumerable<Module> UsedModules(int from, int to)
    {
        if (from == 0) { yield return conv1; yield return bn1; }
        for (int k = from; k < to; k++) yield return stages[k];
    }

    /// <summary>The fused inference plan (stem conv, max pool, then every block), repacked when a weight changed; null if unsupported.</summary>
    private ConvNetInference? Inference()
    {
        var plan = inference;
        if (inferenceUnsupported || plan is not null && plan.IsCurrent) return plan;
        var builder = new ConvNetInference.Builder(3).Conv(conv1, bn1, relu: true).MaxPool(maxPool.Options);
        foreach (var stage in stages)
            for (int j = 0; j < stage.Count; j++) builder.Block((ResidualBlock)stage[j]);
        inference = builder.Build();
        inferenceUnsupported = inference is null;
        return inference;
    }

    /// <summary>Index in the plan of the first step of stage <paramref name="stage"/> (0: the stem conv; the pool is step 1).</summary>
    private int FirstStep(int stage)
    {
        int step = stage == 0 ? 0 : 2;
        for (int k = 0; k < stage; k++) step += stages[k].Count;
        return step;
    }

    /// <summary>Channels of the output of stage <paramref name="index"/> (−1: the stem).</summary>
    public int ChannelsAfter(int index) => index < 0 ? Spec.StemChannels : Spec.StageChannels[index];
}
