// encoder_train / encoder_eval: the captioner's "small" encoder preset (CaptionEncoder: six conv3×3 + BN +
// ReLU layers) on a (32, 3, 128, 128) batch, output as the (32, 64, 256) region features the decoder reads.
// Train loss is the mean of the regions; eval runs in evaluation mode without gradients.
using Pipeline.Models.Autograd;
using Pipeline.Models.Captioning;
using Pipeline.Models.Tensors;

namespace Pipeline.Bench.Workloads;

/// <summary>Conv encoder train step or inference batch.</summary>
internal sealed class EncoderWorkload : IWorkload
{
    private readonly CaptionEncoder encoder;
    private readonly Tensor images;                        // (B, 3, 128, 128)
    private readonly TrainStep? train;

    public EncoderWorkload(bool training)
    {
        var generator = new Generator(0);
        encoder = new CaptionEncoder(CaptionEncoderSpec.FromPreset(BenchSizes.EncoderPreset), BenchSizes.ImageSize, generator);
        images = Tensor.Randn(generator, [BenchSizes.Batch, 3, BenchSizes.ImageSize, BenchSizes.ImageSize]);
        Name = training ? "encoder_train" : "encoder_eval";
        if (training) train = new TrainStep(encoder, () => Tensor.MeanAll(encoder.Forward(images)));
        else encoder.Eval();
    }

    public string Name { get; }
    public long ParameterCount => encoder.ParameterCount();
    public TrainStep? Train => train;

    public void Step()
    {
        if (train is not null) { train.Run(); return; }
        using var noGrad = GradMode.NoGrad();
        using var scope = new TensorScope();
        encoder.Forward(images);
    }

    public IReadOnlyDictionary<string, double> Figures(double medianMs, double minMs) => train is not null
        ? new Dictionary<string, double>()
        : new Dictionary<string, double> { ["images_per_s"] = BenchSizes.Batch / (medianMs / 1000) };
}
