// The captioner's pretrained encoder as plain data, saved inside config.json: which backbone (by name,
// with the NuGet file and checksum its weights come from), its architecture, and how many of its last
// residual stages are fine-tuned. Only the fine-tuned stages are stored in model.safetensors; the rest is
// loaded from the packaged file, whose checksum must match — so a model directory stays small and cannot
// silently pair its decoder with different encoder weights.
using Pipeline.Models.Pretrained;
using Pipeline.Models.Vision;

namespace Pipeline.Models.Captioning;

/// <summary>A pretrained backbone used as the captioner's encoder.</summary>
/// <param name="Name">Backbone name (see <see cref="PretrainedBackbones"/>).</param>
/// <param name="Architecture">The backbone's layer widths and depths.</param>
/// <param name="Weights">Where its weights come from.</param>
/// <param name="Preprocessing">Where its input transform comes from.</param>
/// <param name="TrainableStages">How many of the last residual stages train with the decoder (0 = frozen features).</param>
public sealed record PretrainedEncoderSpec(string Name, ResNetSpec Architecture, PackagedFile Weights, PackagedFile Preprocessing, int TrainableStages = 0)
{
    /// <summary>The spec of a known backbone with <paramref name="trainableStages"/> fine-tuned stages.</summary>
    public static PretrainedEncoderSpec For(PretrainedBackbone backbone, int trainableStages = 0)
        => new PretrainedEncoderSpec(backbone.Name, backbone.Architecture, backbone.Weights, backbone.Preprocessing, trainableStages).Validate();

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless this names a known backbone with exactly its files and architecture
    /// (a config from an untrusted folder cannot point the loader at other files) and a stage count within it.
    /// </summary>
    public PretrainedEncoderSpec Validate()
    {
        if (Name is null || !PretrainedBackbones.Names.Contains(Name))
            throw new ArgumentException($"pretrained encoder: unknown backbone '{Name}'; known: {string.Join(", ", PretrainedBackbones.Names)}.");
        var known = PretrainedBackbones.FromName(Name);
        if (Architecture is null || !Architecture.Validate().Equals(known.Architecture))
            throw new ArgumentException($"pretrained encoder: the architecture does not match backbone '{Name}'.");
        if (Weights != known.Weights || Preprocessing != known.Preprocessing)
            throw new ArgumentException($"pretrained encoder: backbone '{Name}' comes from {known.Weights.Package} {known.Weights.Version} ({known.Weights.PathInPackage}, SHA-256 {known.Weights.Sha256}), not the files named in the config.");
        if (TrainableStages < 0 || TrainableStages > Architecture.StageChannels.Length)
            throw new ArgumentException($"pretrained encoder: TrainableStages must be in 0..{Architecture.StageChannels.Length}, got {TrainableStages}.");
        return this;
    }

    /// <summary>The image side the backbone expects.</summary>
    public int ImageSize => PretrainedBackbones.FromName(Name).ImageSize;
}
