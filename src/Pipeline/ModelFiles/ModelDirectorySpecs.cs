// The ModelDirectorySpec of each model kind, built from the directory's own config.json: the tensors the
// configured model has, the token vocabulary sizing every embedding table and the decoder's output layer,
// and (classifier) the label map sizing the output layer. Loaders validate with
//   ModelDirectoryValidator.Validate(dir, ModelDirectorySpecs.Captioner(dir))
// before reading any weights. A spec is built only from a config whose sizes passed ModelLimits, and
// under the allocation budget of the weights' header, so building it cannot allocate more than the
// weights file holds.
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
    public static ModelDirectorySpec Captioner(string directory, ModelLimits? limits = null)
    {
        limits ??= ModelLimits.Default;
        var config = ModelDirectoryValidator.ReadConfig<CaptionerConfig>(directory);
        try { config = config.Validated(); }
        catch (ArgumentException ex) { throw new ModelDirectoryException(directory, [$"config.json: {ex.Message}"], ex); }
        Require(directory, limits.Check(config));
        // A pretrained backbone's frozen weights come from its packaged file, not model.safetensors: they add to the budget,
        // sized from the known backbone's architecture (config validation refuses any other), with the pool's size-class slack.
        long backbone = config.Backbone is { } b ? b.Architecture.ElementCount() * 5 / 4 + 65536 : 0;
        var model = BuildWithinBudget(directory, limits, () => new CaptionModel(config, new Generator(0)), backbone);
        return ModelDirectorySpec.FromModule(model,
            new VocabularyCheck(CaptionerDirectory.VocabularyFile, VocabularyFileKind.Tokens, CaptionerEmbedding),
            new VocabularyCheck(CaptionerDirectory.VocabularyFile, VocabularyFileKind.Tokens, CaptionerOutput));
    }

    /// <summary>The spec of the text classifier in <paramref name="directory"/>, from its config.json.</summary>
    /// <exception cref="ModelDirectoryException">config.json is missing, too large, malformed or invalid.</exception>
    public static ModelDirectorySpec Classifier(string directory, ModelLimits? limits = null)
    {
        limits ??= ModelLimits.Default;
        var config = ModelDirectoryValidator.ReadConfig<ClassifierConfig>(directory);
        try { config.Validate(); }
        catch (ArgumentException ex) { throw new ModelDirectoryException(directory, [$"config.json: {ex.Message}"], ex); }
        Require(directory, limits.Check(config));
        TextClassifierModel model;
        try { model = BuildWithinBudget(directory, limits, () => TextClassifierModel.Create(config, new Generator(0))); }
        catch (ArgumentException ex) { throw new ModelDirectoryException(directory, [$"config.json: {ex.Message}"], ex); }
        // Every embedding table (one, or two for the multichannel CNN) has one row per vocabulary id.
        var checks = model.StateDict().Keys
            .Where(k => k.StartsWith("embedding", StringComparison.Ordinal) && k.EndsWith(".weight", StringComparison.Ordinal))
            .Select(k => new VocabularyCheck(ClassifierDirectory.VocabularyFile, VocabularyFileKind.Tokens, k))
            .Append(new VocabularyCheck(ClassifierDirectory.LabelsFile, VocabularyFileKind.Labels, ClassifierOutput))
            .ToArray();
        return ModelDirectorySpec.FromModule(model, checks);
    }

    /// <summary>Throws <see cref="ModelDirectoryException"/> listing <paramref name="problems"/> (each about config.json), if any.</summary>
    public static void Require(string directory, IReadOnlyList<string> problems)
    {
        if (problems.Count > 0) throw new ModelDirectoryException(directory, problems.Select(p => $"config.json: {p}").ToList());
    }

    /// <summary>
    /// Runs <paramref name="build"/> (which constructs a model from the directory's config) under the allocation budget of the
    /// directory's weights: a config describing a larger model than the weights hold fails before it allocates more.
    /// </summary>
    /// <param name="directory">The model directory.</param>
    /// <param name="limits">The limits in force.</param>
    /// <param name="build">Builds the model from the directory's config.</param>
    /// <param name="externalElements">Values the model takes from elsewhere than its weights file (a packaged pretrained backbone).</param>
    public static T BuildWithinBudget<T>(string directory, ModelLimits limits, Func<T> build, long externalElements = 0)
    {
        var (elements, source) = ModelDirectoryValidator.AllocationBudget(directory, limits);
        elements += externalElements;
        try
        {
            using (BufferPool.LimitAllocations(elements, asked => new InsufficientMemoryException(
                       $"config.json describes a model larger than the {source}: building it asked for more than {asked:N0} values " +
                       "(do HiddenSize, EmbeddingDim, AttentionDim, VocabularySize, the filter widths or the encoder channels match the weights?)")))
                return build();
        }
        catch (InsufficientMemoryException ex) { throw new ModelDirectoryException(directory, [ex.Message], ex); }
    }
}
