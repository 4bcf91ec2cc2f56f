// The complete "Show, Attend and Tell" captioner (Xu et al. 2015): CaptionEncoder (images → region
// features) + AttentionDecoder (features → words), trained with teacher forcing and the doubly-stochastic
// attention penalty, decoded greedily or with batched beam search.
// Training batches are grouped by image: Encode runs once per image and Loss gathers each caption's
// features with IndexSelect, so an image with five captions costs one encoder pass.
// Checkpoints: Checkpoint.Save(dir, model, model.Config) writes model.safetensors (keys "encoder.…",
// "decoder.…") and config.json; CaptionModel.Load(dir) rebuilds the model from them.
// Thread safety: after Eval(), Encode and Generate may be called concurrently from several threads on one
// model (they read parameters and batch-norm running statistics only; every temporary lives in the calling
// thread's TensorScope; dropout is never applied while generating). Training (Loss + Backward, Encode in
// training mode) mutates gradients and running statistics and is single-threaded.
// Shape key: B = images, S = image side, R = regions, F = feature dims, M = captions.
using Pipeline.Models.Autograd;
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Captioning;

/// <summary>Image captioning model: encoder + attention decoder.</summary>
public sealed class CaptionModel : Module
{
    /// <summary>Builds a freshly initialised model from <paramref name="config"/> (validated).</summary>
    public CaptionModel(CaptionerConfig config, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(generator);
        Config = config.Validated();
        Encoder = RegisterModule<ImageEncoder>("encoder", Config.Backbone is { } backbone
            ? new ResNetEncoder(backbone, generator)
            : new CaptionEncoder(Config.Encoder!, Config.ImageSize, generator));
        Decoder = RegisterModule("decoder", new AttentionDecoder(Config, Encoder.FeatureSize, generator));
    }

    /// <summary>The validated configuration (with the explicit encoder spec); save it as config.json.</summary>
    public CaptionerConfig Config { get; }
    /// <summary>The convolutional encoder (from scratch, or a pretrained backbone).</summary>
    public ImageEncoder Encoder { get; }
    /// <summary>The LSTM decoder.</summary>
    public AttentionDecoder Decoder { get; }
    /// <summary>Rows of the feature grid.</summary>
    public int GridHeight => Encoder.GridHeight;
    /// <summary>Columns of the feature grid.</summary>
    public int GridWidth => Encoder.GridWidth;
    /// <summary>Regions R per image.</summary>
    public int Regions => Encoder.Regions;
    /// <summary>Feature channels F.</summary>
    public int FeatureSize => Encoder.FeatureSize;

    /// <summary>Normalised images (B, 3, S, S) → region features (B, R, F). Uses batch statistics in training mode.</summary>
    public Tensor Encode(Tensor images) => Encoder.Forward(images);

    /// <summary>
    /// Teacher-forced training loss. <paramref name="features"/> (N, R, F) from <see cref="Encode"/> holds each image once;
    /// caption m (token ids &lt;start&gt; … &lt;end&gt;) belongs to image <paramref name="featureIndexPerCaption"/>[m].
    /// </summary>
    public CaptionLoss Loss(Tensor features, int[] featureIndexPerCaption, int[][] captions, Generator generator)
        => Decoder.Loss(features, featureIndexPerCaption, captions, generator);

    /// <summary>
    /// Decodes one caption per image of <paramref name="features"/> (B, R, F): greedy for BeamSize 1, beam search
    /// otherwise. Runs without gradients and without dropout whatever the mode; call <see cref="Module.Eval"/> first
    /// so the features come from batch-norm running statistics. Returns B hypotheses in input order.
    /// </summary>
    public IReadOnlyList<CaptionHypothesis> Generate(Tensor features, DecodeOptions? options = null)
        => CaptionDecoding.Generate(Decoder, Config, features, options ?? new DecodeOptions(MaxLength: Config.MaxCaptionLength));

    /// <summary>
    /// Encodes and decodes <paramref name="images"/> (B, 3, S, S) in one call, without gradients; temporaries are freed
    /// before returning. Call <see cref="Module.Eval"/> first (see <see cref="Generate"/>).
    /// </summary>
    public IReadOnlyList<CaptionHypothesis> Caption(Tensor images, DecodeOptions? options = null)
    {
        using var noGrad = GradMode.NoGrad();
        using var scope = new TensorScope();
        return Generate(Encode(images), options);
    }

    /// <summary>Writes weights and config.json to <paramref name="directory"/> (see <see cref="Checkpoint.Save{TConfig}"/>).</summary>
    public void Save(string directory) => Checkpoint.Save(directory, this, Config);

    /// <summary>
    /// Loads the pretrained backbone's weights from their packaged file (checksum verified) when the encoder has one
    /// and they are not loaded yet; no-op for from-scratch encoders. Fine-tuned stages are then overwritten by
    /// a checkpoint's own weights when one is loaded after this.
    /// </summary>
    public void LoadPretrainedWeights()
    {
        if (Encoder is ResNetEncoder { IsPretrainedLoaded: false } pretrained) pretrained.LoadPretrained();
    }

    /// <summary>Rebuilds a model from a checkpoint directory (config.json + model.safetensors, strict; a pretrained backbone from its packaged file) in eval mode.</summary>
    public static CaptionModel Load(string directory)
    {
        var config = Checkpoint.LoadConfig<CaptionerConfig>(directory);
        var model = new CaptionModel(config, new Generator(0));
        model.LoadPretrainedWeights();
        Checkpoint.LoadModel(directory, model);
        model.Eval();
        return model;
    }
}
