// Crop stage: chooses the square window (and flip) without copying pixels; the normalize stage
// reads through the window directly, so cropping costs nothing beyond the final conversion.
namespace Pipeline.Preprocessing.Images;

/// <summary>A square region of an image plus whether it is read mirrored left-right.</summary>
/// <param name="X">Left column of the window.</param>
/// <param name="Y">Top row of the window.</param>
/// <param name="Size">Side of the square window.</param>
/// <param name="Flip">Read the window mirrored horizontally.</param>
public readonly record struct CropWindow(int X, int Y, int Size, bool Flip);

/// <summary>Picks centre or random crop windows.</summary>
public static class CropStage
{
    /// <summary>The centred <paramref name="size"/>² window of a width×height image.</summary>
    public static CropWindow Center(int width, int height, int size)
    {
        Check(width, height, size);
        return new CropWindow((width - size) / 2, (height - size) / 2, size, false);
    }

    /// <summary>
    /// Chooses the window for <paramref name="mode"/>; random position and flip draw from <paramref name="rng"/>
    /// in a fixed order (x, y, flip) so a seeded generator reproduces the same augmentation.
    /// </summary>
    public static CropWindow Choose(int width, int height, int size, CropMode mode, bool randomFlip, Random? rng)
    {
        Check(width, height, size);
        if ((mode == CropMode.Random || randomFlip) && rng is null)
            throw new ArgumentNullException(nameof(rng), "Random crop or flip needs a seeded System.Random.");
        int x, y;
        if (mode == CropMode.Random)
        {
            x = rng!.Next(width - size + 1);
            y = rng.Next(height - size + 1);
        }
        else
        {
            x = (width - size) / 2;
            y = (height - size) / 2;
        }
        bool flip = randomFlip && rng!.Next(2) == 1;
        return new CropWindow(x, y, size, flip);
    }

    /// <summary>Copies the window out as a new square <see cref="RgbImage"/> (used when storing uint8 crops).</summary>
    public static RgbImage Extract(RgbImage image, CropWindow w)
    {
        Check(image.Width, image.Height, w.Size);
        if (w.X == 0 && w.Y == 0 && w.Size == image.Width && w.Size == image.Height && !w.Flip)
            return image;
        var dst = GC.AllocateUninitializedArray<byte>(w.Size * w.Size * 3);
        for (int y = 0; y < w.Size; y++)
        {
            var srcRow = image.Pixels.AsSpan(((w.Y + y) * image.Width + w.X) * 3, w.Size * 3);
            var dstRow = dst.AsSpan(y * w.Size * 3, w.Size * 3);
            if (!w.Flip)
            {
                srcRow.CopyTo(dstRow);
                continue;
            }
            for (int x = 0; x < w.Size; x++)
                srcRow.Slice((w.Size - 1 - x) * 3, 3).CopyTo(dstRow.Slice(x * 3, 3));
        }
        return new RgbImage(w.Size, w.Size, dst);
    }

    private static void Check(int width, int height, int size)
    {
        if (size < 1 || size > width || size > height)
            throw new ArgumentException($"A {size}px crop does not fit a {width}x{height} image.");
    }
}
