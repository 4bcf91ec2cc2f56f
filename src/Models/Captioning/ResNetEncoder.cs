// The captioner's encoder for real photographs: an ImageNet-pretrained ResNet (Vision/ResNet) whose last
// stage map is read as region vectors, as Xu et al. (2015) read VGG's conv5 map. Its weights and its
// input transform come from a packaged ONNX pair (Pretrained/PretrainedBackbones) and run in this engine.
//   images in 0..255 RGB (B, 3, S, S) → input transform (channel order + mean image, read from the package)
//   → stem → stages 1..n → (B, F, G, G) → (B, R, F)
// The last TrainableStages stages train with the decoder; the front stays frozen, so ForwardFrozen (stem and
// frozen stages) is what training caches per image. Batch norm keeps ImageNet's running statistics in every
// mode: batches of one dataset would drift them, and with a frozen front the fine-tuned stages would then see
// inputs unlike those of the cache.
// Only the fine-tuned stages are checkpointed; the rest comes from the packaged file (Module.InCheckpoint).
// Shape key: B = batch, S = image side, C = channels, G = grid side, R = G·G regions, F = feature channels.
using Pipeline.Models.Pretrained;
using Pipeline.Models.Tensors;
using Pipeline.Models.Vision;

namespace Pipeline.Models.Captioning;

/// <summary>Pretrained ResNet encoder: images → (B, R, F) region features.</summary>
public sealed class ResNetEncoder : ImageEncoder
{
    private readonly ResNet resnet;
    private readonly int frozenStages;
    private OnnxInputTransform? transform;

    /// <summary>Builds the encoder with untrained weights; call <see cref="LoadPretrained()"/> before use.</summary>
    public ResNetEncoder(PretrainedEncoderSpec spec, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec.Validate();
        ImageSize = spec.ImageSize;
        resnet = RegisterModule("resnet", new ResNet(spec.Architecture, generator));
        frozenStages = resnet.StageCount - spec.TrainableStages;
        // The stem and the frozen stages neither train nor go into checkpoints; the fine-tuned stages do both.
        resnet.InCheckpoint = true;
        foreach (var (name, module) in resnet.NamedChildren())
        {
            bool trainable = IsTrainableChild(name);
            module.InCheckpoint = trainable;
            foreach (var (_, p) in module.NamedParameters()) p.RequiresGrad = trainable;
        }
        GridHeight = GridWidth = spec.Architecture.GridSize(ImageSize);
        FeatureSize = spec.Architecture.OutputChannels;
        resnet.Eval();
    }

    /// <summary>The backbone and its fine-tuning setting.</summary>
    public PretrainedEncoderSpec Spec { get; }
    /// <inheritdoc/>
    public override int ImageSize { get; }
    /// <inheritdoc/>
    public override int GridHeight { get; }
    /// <inheritdoc/>
    public override int GridWidth { get; }
    /// <inheritdoc/>
    public override int FeatureSize { get; }

    /// <summary>The backbone network.</summary>
    public ResNet Backbone => resnet;

    /// <summary>Whether the pretrained weights and input transform are in place.</summary>
    public bool IsPretrainedLoaded => transform is not null;

    /// <inheritdoc/>
    public override int[]? FrozenShape => frozenStages == resnet.StageCount
        ? [Regions, FeatureSize]
        : [resnet.ChannelsAfter(frozenStages - 1), GridSideAfter(frozenStages - 1), GridSideAfter(frozenStages - 1)];

    /// <summary>Locates the backbone's packaged files (checksums verified), imports them and loads the weights.</summary>
    public void LoadPretrained()
    {
        var backbone = PretrainedBackbones.FromName(Spec.Name);
        LoadPretrained(OnnxResNetImporter.Import(backbone.Weights.Locate()), OnnxInputTransform.Import(backbone.Preprocessing.Locate()));
    }

    /// <summary>Copies imported weights into the backbone (all of it: fine-tuned stages start from them too) and sets the input transform.</summary>
    public void LoadPretrained(ImportedResNet weights, OnnxInputTransform inputTransform)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(inputTransform);
        if (!weights.Spec.Equals(Spec.Architecture) || weights.ImageSize != ImageSize)
            throw new InvalidDataException($"resnet encoder: the imported network (stages {string.Join("/", weights.Spec.StageDepths)}, {weights.ImageSize} px) is not backbone '{Spec.Name}' ({string.Join("/", Spec.Architecture.StageDepths)}, {ImageSize} px).");
        if (inputTransform.ImageSize != ImageSize)
            throw new InvalidDataException($"resnet encoder: the input transform is for {inputTransform.ImageSize} px images, the network for {ImageSize} px.");
        var own = resnet.NamedParameters().Concat(resnet.NamedBuffers()).ToList();
        var missing = own.Where(e => !weights.Weights.ContainsKey(e.Name)).Select(e => e.Name).ToList();
        if (missing.Count > 0 || own.Count != weights.Weights.Count)
            throw new InvalidDataException($"resnet encoder: imported weights do not cover the network (missing: {string.Join(", ", missing.Take(5))}).");
        foreach (var (name, tensor) in own)
        {
            var (values, shape) = weights.Weights[name];
            if (!TensorShape.SameShape(shape, tensor.Shape))
                throw new InvalidDataException($"resnet encoder: '{name}' has shape {TensorShape.Format(shape)} in the file, {TensorShape.Format(tensor.Shape)} in the network.");
            values.AsSpan().CopyTo(tensor.Data);
            tensor.MarkModified();
        }
        transform = inputTransform;
    }

    /// <summary>Keeps the backbone in evaluation mode (frozen batch-norm statistics) whatever the mode of the model.</summary>
    public override void Train(bool training = true)
    {
        base.Train(training);
        resnet.Train(false);
    }

    /// <summary>(B, 3, S, S) pixels in 0..255 → input transform, stem and frozen stages: (B, R, F) when all is frozen, else (B, C, G', G').</summary>
    public override Tensor ForwardFrozen(Tensor images)
    {
        if (transform is null)
            throw new InvalidOperationException($"resnet encoder: the pretrained weights of '{Spec.Name}' are not loaded (call LoadPretrained).");
        var x = Tensor.Uninitialized(images.ShapeArray());                               // (B, 3, S, S)
        transform.Apply(images.Data, x.Data);
        var map = resnet.ForwardStages(x, 0, frozenStages);                              // (B, C, G', G')
        return frozenStages == resnet.StageCount ? ToRegions(map) : map;
    }

    /// <summary>Output of <see cref="ForwardFrozen"/> → the fine-tuned stages → (B, R, F).</summary>
    public override Tensor ForwardTrainable(Tensor frozen)
    {
        ArgumentNullException.ThrowIfNull(frozen);
        if (frozenStages == resnet.StageCount) return frozen;
        return ToRegions(resnet.ForwardStages(frozen, frozenStages, resnet.StageCount));
    }

    private bool IsTrainableChild(string name)
        => name.StartsWith("layer", StringComparison.Ordinal) && int.Parse(name.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture) > frozenStages;

    private int GridSideAfter(int stage)
    {
        int side = (ImageSize + 1) / 2;
        side = (side + 1) / 2;
        for (int k = 1; k <= stage; k++) side = (side + 1) / 2;
        return side;
    }
}
