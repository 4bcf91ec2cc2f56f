// Plain pixel containers passed between stages. They are deliberately dumb (dimensions + a
// byte array) so they can cross threads, be cached, and later be wrapped by the tensor engine.
namespace Pipeline.Preprocessing.Images;

/// <summary>The image file formats the decoder accepts.</summary>
public enum ImageFormat
{
    /// <summary>JPEG/JFIF/EXIF.</summary>
    Jpeg,
    /// <summary>PNG (8/16-bit, grey, palette, alpha).</summary>
    Png,
    /// <summary>Windows bitmap.</summary>
    Bmp,
    /// <summary>GIF (first frame only).</summary>
    Gif,
    /// <summary>WebP (lossy or lossless).</summary>
    WebP,
}

/// <summary>Raw decoder output: unpremultiplied RGBA rows exactly as stored, plus the EXIF orientation still to apply.</summary>
/// <param name="Width">Stored width in pixels (before orientation).</param>
/// <param name="Height">Stored height in pixels (before orientation).</param>
/// <param name="Rgba">Row-major RGBA, 4 bytes per pixel, alpha not premultiplied.</param>
/// <param name="Orientation">EXIF orientation 1..8 (1 = as stored).</param>
/// <param name="Format">Container format that was decoded.</param>
/// <param name="IsOpaque">True when the codec reports no alpha, letting the RGB stage skip compositing.</param>
public sealed record DecodedImage(int Width, int Height, byte[] Rgba, int Orientation, ImageFormat Format, bool IsOpaque);

/// <summary>An 8-bit RGB image, row-major, 3 bytes per pixel (HWC).</summary>
public sealed class RgbImage
{
    /// <summary>Wraps <paramref name="pixels"/> (length must be width*height*3; not copied).</summary>
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (pixels.Length != checked(width * height * 3))
            throw new ArgumentException($"Expected {width}x{height}x3 = {width * height * 3} bytes, got {pixels.Length}.", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Row-major RGB bytes.</summary>
    public byte[] Pixels { get; }

    /// <summary>Reads one pixel (for tests and diagnostics; not for hot loops).</summary>
    public Rgb8 this[int x, int y]
    {
        get
        {
            int i = (y * Width + x) * 3;
            return new Rgb8(Pixels[i], Pixels[i + 1], Pixels[i + 2]);
        }
    }
}
