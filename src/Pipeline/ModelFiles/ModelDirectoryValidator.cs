// Validates a model directory (config.json + model.safetensors + vocabulary/label files) before anything
// is loaded from it. Model directories are untrusted input — downloaded, copied, hand-edited — so the
// loaders (ImageCaptioner.Load, TextClassifier.Load, the ML.NET transforms) call this first:
//   1. required files exist, are regular files (not a FIFO or a link to a device) and small files (config,
//      vocabularies) are within a size bound; the weights declare at most ModelLimits.MaxParameters values;
//   2. the safetensors header is valid (SafeTensors.ReadHeader: bounded header length, well-formed JSON,
//      known dtypes, offsets inside the file, no overlaps) — only the header is read, no tensor allocated;
//   3. tensor names and shapes equal what the configured model expects (missing, unexpected, wrong shape);
//   4. each vocabulary's entry count equals the tensor axis it sizes (embedding rows, output classes), counted
//      in a streaming pass with a bound (a vocabulary of a million entries is not built to be rejected).
// The specs themselves are built from config.json only after its sizes passed ModelLimits, and under an
// allocation budget taken from the weights' header (AllocationBudget), so no config can make the loader
// allocate more than its weights file holds.
// Every problem is collected and reported in one ModelDirectoryException.
using System.Text.Json;
using Pipeline.Models.Checkpoints;
using Pipeline.Models.Tensors;
using Pipeline.Preprocessing.Datasets;
using Pipeline.Preprocessing.Text;

namespace Pipeline.ModelFiles;

/// <summary>Checks model directories against a <see cref="ModelDirectorySpec"/> before loading them.</summary>
public static class ModelDirectoryValidator
{
    /// <summary>
    /// Reads <c>config.json</c> of <paramref name="directory"/> after checking it exists and is small, so a
    /// loader can build the spec from it. Problems raise <see cref="ModelDirectoryException"/>.
    /// </summary>
    public static TConfig ReadConfig<TConfig>(string directory, long maxBytes = ModelDirectorySpec.DefaultMaxConfigBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory)) throw new ModelDirectoryException(directory, ["the directory does not exist"]);
        var problem = CheckSmallFile(directory, Checkpoint.ConfigFile, maxBytes);
        if (problem is not null) throw new ModelDirectoryException(directory, [problem]);
        try { return Checkpoint.LoadConfig<TConfig>(directory); }
        catch (CheckpointFormatException ex) { throw new ModelDirectoryException(directory, [ex.Message], ex); }
    }

    /// <summary>
    /// Validates <paramref name="directory"/> against <paramref name="spec"/>; returns the validated weights
    /// header, or throws <see cref="ModelDirectoryException"/> listing every problem found.
    /// </summary>
    public static SafeTensorsHeader Validate(string directory, ModelDirectorySpec spec)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(spec);
        if (!Directory.Exists(directory)) throw new ModelDirectoryException(directory, ["the directory does not exist"]);

        var problems = new List<string>();
        Exception? firstCause = null;

        SafeTensorsHeader? header = null;
        var weightsPath = Path.Combine(directory, Checkpoint.ModelFile);
        if (!File.Exists(weightsPath)) problems.Add($"{Checkpoint.ModelFile} is missing");
        else
        {
            try { header = SafeTensors.ReadHeader(weightsPath); }
            catch (CheckpointFormatException ex) { problems.Add($"{Checkpoint.ModelFile}: {Describe(ex)}"); firstCause ??= ex; }
        }
        if (header is not null)
        {
            long values = DeclaredValues(header);
            if (values > spec.MaxParameters)
                problems.Add($"{Checkpoint.ModelFile} declares {values:N0} values, more than the limit of {spec.MaxParameters:N0}");
            CheckTensors(header, spec, problems);
        }

        foreach (var check in spec.Vocabularies)
        {
            var problem = CheckVocabulary(directory, check, header, spec.MaxSmallFileBytes, out var cause);
            if (problem is not null) problems.Add(problem);
            firstCause ??= cause;
        }

        if (problems.Count > 0) throw new ModelDirectoryException(directory, problems, firstCause);
        return header!;
    }

    private static void CheckTensors(SafeTensorsHeader header, ModelDirectorySpec spec, List<string> problems)
    {
        var found = header.Tensors.ToDictionary(e => e.Name, StringComparer.Ordinal);
        foreach (var (name, shape) in spec.Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!found.TryGetValue(name, out var entry)) problems.Add($"{Checkpoint.ModelFile}: tensor '{name}' is missing (the configuration needs shape {TensorShape.Format(shape)})");
            else if (!entry.Shape.SequenceEqual(shape))
                problems.Add($"{Checkpoint.ModelFile}: tensor '{name}' has shape {TensorShape.Format(entry.Shape.ToArray())} but the configuration needs {TensorShape.Format(shape)}");
        }
        if (spec.AllowUnexpectedTensors) return;
        foreach (var entry in header.Tensors.Where(e => !spec.Tensors.ContainsKey(e.Name)).OrderBy(e => e.Name, StringComparer.Ordinal))
            problems.Add($"{Checkpoint.ModelFile}: tensor '{entry.Name}' is not part of the configured model");
    }

    private static string? CheckVocabulary(string directory, VocabularyCheck check, SafeTensorsHeader? header, long maxBytes, out Exception? cause)
    {
        cause = null;
        var problem = CheckSmallFile(directory, check.File, maxBytes);
        if (problem is not null) return problem;
        var path = Path.Combine(directory, check.File);
        int count;
        try
        {
            // Counted in a streaming pass with a bound: one past the tensor's size is enough to know it does not fit.
            var expected = header?.Tensors.FirstOrDefault(e => e.Name == check.Tensor);
            int bound = expected is not null && check.Axis >= 0 && check.Axis < expected.Shape.Count ? expected.Shape[check.Axis] : int.MaxValue - 1;
            count = check.Kind switch
            {
                VocabularyFileKind.Tokens => Vocabulary.CountTokens(path, bound + 1),
                VocabularyFileKind.Labels => LabelMap.FromJson(Preprocessing.Files.BoundedFile.ReadAllText(path, maxBytes, check.File), path).Labels.Count,
                _ => throw new ArgumentOutOfRangeException(nameof(check), check.Kind, "unknown vocabulary kind"),
            };
            if (check.Kind == VocabularyFileKind.Tokens && count > bound)
            {
                return $"{check.File} has more than {bound:N0} {Noun(check.Kind)} entries but tensor '{check.Tensor}' has {bound:N0} along axis {check.Axis} (vocabulary and weights come from different models?)";
            }
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException or InvalidDataException or IOException)
        {
            cause = ex;
            return $"{check.File}: cannot be read as a {Noun(check.Kind)} file: {ex.Message}";
        }

        var entry = header?.Tensors.FirstOrDefault(e => e.Name == check.Tensor);
        if (entry is null) return null;   // absent or unreadable weights are already reported
        if (check.Axis < 0 || check.Axis >= entry.Shape.Count)
            return $"{check.File}: tensor '{check.Tensor}' has no axis {check.Axis} (shape {TensorShape.Format(entry.Shape.ToArray())})";
        int size = entry.Shape[check.Axis];
        return size == count
            ? null
            : $"{check.File} has {count} {Noun(check.Kind)} entries but tensor '{check.Tensor}' has {size} along axis {check.Axis} (vocabulary and weights come from different models?)";
    }

    /// <summary>
    /// What building the model of <paramref name="directory"/> may allocate: the float values its weights declare (in the
    /// buffer pool's size classes, plus an eighth), or <see cref="ModelLimits.MaxParameters"/> when the header cannot be
    /// read (that problem is reported by <see cref="Validate"/>). Also returns where the number comes from, for messages.
    /// </summary>
    public static (long Elements, string Source) AllocationBudget(string directory, ModelLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var weights = Path.Combine(directory, Checkpoint.ModelFile);
        try
        {
            if (Preprocessing.Files.FileSystemEntry.Stat(weights).Kind == Preprocessing.Files.FileKind.Regular)
            {
                var header = SafeTensors.ReadHeader(weights);
                long classes = header.Tensors.Sum(e => (long)BufferPool.SizeClass(checked((int)e.Shape.Aggregate(1L, (a, d) => a * d))));
                // A little slack for what construction allocates besides the state dict (none today).
                return (Math.Min(classes + classes / 8 + 4096, limits.MaxParameters), $"{DeclaredValues(header):N0} values {Checkpoint.ModelFile} holds");
            }
        }
        catch (Exception e) when (e is CheckpointFormatException or IOException or OverflowException) { }
        return (limits.MaxParameters, $"limit of {limits.MaxParameters:N0} values");
    }

    /// <summary>Float values declared by all tensors of a header.</summary>
    public static long DeclaredValues(SafeTensorsHeader header) => header.Tensors.Sum(e => e.Shape.Aggregate(1L, (a, d) => a * d));

    private static string? CheckSmallFile(string directory, string name, long maxBytes)
    {
        var status = Preprocessing.Files.FileSystemEntry.Stat(Path.Combine(directory, name));
        if (status.Kind == Preprocessing.Files.FileKind.Missing) return $"{name} is missing";
        if (status.Kind != Preprocessing.Files.FileKind.Regular) return $"{name} is {Preprocessing.Files.FileSystemEntry.Describe(status.Kind)}, not a regular file";
        if (status.Length > maxBytes) return $"{name} is {status.Length:N0} bytes, more than the {maxBytes:N0}-byte limit for this kind of file";
        return null;
    }

    private static string Noun(VocabularyFileKind kind) => kind == VocabularyFileKind.Tokens ? "token" : "label";

    // CheckpointFormatException already starts with the file path; keep only what follows it.
    private static string Describe(CheckpointFormatException ex) =>
        ex.Message.StartsWith(ex.File + ": ", StringComparison.Ordinal) ? ex.Message[(ex.File.Length + 2)..] : ex.Message;
}
