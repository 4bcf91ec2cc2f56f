// The photo captioner's training path end to end on a tiny Flickr-format dataset (token file and split
// lists side by side, photos in images/): the pretrained encoder's frozen features are computed once into
// the cache and reused by the next run; the decoder overfits a tiny batch; the model directory stores no
// frozen backbone weights (only fine-tuned stages); the in-domain density is fitted, saved and used by
// ImageCaptioner, which loads the backbone from its packaged file.
using Pipeline.Captioning;
using Pipeline.Models.Captioning;
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Training;
using Pipeline.Preprocessing.Synthetic;

namespace Pipeline.Tests.Captioning;

public sealed class PretrainedCaptionerTrainingTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("photo-captioner-").FullName;
    private readonly string tokenFile;
    private readonly string[] trainCaptions = ["red circle on top", "two blue squares", "green star left", "small yellow cross"];

    public PretrainedCaptionerTrainingTests()
    {
        // Six synthetic scenes stand in for photos; each training image gets one distinct caption (so the decoder can overfit).
        var synth = SyntheticScenes.Generate(new SynthOptions { OutputDirectory = Path.Combine(root, "images"), Count = 6, Seed = 21, Size = 64 });
        var names = synth.Images.Select(i => i.FileName).ToArray();
        var lines = names.Take(4).Select((n, k) => $"{n}#0\t{trainCaptions[k]} .")
            .Concat(names.Skip(4).Select(n => $"{n}#0\tA red circle on top ."));
        tokenFile = Path.Combine(root, "Flickr8k.token.txt");
        File.WriteAllLines(tokenFile, lines);
        File.WriteAllLines(Path.Combine(root, "Flickr_8k.trainImages.txt"), names.Take(4));
        File.WriteAllLines(Path.Combine(root, "Flickr_8k.devImages.txt"), names.Skip(4));
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    private CaptioningTrainingTask Task(int trainableStages = 0, List<string>? status = null)
    {
        var config = CaptionerConfig.FromPreset("resnet18", 8);
        config = config with
        {
            Backbone = config.Backbone! with { TrainableStages = trainableStages },
            EmbeddingDim = 16, HiddenSize = 32, AttentionDim = 16, Dropout = 0f, DoublyStochasticLambda = 0f, MaxCaptionLength = 8,
        };
        return new CaptioningTrainingTask(
            new CaptioningTrainingOptions { DataPath = tokenFile, CacheDirectory = Path.Combine(root, "cache"), BatchSize = 4, LearningRate = 1e-2, MinWordFrequency = 1 },
            config, seed: 3, status: status is null ? null : new Progress(status));
    }

    private sealed class Progress(List<string> lines) : IProgress<string>
    {
        public void Report(string value) => lines.Add(value);
    }

    [Fact]
    public void Frozen_features_are_cached_once_and_the_decoder_overfits()
    {
        var first = new List<string>();
        string modelDir = Path.Combine(root, "model"), last = Path.Combine(modelDir, "checkpoints", "last");
        using (var task = Task(status: first))
        {
            Assert.Equal(4, task.Corpus.Train.Shard.Count);                                // split lists and images/ found beside the token file
            Assert.Equal(2, task.Corpus.Validation.Shard.Count);
            Assert.True(first.Any(m => m.StartsWith("training features: 4/4", StringComparison.Ordinal)), string.Join(" | ", first));
            var result = new Trainer(new TrainerOptions(Epochs: 80, Patience: 0, GradientClipNorm: 5.0, HigherIsBetter: true), task, modelDir).Fit();
            Assert.True(result.History[^1].TrainLoss < 0.1, $"training loss {result.History[^1].TrainLoss} after 80 steps");
            var onTrain = task.Evaluate(task.Corpus.Train, new DecodeOptions(MaxLength: 8));       // the last weights, in memory
            Assert.Equal(1.0, onTrain.Bleu4, 3);
            task.FitFeatureDensity(last);
        }
        Assert.Equal(2, Directory.GetFiles(Path.Combine(root, "cache"), "features-*.bin").Length);

        var second = new List<string>();
        using (Task(status: second)) { }
        Assert.Equal(2, second.Count(m => m.Contains("features: reused", StringComparison.Ordinal)));

        // The directory holds the decoder only; the backbone comes from the package.
        var keys = SafeTensors.ReadHeader(Path.Combine(last, Checkpoint.ModelFile)).Tensors.Select(t => t.Name).ToList();
        Assert.DoesNotContain(keys, k => k.StartsWith("encoder.", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(last, FeatureDensity.FileName)));

        var captioner = ImageCaptioner.Load(last);
        Assert.True(captioner.HasConfidence);
        var images = Directory.GetFiles(Path.Combine(root, "images"), "*.png").Order(StringComparer.Ordinal).ToArray();
        var results = captioner.CaptionMany(images.Take(4));
        Assert.Equal(trainCaptions, results.Select(r => r.Caption));                        // the public path reproduces training
        Assert.All(results, r => Assert.InRange(r.Confidence!.Value, 1.0 / 3, 1.0));
    }

    [Fact]
    public void Fine_tuned_stages_train_at_a_tenth_of_the_decoders_rate()
    {
        using (var frozenTask = Task())
            Assert.Single(frozenTask.Optimizer.Groups);
        using var task = Task(trainableStages: 1);
        var groups = task.Optimizer.Groups;
        Assert.Equal(2, groups.Count);
        var decoder = task.CaptionModel.Decoder.Parameters().ToHashSet();
        var layer4 = task.CaptionModel.Encoder.Parameters().ToHashSet();
        Assert.NotEmpty(layer4);
        Assert.True(groups[0].Parameters.ToHashSet().SetEquals(decoder));
        Assert.True(groups[1].Parameters.ToHashSet().SetEquals(layer4));
        Assert.Equal(1e-2, groups[0].LearningRate, 12);
        Assert.Equal(1e-2 * CaptioningTrainingOptions.DefaultBackboneLearningRateScale, groups[1].LearningRate, 12);
        // Every trainable parameter of the model is in exactly one group.
        Assert.Equal(task.CaptionModel.Parameters().Count(), decoder.Count + layer4.Count);
    }

    [Fact]
    public void Fine_tuned_stage_is_trained_saved_and_reloaded()
    {
        string modelDir = Path.Combine(root, "fine-tuned");
        float[] before, after, frozen;
        using (var task = Task(trainableStages: 1))
        {
            var layer4 = task.CaptionModel.Encoder.NamedParameters().First(p => p.Name == "resnet.layer4.0.conv1.weight").Tensor;
            before = layer4.ToArray();
            new Trainer(new TrainerOptions(Epochs: 2, Patience: 0, GradientClipNorm: 5.0, HigherIsBetter: true), task, modelDir).Fit();
            after = layer4.ToArray();
            frozen = task.CaptionModel.Encoder.NamedParameters().First(p => p.Name == "resnet.layer3.0.conv1.weight").Tensor.ToArray();
        }
        Assert.NotEqual(before, after);
        var saved = SafeTensors.Read(Path.Combine(modelDir, "checkpoints", "last", Checkpoint.ModelFile)).Tensors;
        Assert.Equal(after, saved["encoder.resnet.layer4.0.conv1.weight"].ToArray());
        Assert.DoesNotContain(saved.Keys, k => k.StartsWith("encoder.resnet.layer3.", StringComparison.Ordinal));

        var reloaded = CaptionModel.Load(Path.Combine(modelDir, "checkpoints", "last"));
        Assert.Equal(after, reloaded.Encoder.NamedParameters().First(p => p.Name == "resnet.layer4.0.conv1.weight").Tensor.ToArray());
        Assert.Equal(frozen, reloaded.Encoder.NamedParameters().First(p => p.Name == "resnet.layer3.0.conv1.weight").Tensor.ToArray());   // from the package
    }
}
