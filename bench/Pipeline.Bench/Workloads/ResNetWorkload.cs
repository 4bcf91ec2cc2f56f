// resnet18_b1 / resnet18_b32: the pretrained ResNet-18 of ML.NET's featurizer package (Pretrained/
// PretrainedBackbones) forward on B images of 224×224, as the photo captioner runs it: the shipped
// ResNetEncoder (input transform → stem → 4 stages → (B, 49, 512) regions), evaluation mode, no gradients.
// The other sides (ONNX Runtime in-process, PyTorch in reference.py) run the same network from the same
// ResNet18.onnx on the already-transformed input, so ours does slightly more work per step (the input
// transform and the region permute, < 1 % of the step).
// Shape key: B = batch, S = 224 image side.
using Pipeline.Models.Autograd;
using Pipeline.Models.Captioning;
using Pipeline.Models.Pretrained;
using Pipeline.Models.Tensors;

namespace Pipeline.Bench.Workloads;

/// <summary>Pretrained ResNet-18 feature extraction on one batch.</summary>
internal sealed class ResNetWorkload : IWorkload
{
    /// <summary>Image side of the packaged network.</summary>
    public const int ImageSize = 224;

    private readonly ResNetEncoder encoder;
    private readonly Tensor images;                        // (B, 3, S, S) pixels in 0..255
    private readonly int batch;

    public ResNetWorkload(int batch)
    {
        this.batch = batch;
        Name = $"resnet18_b{batch}";
        encoder = new ResNetEncoder(PretrainedEncoderSpec.For(PretrainedBackbones.ResNet18), new Generator(1));
        encoder.LoadPretrained();
        encoder.Eval();
        images = Pixels(batch, seed: 0);
    }

    public string Name { get; }
    public long ParameterCount => encoder.ParameterCount();

    /// <summary>The loaded encoder (the ONNX Runtime side reads the same packaged files).</summary>
    public ResNetEncoder Encoder => encoder;

    public void Step()
    {
        using var noGrad = GradMode.NoGrad();
        using var scope = new TensorScope();
        encoder.Forward(images);
    }

    public IReadOnlyDictionary<string, double> Figures(double medianMs, double minMs)
        => new Dictionary<string, double> { ["images_per_s"] = batch / (medianMs / 1000) };

    /// <summary>Seeded pixel values in 0..255 (smooth random planes, as photos are, rather than white noise).</summary>
    public static Tensor Pixels(int batch, int seed)
    {
        var random = new Random(seed);
        var data = new float[batch * 3 * ImageSize * ImageSize];
        for (int plane = 0; plane < batch * 3; plane++)
        {
            double fx = random.NextDouble() * 0.1, fy = random.NextDouble() * 0.1, phase = random.NextDouble() * 6.28, level = 60 + random.NextDouble() * 130;
            for (int y = 0; y < ImageSize; y++)
                for (int x = 0; x < ImageSize; x++)
                    data[(plane * ImageSize + y) * ImageSize + x] = (float)Math.Clamp(level + 60 * Math.Sin(fx * x + fy * y + phase) + 20 * (random.NextDouble() - 0.5), 0, 255);
        }
        return Tensor.FromArray(data, batch, 3, ImageSize, ImageSize);
    }
}
