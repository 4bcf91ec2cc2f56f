// Folder listing (issue 18, items 6 and 11): a recursive walk enters every folder once — a symlink to the
// folder itself or to a parent is a cycle, reported and not followed — and every entry that is not taken
// as an image (.tiff, no extension, a FIFO, a broken link) is reported with the reason, not dropped silently.
using Pipeline.Preprocessing.Images;
using static Pipeline.Preprocessing.Tests.Images.TestImageFactory;

namespace Pipeline.Preprocessing.Tests.Images;

public sealed class ImageFilesTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Image(string relative)
    {
        var path = Path.Combine(_dir.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Png(Gradient(4, 4), 4, 4));
        return path;
    }

    [UnixFact]
    public void ALinkToTheFolderItselfOrToAParentIsWalkedOnce()
    {
        var top = Image("a.png");
        var nested = Image(Path.Combine("sub", "b.png"));
        Directory.CreateSymbolicLink(Path.Combine(_dir.Path, "self"), ".");
        Directory.CreateSymbolicLink(Path.Combine(_dir.Path, "sub", "up"), "..");

        var listing = ImageFiles.Scan(_dir.Path, recursive: true);

        Assert.Equal([top, nested], listing.Images);
        Assert.Contains(listing.Skipped, s => s.Path.EndsWith("self") && s.Reason.Contains("already walked"));
        Assert.Contains(listing.Skipped, s => s.Path.EndsWith("up") && s.Reason.Contains("already walked"));
    }

    [UnixFact]
    public void ALinkToAFolderOutsideIsFollowed()
    {
        using var other = new TempDir();
        File.WriteAllBytes(Path.Combine(other.Path, "far.png"), Png(Gradient(4, 4), 4, 4));
        Directory.CreateSymbolicLink(Path.Combine(_dir.Path, "linked"), other.Path);

        var listing = ImageFiles.Scan(_dir.Path, recursive: true);

        Assert.Equal([Path.Combine(_dir.Path, "linked", "far.png")], listing.Images);
        Assert.Empty(listing.Skipped);
    }

    [Fact]
    public void EntriesThatAreNotImagesAreReportedWithTheReason()
    {
        var good = Image("photo.jpg");
        File.WriteAllBytes(Path.Combine(_dir.Path, "scan.tiff"), [0x49, 0x49, 0x2A, 0]);
        File.WriteAllBytes(Path.Combine(_dir.Path, "IMG_0001"), Png(Gradient(4, 4), 4, 4));
        if (!OperatingSystem.IsWindows())
        {
            File.CreateSymbolicLink(Path.Combine(_dir.Path, "gone.png"), Path.Combine(_dir.Path, "missing-target.png"));
            File.CreateSymbolicLink(Path.Combine(_dir.Path, "zero.png"), "/dev/zero");
        }

        var listing = ImageFiles.Scan(_dir.Path, recursive: false);

        Assert.Equal([good], listing.Images);
        var reasons = listing.Skipped.ToDictionary(s => Path.GetFileName(s.Path), s => s.Reason);
        Assert.Contains("not an image extension (.tiff", reasons["scan.tiff"]);
        Assert.Contains("no file extension", reasons["IMG_0001"]);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Contains("broken symbolic link", reasons["gone.png"]);
            Assert.Contains("character device", reasons["zero.png"]);
        }
        Assert.Equal(listing.Images, ImageFiles.List(_dir.Path, recursive: false));
    }
}
