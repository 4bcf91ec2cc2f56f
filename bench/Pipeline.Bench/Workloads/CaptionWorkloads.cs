// decoder_train, captioner_train, captioner_greedy, captioner_beam3: the product's captioner — CaptionModel
// (CaptionEncoder "small" preset + AttentionDecoder) or its AttentionDecoder alone — configured with the
// benchmark sizes and driven through its public API: AttentionDecoder.Loss / CaptionModel.Loss for training,
// CaptionModel.Caption (encode + CaptionDecoding greedy or beam search) for inference. reference.py's Decoder
// mirrors it (tanh initial state, one attention bias, padding row in the embedding, pad-ignoring cross-
// entropy, early stopping and length-normalised beams). The end token's output bias is suppressed on both
// sides (BenchSizes.SuppressedEndBias) so that every caption decodes exactly 20 tokens.
using Pipeline.Models.Autograd;
using Pipeline.Models.Captioning;
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;

namespace Pipeline.Bench.Workloads;

/// <summary>The captioning configurations.</summary>
internal sealed class CaptionWorkload : IWorkload
{
    private readonly Module model;
    private readonly TrainStep? train;
    private readonly Action? infer;

    /// <summary>The product's captioner configuration at the benchmark sizes.</summary>
    public static CaptionerConfig Config => new()
    {
        ImageSize = BenchSizes.ImageSize, EncoderPreset = BenchSizes.EncoderPreset, VocabularySize = BenchSizes.Vocab,
        EmbeddingDim = BenchSizes.Embed, HiddenSize = BenchSizes.Hidden, AttentionDim = BenchSizes.AttentionDim,
        Dropout = BenchSizes.Dropout, DoublyStochasticLambda = BenchSizes.AlphaRegularisation, MaxCaptionLength = BenchSizes.Steps,
        PadId = BenchSizes.PadToken, StartId = BenchSizes.StartToken, EndId = BenchSizes.EndToken,
    };

    public CaptionWorkload(string name)
    {
        Name = name;
        var generator = new Generator(0);
        var dropout = new Generator(7);
        var data = new CaptionData(generator, BenchSizes.Batch, BenchSizes.Steps);
        if (name == "decoder_train")
        {
            var decoder = new AttentionDecoder(Config, BenchSizes.FeatureDim, generator);
            var features = Tensor.Randn(generator, [BenchSizes.Batch, BenchSizes.Regions, BenchSizes.FeatureDim]);   // (B, R, F)
            model = decoder;
            train = new TrainStep(decoder, () => decoder.Loss(features, data.ImageOfCaption, data.Captions, dropout).Loss);
            return;
        }

        var captioner = new CaptionModel(Config, generator);
        captioner.Decoder.Output.Bias!.Data[BenchSizes.EndToken] = BenchSizes.SuppressedEndBias;
        model = captioner;
        var images = Tensor.Randn(generator, [BenchSizes.Batch, 3, BenchSizes.ImageSize, BenchSizes.ImageSize]);        // (B, 3, S, S)
        switch (name)
        {
            case "captioner_train":
                train = new TrainStep(captioner, () => captioner.Loss(captioner.Encode(images), data.ImageOfCaption, data.Captions, dropout).Loss);
                break;
            case "captioner_greedy":
                captioner.Eval();
                infer = () => captioner.Caption(images, new DecodeOptions(BeamSize: 1, MaxLength: BenchSizes.Steps));
                break;
            case "captioner_beam3":
                captioner.Eval();
                infer = () => captioner.Caption(images, new DecodeOptions(BeamSize: BenchSizes.Beam, MaxLength: BenchSizes.Steps));
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
        infer!();
    }

    public IReadOnlyDictionary<string, double> Figures(double medianMs, double minMs) => train is not null
        ? new Dictionary<string, double>()
        : new Dictionary<string, double> { ["images_per_s"] = BenchSizes.Batch / (medianMs / 1000) };
}
