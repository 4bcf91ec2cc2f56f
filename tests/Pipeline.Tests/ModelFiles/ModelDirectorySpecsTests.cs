// The specs of the two real model kinds, built from config.json, against directories written the way
// training writes them: they accept them as written and name the vocabulary/weights disagreement when a
// vocabulary or label file from another model is dropped in.
using Pipeline.Captioning;
using Pipeline.Classification;
using Pipeline.ModelFiles;
using Pipeline.Preprocessing.Datasets;
using Pipeline.Preprocessing.Text;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.ModelFiles;

public sealed class ModelDirectorySpecsTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "pipeline-specs-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void CaptionerSpecAcceptsATrainedLayoutAndChecksBothVocabularySizedLayers()
    {
        var dir = TinyModelDirectories.WriteCaptioner(Path.Combine(root, "captioner"));
        var header = ModelDirectoryValidator.Validate(dir, ModelDirectorySpecs.Captioner(dir));
        Assert.Contains(header.Tensors, t => t.Name == ModelDirectorySpecs.CaptionerEmbedding);

        Vocabulary.FromTokens([.. Vocabulary.SpecialTokens, "a", "dog"]).Save(Path.Combine(dir, CaptionerDirectory.VocabularyFile));
        var ex = Assert.Throws<ModelDirectoryException>(() => ModelDirectoryValidator.Validate(dir, ModelDirectorySpecs.Captioner(dir)));
        Assert.Equal(2, ex.Problems.Count);
        Assert.Contains("vocab.json has 6 token entries but tensor 'decoder.embedding.weight' has 11 along axis 0", ex.Message);
        Assert.Contains("tensor 'decoder.output.weight' has 11", ex.Message);
    }

    [Fact]
    public void ClassifierSpecAcceptsATrainedLayoutAndChecksVocabularyAndLabels()
    {
        var dir = TinyModelDirectories.WriteClassifier(Path.Combine(root, "classifier"));
        ModelDirectoryValidator.Validate(dir, ModelDirectorySpecs.Classifier(dir));

        File.WriteAllText(Path.Combine(dir, ClassifierDirectory.LabelsFile), LabelMap.Fit(["ham", "spam"]).ToJson());
        Vocabulary.FromTokens([.. Vocabulary.SpecialTokens, "x"]).Save(Path.Combine(dir, ClassifierDirectory.VocabularyFile));
        var ex = Assert.Throws<ModelDirectoryException>(() => ModelDirectoryValidator.Validate(dir, ModelDirectorySpecs.Classifier(dir)));
        Assert.Contains("vocab.json has 5 token entries but tensor 'embedding.weight'", ex.Message);
        Assert.Contains("labels.json has 2 label entries but tensor 'fc.weight' has 3 along axis 0", ex.Message);
    }

    [Fact]
    public void InvalidConfigIsReportedAsAModelDirectoryProblem()
    {
        var dir = TinyModelDirectories.WriteCaptioner(Path.Combine(root, "bad-config"));
        var path = Path.Combine(dir, "config.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"HiddenSize\": 8", "\"HiddenSize\": -8"));
        var ex = Assert.Throws<ModelDirectoryException>(() => ModelDirectorySpecs.Captioner(dir));
        Assert.Contains("config.json", ex.Message);
        Assert.Contains("HiddenSize", ex.Message);
    }
}
