// decoder_train, captioner_train, captioner_greedy, captioner_beam3: the Show-Attend-Tell decoder on
// random region features, and the full captioner (encoder + decoder) trained end to end or decoding
// 20 tokens per image greedily or with a width-3 beam.
using Pipeline.Bench.Models;
using Pipeline.Models.Autograd;
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;

namespace Pipeline.Bench.Workloads;

/// <summary>Encoder + decoder as one module (so one Adam covers both, as in the reference).</summary>
internal sealed class Captioner : Module
{
    public Captioner(Generator generator)
    {
        Encoder = RegisterModule("encoder", new ConvEncoder(generator));
        Decoder = RegisterModule("decoder", new AttentionDecoder(generator));
    }

    public ConvEncoder Encoder { get; }
    public AttentionDecoder Decoder { get; }
}

/// <summary>The captioning configurations.</summary>
internal sealed class CaptionWorkload : IWorkload
{
    private readonly Module model;
    private readonly TrainStep? train;
    private readonly Action? infer;

    public CaptionWorkload(string name)
    {
        Name = name;
        var generator = new Generator(0);
        if (name == "decoder_train")
        {
            var decoder = new AttentionDecoder(generator);
            var features = Tensor.Randn(generator, [BenchSizes.Batch, BenchSizes.Regions, BenchSizes.FeatureDim]);   // (B, R, F)
            var data = new CaptionData(generator, BenchSizes.Batch, BenchSizes.Steps);
            model = decoder;
            train = new TrainStep(decoder, () =>
            {
                var (logits, alphas) = decoder.Forward(features, data.StepInputs);
                return AttentionDecoder.CaptionLoss(logits, alphas, data.Targets);
            });
            return;
        }

        var captioner = new Captioner(generator);
        model = captioner;
        var images = Tensor.Randn(generator, [BenchSizes.Batch, 3, BenchSizes.ImageSize, BenchSizes.ImageSize]);        // (B, 3, H, W)
        switch (name)
        {
            case "captioner_train":
                var data = new CaptionData(generator, BenchSizes.Batch, BenchSizes.Steps);
                train = new TrainStep(captioner, () =>
                {
                    var (logits, alphas) = captioner.Decoder.Forward(captioner.Encoder.Regions(images), data.StepInputs);
                    return AttentionDecoder.CaptionLoss(logits, alphas, data.Targets);
                });
                break;
            case "captioner_greedy":
                captioner.Eval();
                infer = () => captioner.Decoder.Greedy(captioner.Encoder.Regions(images), BenchSizes.Steps);
                break;
            case "captioner_beam3":
                captioner.Eval();
                infer = () => captioner.Decoder.BeamSearch(captioner.Encoder.Regions(images), BenchSizes.Steps, BenchSizes.Beam);
                break;
            default:
                throw new ArgumentException($"unknown captioning configuration '{name}'");
        }
    }

    public string Name { get; }
    public long ParameterCount => model.ParameterCount();
    public TrainStep? Train => train;

    public void Step()
    {
        if (train is not null) { train.Run(); return; }
        using var noGrad = GradMode.NoGrad();
        using var scope = new TensorScope();
        infer!();
    }

    public IReadOnlyDictionary<string, double> Figures(double medianMs, double minMs) => train is not null
        ? new Dictionary<string, double>()
        : new Dictionary<string, double> { ["images_per_s"] = BenchSizes.Batch / (medianMs / 1000) };
}
