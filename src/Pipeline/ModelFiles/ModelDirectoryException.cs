// Raised when a model directory cannot be used: files missing or too large, a malformed safetensors file,
// tensors that do not match the configuration, vocabularies that do not match their embeddings. All
// problems found are listed together so one run shows everything wrong with a directory.
namespace Pipeline.ModelFiles;

/// <summary>A model directory is incomplete, corrupt or inconsistent with its configuration.</summary>
public sealed class ModelDirectoryException : IOException
{
    /// <summary>Creates the exception; the message names the directory and lists every problem.</summary>
    public ModelDirectoryException(string directory, IReadOnlyList<string> problems, Exception? inner = null)
        : base(Format(directory, problems), inner)
    {
        Directory = directory;
        Problems = problems;
    }

    /// <summary>The model directory.</summary>
    public string Directory { get; }

    /// <summary>Each problem, one sentence naming the file (and tensor) concerned.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Format(string directory, IReadOnlyList<string> problems) =>
        problems.Count == 1
            ? $"model directory '{directory}' is not usable: {problems[0]}"
            : $"model directory '{directory}' is not usable ({problems.Count} problems):" + string.Concat(problems.Select(p => $"{Environment.NewLine}  - {p}"));
}
