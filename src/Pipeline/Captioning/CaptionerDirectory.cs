// The on-disk layout of a trained captioner, shared by training (Save) and inference (Load):
//   model.safetensors  weights (Checkpoint format)      config.json     CaptionerConfig
//   vocab.json         the word vocabulary (ids = embedding rows)      tokenizer.json  TokenizerSpec
// Keeping the vocabulary and tokenizer beside the weights makes a model directory self-contained.
using Pipeline.Models.Captioning;
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Optim;
using Pipeline.Preprocessing.Text;

namespace Pipeline.Captioning;

/// <summary>Reads and writes the files of a captioner model directory.</summary>
public static class CaptionerDirectory
{
    /// <summary>File name of the vocabulary.</summary>
    public const string VocabularyFile = "vocab.json";

    /// <summary>File name of the tokenizer specification.</summary>
    public const string TokenizerFile = "tokenizer.json";

    /// <summary>Writes weights, config, vocabulary and tokenizer spec (plus optimizer/trainer state when given).</summary>
    public static void Save(string directory, CaptionModel model, CaptionerConfig config, Vocabulary vocabulary, TokenizerSpec tokenizer,
        Optimizer? optimizer = null, TrainerState? trainerState = null)
    {
        Checkpoint.Save(directory, model, config, optimizer, trainerState);
        AtomicFile.WriteAllText(Path.Combine(directory, VocabularyFile), vocabulary.ToJson());
        AtomicFile.WriteAllText(Path.Combine(directory, TokenizerFile), tokenizer.ToJson());
    }

    /// <summary>
    /// Reads config, vocabulary and tokenizer of <paramref name="directory"/> and checks that they agree
    /// (vocabulary size = the config's embedding rows). Throws <see cref="FileNotFoundException"/> naming a
    /// missing file and <see cref="InvalidDataException"/> for inconsistent content. Untrusted folders: the files are
    /// size-bounded regular files, the config's sizes are checked against <see cref="ModelFiles.ModelLimits"/> and the
    /// vocabulary is read with the config's size as a bound, before anything large is built.
    /// </summary>
    public static (CaptionerConfig Config, Vocabulary Vocabulary, TokenizerSpec Tokenizer) ReadMetadata(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Model directory '{directory}' does not exist (train one with `pipeline train captioner --out {directory}`).");
        foreach (var file in new[] { Checkpoint.ConfigFile, Checkpoint.ModelFile, VocabularyFile })
            if (!File.Exists(Path.Combine(directory, file)))
                throw new FileNotFoundException($"Model directory '{directory}' has no {file}; it is not a captioner model directory.", Path.Combine(directory, file));

        CaptionerConfig config;
        try
        {
            config = ModelFiles.ModelDirectoryValidator.ReadConfig<CaptionerConfig>(directory).Validated();
            ModelFiles.ModelDirectorySpecs.Require(directory, ModelFiles.ModelLimits.Default.Check(config));
        }
        catch (ArgumentException e) { throw new InvalidDataException($"{Path.Combine(directory, Checkpoint.ConfigFile)}: {e.Message}", e); }
        catch (ModelFiles.ModelDirectoryException e) { throw new InvalidDataException(e.Message, e); }
        Vocabulary vocabulary;
        // One token past the config's size is enough to know the files disagree.
        try { vocabulary = Vocabulary.Load(Path.Combine(directory, VocabularyFile), maxTokens: config.VocabularySize + 1); }
        catch (FormatException e) { throw new InvalidDataException(e.Message, e); }
        if (vocabulary.Count != config.VocabularySize)
            throw new InvalidDataException(
                $"{Path.Combine(directory, VocabularyFile)} has {(vocabulary.Count > config.VocabularySize ? "more than " + config.VocabularySize : vocabulary.Count)} tokens but {Checkpoint.ConfigFile} says the embedding has {config.VocabularySize} rows; the files belong to different models.");
        string tokenizerPath = Path.Combine(directory, TokenizerFile);
        var tokenizer = File.Exists(tokenizerPath)
            ? TokenizerSpec.FromJson(Preprocessing.Files.BoundedFile.ReadAllText(tokenizerPath, ModelFiles.ModelDirectorySpec.DefaultMaxSmallFileBytes, "tokenizer file"))
            : TokenizerSpec.Word();
        tokenizer.Validate();
        return (config, vocabulary, tokenizer);
    }
}
