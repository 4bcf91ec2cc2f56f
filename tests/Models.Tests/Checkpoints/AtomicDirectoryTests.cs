// AtomicDirectory: a folder of files that must agree is replaced as one unit (issue 18, item 9).
using Pipeline.Models.Checkpoints;

namespace Pipeline.Models.Tests.Checkpoints;

public sealed class AtomicDirectoryTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("atomic-dir-tests").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static void WriteVersion(string folder, string version)
    {
        File.WriteAllText(Path.Combine(folder, "a.txt"), version);
        File.WriteAllText(Path.Combine(folder, "b.txt"), version);
    }

    [Fact]
    public void ReadersSeeTheOldOrTheNewFolderNeverAMixture()
    {
        var last = Path.Combine(dir, "last");
        AtomicDirectory.Write(last, f => WriteVersion(f, "1"));
        Assert.Throws<IOException>(() => AtomicDirectory.Write(last, f =>
        {
            File.WriteAllText(Path.Combine(f, "a.txt"), "2");
            throw new IOException("disk full while writing b.txt");
        }));

        Assert.Equal("1", File.ReadAllText(Path.Combine(last, "a.txt")));
        Assert.Equal("1", File.ReadAllText(Path.Combine(last, "b.txt")));

        AtomicDirectory.Write(last, f => WriteVersion(f, "3"));
        Assert.Equal("3", File.ReadAllText(Path.Combine(last, "a.txt")));
        Assert.Equal("3", File.ReadAllText(Path.Combine(last, "b.txt")));
        // One version folder plus the link: the replaced and the failed versions are gone.
        Assert.Single(Directory.GetDirectories(dir), d => new DirectoryInfo(d).LinkTarget is null);
    }

    [Fact]
    public void AFolderWrittenByAnOlderVersionIsReplacedToo()
    {
        var last = Directory.CreateDirectory(Path.Combine(dir, "legacy")).FullName;
        WriteVersion(last, "old");
        AtomicDirectory.Write(last, f => WriteVersion(f, "new"));
        Assert.Equal("new", File.ReadAllText(Path.Combine(last, "b.txt")));
        Assert.NotNull(new DirectoryInfo(last).LinkTarget);
        Assert.Single(Directory.GetDirectories(dir), d => new DirectoryInfo(d).LinkTarget is null);
    }

    [Fact]
    public void TheLinkIsRelativeSoTheParentCanBeMoved()
    {
        var parent = Directory.CreateDirectory(Path.Combine(dir, "run")).FullName;
        AtomicDirectory.Write(Path.Combine(parent, "last"), f => WriteVersion(f, "1"));
        var moved = Path.Combine(dir, "run-moved");
        Directory.Move(parent, moved);
        Assert.Equal("1", File.ReadAllText(Path.Combine(moved, "last", "a.txt")));
    }
}
