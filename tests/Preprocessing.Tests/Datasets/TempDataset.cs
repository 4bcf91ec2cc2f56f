// A temporary folder in which each dataset test writes its own fixture files.
using System.Text;

namespace Pipeline.Preprocessing.Tests.Datasets;

/// <summary>Creates fixture files in a fresh temp folder and deletes it afterwards.</summary>
public sealed class TempDataset : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("pipeline-datasets").FullName;

    /// <summary>Writes UTF-8 text (no BOM) to a path relative to <see cref="Root"/> and returns the full path.</summary>
    public string Write(string relativePath, string content) => WriteBytes(relativePath, new UTF8Encoding(false).GetBytes(content));

    public string WriteBytes(string relativePath, byte[] content)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>Creates empty image files so existence checks pass.</summary>
    public void Images(params string[] relativePaths)
    {
        foreach (var path in relativePaths)
            WriteBytes(path, [0xFF, 0xD8]);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
