// Where the models shipped in the repository live (data/models/, made by this project's own commands —
// see docs/CAPTIONING.md and docs/CLASSIFICATION.md), so commands can run without --model. The data folder is
// searched upwards from the current folder, then from the program's folder (dotnet run, a built binary).
namespace Pipeline.Cli;

/// <summary>The default model directories.</summary>
internal static class DefaultModels
{
    /// <summary>The photo captioner (ImageNet ResNet-18 encoder, trained on Flickr8k).</summary>
    public const string Captioner = "captioner";

    /// <summary>The text classifier (see docs/CLASSIFICATION.md).</summary>
    public const string Classifier = "classifier";

    /// <summary>The repository's data folder holding <c>models/&lt;name&gt;</c>, or null.</summary>
    public static string? FindDataDirectory(string model = Captioner)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "data");
                if (Directory.Exists(Path.Combine(candidate, "models", model))) return candidate;
            }
        return null;
    }

    /// <summary>The directory of shipped model <paramref name="name"/>, or null when it cannot be found.</summary>
    public static string? Find(string name) => FindDataDirectory(name) is { } data ? Path.Combine(data, "models", name) : null;
}
