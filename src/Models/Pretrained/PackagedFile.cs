// A file that ships inside a NuGet package (pretrained weights), named by package, version, path and
// SHA-256 instead of being copied into this repository or downloaded at run time. NuGet restores the
// package like any other dependency; the build copies the file beside the program (see Models.csproj),
// and a library user's NuGet cache has it too. Locate searches, in order:
//   1. the program's folder, where the build put it: <base>/<path without the package's "tools/" root>;
//   2. the NuGet global packages folder: $NUGET_PACKAGES, else ~/.nuget/packages, /<id lowercase>/<version>/<path>.
// The checksum is verified before the bytes are used, so a different file of the same name is refused.
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Pipeline.Models.Pretrained;

/// <summary>A checksummed file inside a NuGet package.</summary>
/// <param name="Package">Package id, e.g. Microsoft.ML.DnnImageFeaturizer.ResNet18.</param>
/// <param name="Version">Exact package version.</param>
/// <param name="PathInPackage">Path of the file inside the package, with forward slashes.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file.</param>
public sealed record PackagedFile(string Package, string Version, string PathInPackage, string Sha256)
{
    // Verifying a 60 MB file costs ~0.1 s; a process that loads the same file repeatedly pays it once.
    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Written), string> Verified = new();

    /// <summary>The file's place in a build output folder: the package path without its leading "tools/".</summary>
    public string OutputRelativePath => PathInPackage.StartsWith("tools/", StringComparison.Ordinal) ? PathInPackage["tools/".Length..] : PathInPackage;

    /// <summary>Where <see cref="Locate"/> looks, in order.</summary>
    public IEnumerable<string> Candidates()
    {
        yield return Path.Combine(AppContext.BaseDirectory, OutputRelativePath);
        string? root = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrWhiteSpace(root))
            root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        yield return Path.Combine(root, Package.ToLowerInvariant(), Version, PathInPackage);
    }

    /// <summary>The path of the file with the right checksum; throws <see cref="FileNotFoundException"/> saying where it looked and how to get it.</summary>
    public string Locate()
    {
        var mismatches = new List<string>();
        foreach (var candidate in Candidates())
        {
            if (!File.Exists(candidate)) continue;
            string actual = Checksum(candidate);
            if (actual == Sha256) return candidate;
            mismatches.Add($"{candidate} has SHA-256 {actual}");
        }
        string looked = string.Join("; ", Candidates());
        throw new FileNotFoundException(
            $"{Path.GetFileName(PathInPackage)} from NuGet package {Package} {Version} (SHA-256 {Sha256}) was not found" +
            (mismatches.Count > 0 ? $" ({string.Join("; ", mismatches)})" : "") +
            $". Looked in: {looked}. Build the project (it restores the package and copies the file beside the program), " +
            $"or add <PackageDownload Include=\"{Package}\" Version=\"[{Version}]\" /> to your project and restore.", Path.GetFileName(PathInPackage));
    }

    /// <summary>Lower-case hex SHA-256 of <paramref name="path"/> (cached per path, size and write time).</summary>
    public static string Checksum(string path)
    {
        var info = new FileInfo(path);
        return Verified.GetOrAdd((info.FullName, info.Length, info.LastWriteTimeUtc), key =>
        {
            using var stream = File.OpenRead(key.Path);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        });
    }
}
