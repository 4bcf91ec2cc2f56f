// Shared test data: a few synthetic scenes (Karpathy JSON + PNGs) and a captioner trained on them for one
// epoch with a deliberately tiny architecture, built once per test class (fixtures) so tests stay fast.
using Pipeline.Captioning;
using Pipeline.Models.Captioning;
using Pipeline.Models.Training;
using Pipeline.Preprocessing.Synthetic;

namespace Pipeline.Tests.Captioning;

/// <summary>Synthetic scenes in a temp folder plus helpers to build tiny training tasks on them.</summary>
public sealed class TinyCaptionData : IDisposable
{
    public TinyCaptionData()
    {
        Root = Directory.CreateTempSubdirectory("caption-tests").FullName;
        var synth = SyntheticScenes.Generate(new SynthOptions { OutputDirectory = Path.Combine(Root, "synth"), Count = 30, Seed = 11, Size = 64 });
        DatasetPath = synth.DatasetJsonPath;
        ImagePaths = synth.Images.Select(i => Path.Combine(synth.OutputDirectory, i.FileName)).ToList();
        ModelDirectory = Path.Combine(Root, "model");
        using var task = CreateTask();
        new Trainer(Options(epochs: 1), task, ModelDirectory).Fit();
    }

    public string Root { get; }

    public string DatasetPath { get; }

    public IReadOnlyList<string> ImagePaths { get; }

    /// <summary>A model directory trained for one epoch.</summary>
    public string ModelDirectory { get; }

    public static CaptionerConfig TinyArchitecture { get; } = CaptionerConfig.FromPreset("tiny", 8) with
    {
        EmbeddingDim = 8, HiddenSize = 16, AttentionDim = 8, Dropout = 0.2f, MaxCaptionLength = 12,
    };

    public CaptioningTrainingTask CreateTask(string? resumeDirectory = null) => new(
        new CaptioningTrainingOptions { DataPath = DatasetPath, CacheDirectory = Path.Combine(Root, "cache"), BatchSize = 4, LearningRate = 3e-3, MinWordFrequency = 1 },
        TinyArchitecture, seed: 5, resumeDirectory);

    public static TrainerOptions Options(int epochs) => new(Epochs: epochs, Patience: 0, GradientClipNorm: 5.0, HigherIsBetter: true);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
