// The on-disk layout of a trained classifier. A model directory is self-contained: everything needed
// to turn raw text into the same ids and the logits back into label names is saved beside the weights.
//
//   model.safetensors   weights (Checkpoint.Save)
//   config.json         ClassifierConfig: architecture and sizes (Checkpoint.Save)
//   vocab.json          Vocabulary (token ids)
//   labels.json         LabelMap (class names by index)
//   tokenizer.json      TokenizerSpec (word or BPE)
//   preprocessing.json  ClassifierPreprocessing (normalizer, max length, vocabulary settings)
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Classification;
using Pipeline.Preprocessing.Datasets;
using Pipeline.Preprocessing.Text;

namespace Pipeline.Classification;

/// <summary>File names and save/load helpers of a classifier model directory.</summary>
public static class ClassifierDirectory
{
    /// <summary>Vocabulary file.</summary>
    public const string VocabularyFile = "vocab.json";
    /// <summary>Label names file.</summary>
    public const string LabelsFile = "labels.json";
    /// <summary>Tokenizer spec file.</summary>
    public const string TokenizerFile = "tokenizer.json";
    /// <summary>Preprocessing settings file.</summary>
    public const string PreprocessingFile = "preprocessing.json";

    /// <summary>
    /// Writes weights, config and every preprocessing artifact to <paramref name="directory"/> (plus optimizer and
    /// trainer state when given, for resume).
    /// </summary>
    public static void Save(string directory, TextClassifierModel model, ClassifierConfig config, TextEncoder encoder, LabelMap labels,
        Models.Optim.Optimizer? optimizer = null, TrainerState? state = null)
    {
        Checkpoint.Save(directory, model, config, optimizer, state);
        AtomicFile.WriteAllText(Path.Combine(directory, VocabularyFile), encoder.Vocabulary.ToJson());
        AtomicFile.WriteAllText(Path.Combine(directory, LabelsFile), labels.ToJson());
        AtomicFile.WriteAllText(Path.Combine(directory, TokenizerFile), encoder.TokenizerSpec.ToJson());
        AtomicFile.WriteAllText(Path.Combine(directory, PreprocessingFile), encoder.Preprocessing.ToJson());
    }

    /// <summary>Reads the text encoder (preprocessing, tokenizer, vocabulary) of a model directory.</summary>
    /// <exception cref="FileNotFoundException">A required file is missing (the message names it).</exception>
    /// <exception cref="InvalidDataException">A file is malformed (the message names it).</exception>
    /// <param name="directory">The model directory.</param>
    /// <param name="maxTokens">More vocabulary tokens than this is an error, raised while reading (untrusted folders).</param>
    public static TextEncoder LoadEncoder(string directory, int maxTokens = int.MaxValue)
    {
        var preprocessing = ClassifierPreprocessing.FromJson(ReadRequired(directory, PreprocessingFile), Path.Combine(directory, PreprocessingFile));
        if (ModelFiles.ModelLimits.Default.CheckSequenceLength(preprocessing.MaxLength) is { } tooLong)
            throw new InvalidDataException($"{Path.Combine(directory, PreprocessingFile)}: {tooLong}.");
        TokenizerSpec tokenizer;
        try { tokenizer = TokenizerSpec.FromJson(ReadRequired(directory, TokenizerFile)); }
        catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{Path.Combine(directory, TokenizerFile)}: invalid tokenizer spec: {e.Message}", e);
        }
        ReadRequired(directory, VocabularyFile);
        Vocabulary vocabulary;
        try { vocabulary = Vocabulary.Load(Path.Combine(directory, VocabularyFile), maxTokens); }
        catch (FormatException e) { throw new InvalidDataException(e.Message, e); }
        return new TextEncoder(preprocessing, tokenizer, vocabulary);
    }

    /// <summary>Reads the label map of a model directory.</summary>
    public static LabelMap LoadLabels(string directory)
    {
        var json = ReadRequired(directory, LabelsFile);
        try { return LabelMap.FromJson(json, Path.Combine(directory, LabelsFile)); }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{Path.Combine(directory, LabelsFile)}: {e.Message}", e);
        }
    }

    private static string ReadRequired(string directory, string file)
    {
        var path = Path.Combine(directory, file);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} is missing: '{directory}' is not a complete classifier directory (train one with `pipeline train classifier`).", path);
        // Regular, size-bounded files only: a model folder is untrusted input.
        return Preprocessing.Files.BoundedFile.ReadAllText(path, ModelFiles.ModelDirectorySpec.DefaultMaxSmallFileBytes, "model file");
    }
}
