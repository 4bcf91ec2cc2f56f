// A model checkpoint is a directory of documented, inspectable files (no pickled objects):
//   model.safetensors      the module's StateDict (parameters + buffers under their dotted names)
//   config.json            the model's configuration record (System.Text.Json), enough to rebuild it
//   optimizer.safetensors  optional: optimizer state tensors; step counters and learning rates in __metadata__
//   trainer_state.json     optional: epoch, step, best metric, RNG state, scheduler state
// Together the optional files allow bit-exact resumption. Every file is replaced atomically, so a crash
// while saving leaves each file either old-and-complete or new-and-complete; a checkpoint whose files must
// agree with each other (weights, optimizer and trainer state of one step) is written as a whole folder and
// switched in by one rename (AtomicDirectory). Loading refuses non-finite weights (RequireFinite).
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.Models.Nn;
using Pipeline.Models.Optim;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Checkpoints;

/// <summary>Progress of a training run, saved beside the model for exact resume.</summary>
/// <param name="Epoch">Completed epochs.</param>
/// <param name="Step">Completed optimizer steps.</param>
/// <param name="BestMetric">Best validation metric so far, if tracked.</param>
/// <param name="Generator">State of the training RNG (shuffling, dropout).</param>
/// <param name="Scheduler">State of the learning-rate scheduler.</param>
/// <param name="BatchInEpoch">Batches of epoch <paramref name="Epoch"/> + 1 already trained (an interrupted epoch resumes here).</param>
/// <param name="EpochStartGenerator">RNG state when that epoch was planned, so its batch order can be rebuilt exactly.</param>
/// <param name="EpochsWithoutImprovement">Early-stopping counter.</param>
/// <param name="EpochLossSum">Sum of batch losses of the interrupted epoch so far (its logged mean stays exact).</param>
/// <param name="EpochItems">Items of the interrupted epoch so far.</param>
public sealed record TrainerState(int Epoch, long Step, double? BestMetric = null, GeneratorState? Generator = null, SchedulerState? Scheduler = null,
    int BatchInEpoch = 0, GeneratorState? EpochStartGenerator = null, int EpochsWithoutImprovement = 0, double EpochLossSum = 0, long EpochItems = 0);

/// <summary>Saves and loads model directories (weights, config, optimizer and trainer state).</summary>
public static class Checkpoint
{
    /// <summary>File name of the weights.</summary>
    public const string ModelFile = "model.safetensors";
    /// <summary>File name of the configuration.</summary>
    public const string ConfigFile = "config.json";
    /// <summary>File name of the optimizer state.</summary>
    public const string OptimizerFile = "optimizer.safetensors";
    /// <summary>File name of the trainer state.</summary>
    public const string TrainerStateFile = "trainer_state.json";
    /// <summary>Version written into the weights' metadata; bumped on incompatible layout changes.</summary>
    public const int FormatVersion = 1;

    // Infinity is a legitimate "best so far" before the first evaluation, so allow the named literals.
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Writes the module's weights and <paramref name="config"/> to <paramref name="directory"/> (created if needed),
    /// plus the optimizer and trainer state when given.
    /// </summary>
    public static void Save<TConfig>(string directory, Module module, TConfig config, Optimizer? optimizer = null, TrainerState? trainerState = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        Directory.CreateDirectory(directory);
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pipeline",
            ["format_version"] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            ["module"] = module.GetType().Name,
        };
        SafeTensors.Write(Path.Combine(directory, ModelFile), module.StateDict(), metadata);
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFile), JsonSerializer.Serialize(config, Json));
        if (optimizer is not null)
        {
            var state = optimizer.GetState();
            SafeTensors.Write(Path.Combine(directory, OptimizerFile), state.Tensors, state.ToMetadata());
        }
        if (trainerState is not null)
            AtomicFile.WriteAllText(Path.Combine(directory, TrainerStateFile), JsonSerializer.Serialize(trainerState, Json));
    }

    /// <summary>Reads the configuration record saved by <see cref="Save{TConfig}"/>.</summary>
    public static TConfig LoadConfig<TConfig>(string directory)
    {
        var path = Path.Combine(directory, ConfigFile);
        try
        {
            return JsonSerializer.Deserialize<TConfig>(File.ReadAllText(path), Json)
                ?? throw new CheckpointFormatException(path, null, "config is null");
        }
        catch (JsonException ex) { throw new CheckpointFormatException(path, null, $"cannot read {typeof(TConfig).Name}: {ex.Message}", ex); }
    }

    /// <summary>
    /// Copies the saved weights into <paramref name="module"/>. Strict loading requires identical names and shapes
    /// and lists every mismatch in one exception.
    /// </summary>
    public static void LoadModel(string directory, Module module, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        var path = Path.Combine(directory, ModelFile);
        var content = SafeTensors.Read(path);
        RequireFinite(content, path);
        if (content.Metadata.TryGetValue("format_version", out var version) && version != FormatVersion.ToString(CultureInfo.InvariantCulture))
            throw new CheckpointFormatException(path, null, $"format version {version} is not supported (this build reads version {FormatVersion})");
        try { module.LoadStateDict(content.Tensors, strict); }
        catch (InvalidDataException ex) { throw new CheckpointFormatException(path, null, ex.Message, ex); }
    }

    /// <summary>Restores the optimizer state; returns false when the checkpoint has none.</summary>
    public static bool LoadOptimizer(string directory, Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var path = Path.Combine(directory, OptimizerFile);
        if (!File.Exists(path)) return false;
        var content = SafeTensors.Read(path);
        RequireFinite(content, path);
        try { optimizer.LoadState(OptimizerState.FromMetadata(content.Tensors, content.Metadata, path)); }
        catch (InvalidDataException ex) { throw new CheckpointFormatException(path, null, ex.Message, ex); }
        return true;
    }

    /// <summary>
    /// Throws <see cref="CheckpointFormatException"/> naming the first tensor that holds a NaN or an infinity: such weights
    /// (a diverged run, a corrupt file) would turn every output into NaN, so they are refused at load, not discovered later.
    /// </summary>
    public static void RequireFinite(SafeTensorsContent content, string path)
    {
        ArgumentNullException.ThrowIfNull(content);
        foreach (var (name, tensor) in content.Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var values = tensor.Data;
            int first = -1, count = 0;
            for (int i = 0; i < values.Length; i++)
            {
                if (float.IsFinite(values[i])) continue;
                if (first < 0) first = i;
                count++;
            }
            if (count > 0)
                throw new CheckpointFormatException(path, name,
                    $"{count:N0} of {values.Length:N0} values are not finite (the first, at flat index {first:N0}, is {values[first]}); " +
                    "the weights are corrupt or come from a diverged training run");
        }
    }

    /// <summary>Reads the trainer state, or null when the checkpoint has none.</summary>
    public static TrainerState? LoadTrainerState(string directory)
    {
        var path = Path.Combine(directory, TrainerStateFile);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(path), Json)
                ?? throw new CheckpointFormatException(path, null, "trainer state is null");
        }
        catch (JsonException ex) { throw new CheckpointFormatException(path, null, $"cannot read trainer state: {ex.Message}", ex); }
    }
}
