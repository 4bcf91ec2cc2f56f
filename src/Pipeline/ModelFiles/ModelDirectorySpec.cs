// What a model directory must contain for a given model configuration: the exact tensor names and shapes
// the model built from config.json will ask for, and which vocabulary/label files size which tensor axis
// (a vocabulary of V tokens needs an embedding with V rows and an output layer with V outputs).
// ModelDirectoryValidator checks a directory against it before a single weight is read.
using Pipeline.Models.Nn;

namespace Pipeline.ModelFiles;

/// <summary>How a vocabulary-like file is read to count its entries.</summary>
public enum VocabularyFileKind
{
    /// <summary>A token vocabulary written by <c>Pipeline.Preprocessing.Text.Vocabulary.Save</c>.</summary>
    Tokens,

    /// <summary>A label map written by <c>Pipeline.Preprocessing.Datasets.LabelMap.ToJson</c>.</summary>
    Labels,
}

/// <summary>
/// One "file size ↔ tensor axis" agreement: the number of entries in <paramref name="File"/> must equal
/// dimension <paramref name="Axis"/> of tensor <paramref name="Tensor"/>.
/// </summary>
/// <param name="File">File name inside the model directory (for example <c>vocab.json</c>).</param>
/// <param name="Kind">How to read the file.</param>
/// <param name="Tensor">Checkpoint key of the tensor sized by it (for example <c>decoder.embedding.weight</c>).</param>
/// <param name="Axis">The dimension that must equal the entry count (0 = rows of an embedding or output layer).</param>
public sealed record VocabularyCheck(string File, VocabularyFileKind Kind, string Tensor, int Axis = 0);

/// <summary>The expected content of a model directory.</summary>
public sealed record ModelDirectorySpec
{
    /// <summary>Largest vocabulary or label file read (they are small JSON files; anything bigger is not ours).</summary>
    public const long DefaultMaxSmallFileBytes = 64L << 20;

    /// <summary>Largest config.json read.</summary>
    public const long DefaultMaxConfigBytes = 1L << 20;

    /// <summary>Expected tensors: checkpoint key → shape. Every key must be present with exactly this shape.</summary>
    public required IReadOnlyDictionary<string, int[]> Tensors { get; init; }

    /// <summary>Vocabulary and label files whose sizes must match tensor dimensions.</summary>
    public IReadOnlyList<VocabularyCheck> Vocabularies { get; init; } = [];

    /// <summary>Whether tensors the model does not use are tolerated (false: they are reported).</summary>
    public bool AllowUnexpectedTensors { get; init; }

    /// <summary>Size limit for vocabulary and label files.</summary>
    public long MaxSmallFileBytes { get; init; } = DefaultMaxSmallFileBytes;

    /// <summary>Largest number of float values the weights may declare.</summary>
    public long MaxParameters { get; init; } = ModelLimits.Default.MaxParameters;

    /// <summary>
    /// The spec of a module built from the directory's config: its state-dict keys and shapes, plus the
    /// given vocabulary checks. Building the module allocates what the config declares, so check the config
    /// against <see cref="ModelLimits"/> and build it under <see cref="ModelDirectoryValidator.AllocationBudget"/>
    /// when it is untrusted (as <see cref="ModelDirectorySpecs"/> does).
    /// </summary>
    public static ModelDirectorySpec FromModule(Module module, params VocabularyCheck[] vocabularies)
    {
        ArgumentNullException.ThrowIfNull(module);
        var tensors = module.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ShapeArray(), StringComparer.Ordinal);
        return new ModelDirectorySpec { Tensors = tensors, Vocabularies = vocabularies };
    }
}
