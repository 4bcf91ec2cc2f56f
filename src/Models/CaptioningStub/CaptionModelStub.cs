// TEMPORARY stand-in for branch cap-core's captioning model (same public API), so the application side
// compiles and its plumbing can be tested before the real model lands. Deleted on merge of cap-core.
// Model: 4x4 average-pooled grid → Linear → (B, R, F); next-token logits = Linear(embed(prev) + mean feature).
using Pipeline.Models.Nn;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Captioning;

/// <summary>Stub configuration.</summary>
public sealed record CaptionerConfig
{
    /// <summary>Image side.</summary>
    public int ImageSize { get; init; } = 64;
    /// <summary>Encoder preset.</summary>
    public string EncoderPreset { get; init; } = "tiny";
    /// <summary>Vocabulary size.</summary>
    public int VocabSize { get; init; } = 100;
    /// <summary>Embedding size.</summary>
    public int EmbedDim { get; init; } = 32;
    /// <summary>Hidden size.</summary>
    public int HiddenDim { get; init; } = 64;
    /// <summary>Attention on/off.</summary>
    public bool UseAttention { get; init; } = true;
    /// <summary>Doubly stochastic attention λ.</summary>
    public double AttentionLambda { get; init; } = 1.0;
    /// <summary>Max caption length.</summary>
    public int MaxLength { get; init; } = 20;
    /// <summary>Image mean.</summary>
    public float[] ImageMean { get; init; } = [0.485f, 0.456f, 0.406f];
    /// <summary>Image std.</summary>
    public float[] ImageStd { get; init; } = [0.229f, 0.224f, 0.225f];
}

/// <summary>Loss of a batch.</summary>
public sealed record CaptionLoss(Tensor Loss, double CrossEntropy, double AttentionPenalty, int Tokens);

/// <summary>Decode options.</summary>
public sealed record DecodeOptions(int BeamSize = 1, int MaxLength = 20, float LengthPenalty = 0f, int TopK = 1, bool ReturnAttention = false);

/// <summary>A decoded caption.</summary>
public sealed record CaptionHypothesis(int[] Tokens, float Score, float[][]? Attention, IReadOnlyList<CaptionHypothesis> Alternatives);

/// <summary>Stub model.</summary>
public sealed class CaptionModel : Module
{
    private readonly Linear project, output;
    private readonly Embedding embed;

    /// <summary>Creates the stub.</summary>
    public CaptionModel(CaptionerConfig config, Generator generator)
    {
        Config = config;
        project = RegisterModule("project", new Linear(3, config.EmbedDim, generator));
        embed = RegisterModule("embed", new Embedding(config.VocabSize, config.EmbedDim, generator, 0));
        output = RegisterModule("output", new Linear(config.EmbedDim, config.VocabSize, generator));
    }

    /// <summary>Config.</summary>
    public CaptionerConfig Config { get; }
    /// <summary>Grid height.</summary>
    public int GridHeight => 4;
    /// <summary>Grid width.</summary>
    public int GridWidth => 4;

    /// <summary>(B,3,S,S) → (B,16,F).</summary>
    public Tensor Encode(Tensor images)
    {
        int b = images.Size(0), s = images.Size(2);
        var pooled = Functional.AvgPool2d(images, Pool2dOptions.Square(s / 4));      // (B, 3, 4, 4)
        var regions = pooled.Reshape(b, 3, 16).Transpose(1, 2);                     // (B, 16, 3)
        return project.Forward(regions);                                             // (B, 16, F)
    }

    /// <summary>Teacher-forced loss.</summary>
    public CaptionLoss Loss(Tensor features, int[] featureIndexPerCaption, int[][] captions, Generator generator)
    {
        var mean = Tensor.Mean(features, 1, false);                                   // (B, F)
        var prev = new List<int>(); var next = new List<int>(); var img = new List<int>();
        for (int c = 0; c < captions.Length; c++)
            for (int t = 0; t + 1 < captions[c].Length; t++) { prev.Add(captions[c][t]); next.Add(captions[c][t + 1]); img.Add(featureIndexPerCaption[c]); }
        var h = embed.Forward(prev.ToArray()) + Tensor.IndexSelect(mean, 0, img.ToArray());
        var loss = Functional.CrossEntropy(output.Forward(Tensor.Tanh(h)), next.ToArray());
        return new CaptionLoss(loss, loss.Item(), 0, next.Count);
    }

    /// <summary>Greedy decode.</summary>
    public IReadOnlyList<CaptionHypothesis> Generate(Tensor features, DecodeOptions options)
    {
        int b = features.Size(0);
        var mean = Tensor.Mean(features, 1, false);
        var result = new List<CaptionHypothesis>();
        for (int i = 0; i < b; i++)
        {
            var m = mean.Narrow(0, i, 1);
            var tokens = new List<int>(); int prev = 2; float score = 0;
            for (int t = 0; t < options.MaxLength; t++)
            {
                var logp = Tensor.LogSoftmax(output.Forward(Tensor.Tanh(embed.Forward([prev]) + m)), 1);
                int id = Tensor.Argmax(logp, 1)[0];
                score += logp[0, id];
                if (id == 3) break;
                tokens.Add(id); prev = id;
            }
            float[][]? att = options.ReturnAttention ? tokens.Select(_ => Enumerable.Repeat(1f / 16, 16).ToArray()).ToArray() : null;
            result.Add(new CaptionHypothesis(tokens.ToArray(), score, att, []));
        }
        return result;
    }
}
