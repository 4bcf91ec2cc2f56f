// The ModelDirectorySpec of each model kind, built from the directory's own config.json: the tensors the
// configured model has, the token vocabulary sizing every embedding table and the decoder's output layer,
// and (classifier) the label map sizing the output layer. Loaders validate with
//   ModelDirectoryValidator.Validate(dir, ModelDirectorySpecs.Captioner(dir))
// before reading any weights.
using Pipeline.Captioning;
using Pipeline.Classification;
using Pipeline.Models.Captioning;
using Pipeline.Models.Classification;
using Pipeline.Models.Tensors;

namespace Pipeline.ModelFiles;

/// <summary>Specs of the model directories written by <c>pipeline train captioner</c> and <c>pipeline train classifier</c>.</summary>
public static class ModelDirectorySpecs
{
    /// <summary>Checkpoint key of the captioner's word embedding (V rows).</summary>
    public const string CaptionerEmbedding = "decoder.embedding.weight";

    /// <summary>Checkpoint key of the captioner's vocabulary projection (V outputs).</summary>
    public const string CaptionerOutput = "decoder.output.weight";

    /// <summary>Checkpoint key of the classifier's output layer (K outputs).</summary>
    public const string ClassifierOutput = "fc.weight";

    /// <summary>The spec of the captioner in <paramref name="directory"/>, from its config.json.</summary>
    /// <exception cref="ModelDirectoryException">config.json is missing, too large, malformed or invalid.</exception>
    public static ModelDirectorySpec Captioner(string directory)
    {
        var config = ModelDirectoryValidator.ReadConfig<CaptionerConfig>(directory);
        try { config = config.Validated(); }
        catch (ArgumentException ex) { throw new ModelDirectoryException(directory, [$"config.json: {ex.Message}"], ex); }
        var model = new CaptionModel(config, new Generator(0));
        return ModelDirectorySpec.FromModule(model,
            new VocabularyCheck(CaptionerFiles.VocabularyFile, VocabularyFileKind.Tokens, CaptionerEmbedding),
            new VocabularyCheck(CaptionerFiles.VocabularyFile, VocabularyFileKind.Tokens, CaptionerOutput));
    }

    /// <summary>The spec of the text classifier in <paramref name="directory"/>, from its config.json.</summary>
    /// <exception cref="ModelDirectoryException">config.json is missing, too large, malformed or invalid.</exception>
    public static ModelDirectorySpec Classifier(string directory)
    {
        var config = ModelDirectoryValidator.ReadConfig<ClassifierConfig>(directory);
        TextClassifierModel model;
        try { model = TextClassifierModel.Create(config, new Generator(0)); }
        catch (ArgumentException ex) { throw new ModelDirectoryException(directory, [$"config.json: {ex.Message}"], ex); }
        // Every embedding table (one, or two for the multichannel CNN) has one row per vocabulary id.
        var checks = model.StateDict().Keys
            .Where(k => k.StartsWith("embedding", StringComparison.Ordinal) && k.EndsWith(".weight", StringComparison.Ordinal))
            .Select(k => new VocabularyCheck(ClassifierDirectory.VocabularyFile, VocabularyFileKind.Tokens, k))
            .Append(new VocabularyCheck(ClassifierDirectory.LabelsFile, VocabularyFileKind.Labels, ClassifierOutput))
            .ToArray();
        return ModelDirectorySpec.FromModule(model, checks);
    }
}
