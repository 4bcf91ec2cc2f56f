// Validates a model directory (config.json + model.safetensors + vocabulary/label files) before anything
// is loaded from it. Model directories are untrusted input — downloaded, copied, hand-edited — so the
// loaders (ImageCaptioner.Load, TextClassifier.Load, the ML.NET transforms) call this first:
//   1. required files exist and small files (config, vocabularies) are within a size bound;
//   2. the safetensors header is valid (SafeTensors.ReadHeader: bounded header length, well-formed JSON,
//      known dtypes, offsets inside the file, no overlaps) — only the header is read, no tensor allocated;
//   3. tensor names and shapes equal what the configured model expects (missing, unexpected, wrong shape);
//   4. each vocabulary's entry count equals the tensor axis it sizes (embedding rows, output classes).
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
    public static TConfig ReadConfig<TConfig>(string directory, long maxBytes = ModelDirectorySpec.DefaultMaxSmallFileBytes)
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
        if (header is not null) CheckTensors(header, spec, problems);

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
            count = check.Kind switch
            {
                VocabularyFileKind.Tokens => Vocabulary.Load(path).Count,
                VocabularyFileKind.Labels => LabelMap.FromJson(File.ReadAllText(path), path).Labels.Count,
                _ => throw new ArgumentOutOfRangeException(nameof(check), check.Kind, "unknown vocabulary kind"),
            };
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException or InvalidDataException)
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

    private static string? CheckSmallFile(string directory, string name, long maxBytes)
    {
        var info = new FileInfo(Path.Combine(directory, name));
        if (!info.Exists) return $"{name} is missing";
        if (info.Length > maxBytes) return $"{name} is {info.Length} bytes, more than the {maxBytes}-byte limit for this kind of file";
        return null;
    }

    private static string Noun(VocabularyFileKind kind) => kind == VocabularyFileKind.Tokens ? "token" : "label";

    // CheckpointFormatException already starts with the file path; keep only what follows it.
    private static string Describe(CheckpointFormatException ex) =>
        ex.Message.StartsWith(ex.File + ": ", StringComparison.Ordinal) ? ex.Message[(ex.File.Length + 2)..] : ex.Message;
}
