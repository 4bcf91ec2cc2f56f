// Every way an input can be bad yields ImageDecodeException with the file and the reason in the message.
using Pipeline.Preprocessing.Images;
using static Pipeline.Preprocessing.Tests.Images.TestImageFactory;

namespace Pipeline.Preprocessing.Tests.Images;

public sealed class BadInputTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ImagePipeline _pipeline = new(ImagePreprocessingOptions.Eval(8));

    public void Dispose() => _dir.Dispose();

    private ImageDecodeException Fail(string path, ImageDecodeError expected, string messagePart)
    {
        var e = Assert.Throws<ImageDecodeException>(() => _pipeline.Process(path));
        Assert.Equal(expected, e.Error);
        Assert.Contains(path, e.Message);
        Assert.Contains(messagePart, e.Message, StringComparison.OrdinalIgnoreCase);
        return e;
    }

    [Fact]
    public void Zero_byte_file() => Fail(_dir.File("empty.jpg", []), ImageDecodeError.Empty, "empty (0 bytes)");

    [Fact]
    public void Text_file_named_jpg() => Fail(_dir.File("notes.jpg", "hello, this is text\n"u8.ToArray()), ImageDecodeError.NotAnImage, "not an image");

    [Fact]
    public void Truncated_png_and_jpeg()
    {
        var png = Png(Gradient(64, 64), 64, 64);
        var e1 = Assert.Throws<ImageDecodeException>(() => _pipeline.Process(_dir.File("cut.png", png[..(png.Length / 2)])));
        Assert.Contains("cut.png", e1.Message);
        Assert.Contains(e1.Error, new[] { ImageDecodeError.Truncated, ImageDecodeError.Corrupt });

        var jpg = Jpeg(Gradient(64, 64), 64, 64);
        var e2 = Fail(_dir.File("cut.jpg", jpg[..(jpg.Length / 2)]), ImageDecodeError.Truncated, "truncated");
        Assert.Contains("Jpeg", e2.Message);

        Fail(_dir.File("header.png", png[..20]), ImageDecodeError.Truncated, "truncated");
    }

    [Fact]
    public void Decompression_bomb_is_refused_from_the_header()
    {
        // Header claims 30000x30000 (900 Mpx) but carries a tiny IDAT: the pixels must never be allocated.
        var bomb = RawPng(1, 1, 2, 8, (x, y, c) => 0, declaredW: 30000, declaredH: 30000);
        Fail(_dir.File("bomb.png", bomb), ImageDecodeError.TooManyPixels, "exceeds the limit");

        var small = new ImagePipeline(ImagePreprocessingOptions.Eval(8) with { MaxPixels = 100 });
        var e = Assert.Throws<ImageDecodeException>(() => small.Process(_dir.File("big.png", Png(Gradient(16, 16), 16, 16))));
        Assert.Equal(ImageDecodeError.TooManyPixels, e.Error);
        Assert.Contains("16x16 = 256 pixels", e.Message);
    }

    [Fact]
    public void Missing_file() => Fail(Path.Combine(_dir.Path, "nope.png"), ImageDecodeError.Unreadable, "not found");

    [Fact]
    public void Directory_instead_of_file() =>
        Fail(Directory.CreateDirectory(Path.Combine(_dir.Path, "folder.png")).FullName, ImageDecodeError.Unreadable, "is a directory");

    // Root ignores file modes, so the read runs on a thread without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH:
    // the test checks the mapping of EACCES as root (CI) and as a normal user alike.
    [UnixFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Unreadable_file()
    {
        var p = _dir.File("locked.png", Png(Gradient(8, 8), 8, 8));
        File.SetUnixFileMode(p, UnixFileMode.None);
        try
        {
            Unprivileged.Run(() => Fail(p, ImageDecodeError.Unreadable, "permission denied"));
        }
        finally
        {
            File.SetUnixFileMode(p, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    // Issue 18, item 11: a FIFO named .png used to block the run; a link to /dev/zero was read until memory ran out.
    // Both are refused before they are opened, as root too.
    [UnixFact]
    public void Fifo_named_like_an_image_is_refused_without_blocking()
    {
        var fifo = SpecialFiles.MakeFifo(Path.Combine(_dir.Path, "pipe.png"));
        Fail(fifo, ImageDecodeError.Unreadable, "FIFO (named pipe), not a regular file");
    }

    [UnixFact]
    public void Link_to_a_device_is_refused_without_reading_it()
    {
        var link = Path.Combine(_dir.Path, "zero.png");
        File.CreateSymbolicLink(link, "/dev/zero");
        Fail(link, ImageDecodeError.Unreadable, "character device, not a regular file");
    }

    [Fact]
    public void Unsupported_format_is_named()
    {
        var tiff = "II*\0"u8.ToArray().Concat(new byte[60]).ToArray();
        Fail(_dir.File("scan.tif", tiff), ImageDecodeError.UnsupportedFormat, "TIFF is not a supported format");
    }

    [Fact]
    public void Corrupt_body_with_valid_signature()
    {
        var png = Png(Gradient(32, 32), 32, 32);
        for (int i = 60; i < png.Length - 12; i++)
            png[i] ^= 0x5A;
        var e = Assert.Throws<ImageDecodeException>(() => _pipeline.Process(_dir.File("garbled.png", png)));
        Assert.Contains("garbled.png", e.Message);
    }
}
