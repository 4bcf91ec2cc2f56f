// End-to-end packaging check: pack Pipeline, Pipeline.Models and Pipeline.Preprocessing from a temporary
// copy of src/ (with the assemblies `dotnet test` has just built: `pack --no-build`, a few seconds), restore
// samples/QuickStart from that folder feed as a consumer would, build it, run it on tiny models and compare
// its output with the library called in this process.
//
// Isolation: everything (sources, obj/bin, packages, restored packages, sample output) lives under one
// temp directory, so the test cannot disturb the repository's build outputs or test projects building in
// parallel, nor leave a same-version Pipeline package in the machine-wide NuGet cache (that cache only
// serves third-party packages, read-only). Child processes carry PIPELINE_PACKAGING_TEST=1 and the test
// skips itself when it sees it, so a test run started from within a pack can never recurse.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Pipeline.Captioning;
using Pipeline.Classification;
using Pipeline.Tests.Support;

namespace Pipeline.Tests.Packaging;

/// <summary>A [Fact] skipped inside the packaging test's own child processes.</summary>
public sealed class PackagingFactAttribute : FactAttribute
{
    public const string GuardVariable = "PIPELINE_PACKAGING_TEST";

    public PackagingFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(GuardVariable) == "1")
            Skip = $"{GuardVariable}=1: already inside a packaging test run.";
    }
}

[Trait("Category", "Packaging")]
public sealed class QuickStartPackageTests : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(90);
    private static readonly string[] PackedProjects = ["src/Models", "src/Preprocessing", "src/Pipeline"];

    private readonly string root = Path.Combine(Path.GetTempPath(), "pipeline-pack-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); }
        catch (IOException) { /* a lingering build server may still hold a file; the temp dir is disposable */ }
    }

    [PackagingFact]
    public void QuickStartSampleRestoresFromThePackedFeedAndAnswersLikeTheLibrary()
    {
        var repository = FindRepositoryRoot();
        var configuration = BuildConfiguration();
        var copy = Path.Combine(root, "repo");
        CopyTree(Path.Combine(repository, "src"), Path.Combine(copy, "src"), configuration);
        CopyTree(Path.Combine(repository, "samples"), Path.Combine(copy, "samples"), configuration: null);
        File.Copy(Path.Combine(repository, "Directory.Build.props"), Path.Combine(copy, "Directory.Build.props"));

        // 1. Pack the assemblies `dotnet test` has just built (same configuration), from the copy.
        var feed = Path.Combine(copy, "artifacts", "packages");
        foreach (var project in PackedProjects) Run(copy, "pack", project, "-c", configuration, "--no-build");
        var packages = Directory.GetFiles(feed, "*.nupkg").Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray();
        var version = packages.Single(p => p.StartsWith("Pipeline.Models.", StringComparison.Ordinal))["Pipeline.Models.".Length..^".nupkg".Length];
        Assert.Equal([$"Pipeline.{version}.nupkg", $"Pipeline.Models.{version}.nupkg", $"Pipeline.Preprocessing.{version}.nupkg"], packages);

        // 2. Restore + build the sample: Pipeline* from the feed only, third-party packages from the machine's
        //    package cache or nuget.org.
        var sample = Path.Combine(copy, "samples", "QuickStart");
        File.WriteAllText(Path.Combine(sample, "nuget.config"), TestNuGetConfig(feed, Path.Combine(root, "restored"), MachinePackageCache(version)));
        var output = Path.Combine(root, "sample-bin");
        Run(sample, "build", "-c", "Release", "-o", output, $"-p:PipelineVersion={version}");

        // 3. Run it on tiny models and compare with the library in this process.
        var captionerDir = TinyModelDirectories.WriteCaptioner(Path.Combine(root, "captioner"));
        var classifierDir = TinyModelDirectories.WriteClassifier(Path.Combine(root, "classifier"));
        var images = TinyModelDirectories.WriteImages(Path.Combine(root, "images"));
        var texts = Path.Combine(root, "texts.txt");
        File.WriteAllLines(texts, TinyModelDirectories.ClassifierTexts);
        var printed = Run(root, Path.Combine(output, "QuickStart.dll"), captionerDir, Path.GetDirectoryName(images[0])!, classifierDir, texts);

        var expected = ImageCaptioner.Load(captionerDir).CaptionMany(images).Select(r => $"{Path.GetFileName(r.Source)}\t{r.Caption}")
            .Concat(TextClassifier.Load(classifierDir).PredictMany(TinyModelDirectories.ClassifierTexts)
                .Zip(TinyModelDirectories.ClassifierTexts, (p, text) => string.Create(CultureInfo.InvariantCulture, $"{p.Label}\t{p.Confidence:F4}\t{text}")));
        Assert.Equal(expected, printed.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    // The machine cache (read-only fallback: nothing is extracted again) serves the third-party packages;
    // the restored Pipeline packages go to a private folder.
    private static string TestNuGetConfig(string feed, string packagesFolder, string? machineCache) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <config><add key="globalPackagesFolder" value="{packagesFolder}" /></config>
          <fallbackPackageFolders>
            <clear />
            {(machineCache is null ? "" : $"<add key=\"machine-cache\" value=\"{machineCache}\" />")}
          </fallbackPackageFolders>
          <packageSources>
            <clear />
            <add key="feed" value="{feed}" />
            <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
          </packageSources>
          <packageSourceMapping>
            <packageSource key="feed"><package pattern="Pipeline" /><package pattern="Pipeline.*" /></packageSource>
            <packageSource key="nuget.org"><package pattern="*" /></packageSource>
          </packageSourceMapping>
        </configuration>
        """;

    // Fallback folders are consulted before sources, so the machine cache is only usable when it holds no
    // Pipeline package of this version (one restored by hand from an older pack would shadow ours).
    private static string? MachinePackageCache(string version)
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        if (!Directory.Exists(cache)) return null;
        bool shadowed = new[] { "pipeline", "pipeline.models", "pipeline.preprocessing" }.Any(id => Directory.Exists(Path.Combine(cache, id, version)));
        return shadowed ? null : cache;
    }

    // bin/<Configuration>/net10.0/ of this test assembly: the configuration `dotnet test` built.
    private static string BuildConfiguration() =>
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    private static string Run(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        if (arguments[0] is "pack" or "build") { start.ArgumentList.Add("-nodeReuse:false"); start.ArgumentList.Add("-v:q"); }
        // MSBuild variables set by the outer `dotnet test` would point the child builds at the outer build.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList()) start.Environment.Remove(name);
        start.Environment[PackagingFactAttribute.GuardVariable] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        start.Environment["LC_ALL"] = "C.UTF-8";   // the sample formats numbers with the current culture

        using var process = Process.Start(start)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(StepTimeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', arguments)} did not finish within {StepTimeout.TotalSeconds:0} s\n{stdout}\n{stderr}");
        }
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited with {process.ExitCode}\n{stdout}\n{stderr}");
        return stdout.ToString();
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln"))) return dir.FullName;
        throw new InvalidOperationException($"Pipeline.sln not found above {AppContext.BaseDirectory}");
    }

    // Copies sources plus, when a configuration is given, its build output (bin/<configuration>, obj);
    // other configurations and local artifacts stay behind.
    private static void CopyTree(string source, string destination, string? configuration, bool inBin = false)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(source))
        {
            var name = Path.GetFileName(dir);
            if (name is "TestResults" or "artifacts" || name.StartsWith('.') || (inBin && name != configuration)) continue;
            if (configuration is null && (name is "bin" or "obj")) continue;
            CopyTree(dir, Path.Combine(destination, name), configuration, inBin: name == "bin");
        }
    }
}
