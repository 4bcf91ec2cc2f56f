// The decoder sizes and optimisation settings `pipeline train captioner` uses when none are given, per
// encoder preset — chosen by experiment on each preset's own kind of data (docs/CAPTIONING.md):
//   photos (resnet18, Flickr8k train/dev): E 256, H 512, A 256, dropout 0.5, λ 0.1, Adam 1e-3 — a 6-epoch
//     comparison on Flickr8k dev gave the larger decoder with the lower rate the better CIDEr-D, and lr 2e-3
//     oscillated; λ = 1 (the paper's, for a summed cross-entropy) let the penalty dominate a per-token mean.
//   synthetic scenes (tiny, small, base): E 128, H 256, A 128, dropout 0.3, λ 0.1, Adam 2e-3.
namespace Pipeline.Captioning;

/// <summary>Default decoder sizes and optimisation settings for one encoder preset.</summary>
/// <param name="EmbeddingDim">Word embedding size E.</param>
/// <param name="HiddenSize">LSTM hidden size H.</param>
/// <param name="AttentionDim">Attention MLP size A.</param>
/// <param name="Dropout">Dropout before the word classifier.</param>
/// <param name="AttentionLambda">λ of the doubly stochastic attention penalty (per caption, relative to the per-token cross-entropy).</param>
/// <param name="LearningRate">Adam learning rate.</param>
public sealed record CaptionerRecipe(int EmbeddingDim, int HiddenSize, int AttentionDim, float Dropout, float AttentionLambda, double LearningRate)
{
    /// <summary>The recipe for photographs with a pretrained backbone.</summary>
    public static CaptionerRecipe Photos { get; } = new(256, 512, 256, 0.5f, 0.1f, 1e-3);

    /// <summary>The recipe for from-scratch encoders on the synthetic scenes.</summary>
    public static CaptionerRecipe FromScratch { get; } = new(128, 256, 128, 0.3f, 0.1f, 2e-3);

    /// <summary>The recipe of encoder preset <paramref name="preset"/>.</summary>
    public static CaptionerRecipe For(string preset) => Models.Pretrained.PretrainedBackbones.Names.Contains(preset) ? Photos : FromScratch;
}
