// Draws a Scene: background and noise with our own integer arithmetic and RNG, shapes with
// SkiaSharp's CPU rasterizer (single-threaded, solid colours, integer coverage), and PNG bytes from
// DeterministicPng, so the output is reproducible byte for byte.
using SkiaSharp;

namespace Pipeline.Preprocessing.Synthetic;

/// <summary>Renders <see cref="Scene"/>s to pixels and PNG bytes.</summary>
public static class SceneRenderer
{
    /// <summary>Renders <paramref name="scene"/> with per-channel noise in ±<paramref name="noise"/> drawn from <paramref name="rng"/>; returns PNG bytes.</summary>
    public static byte[] RenderPng(Scene scene, SplitMix64 rng, int noise)
    {
        using var bitmap = Render(scene, rng, noise);
        var rgba = bitmap.GetPixelSpan();
        int n = scene.Size * scene.Size;
        var rgb = new byte[n * 3];
        for (int i = 0; i < n; i++)
        {
            rgb[i * 3] = rgba[i * 4];
            rgb[i * 3 + 1] = rgba[i * 4 + 1];
            rgb[i * 3 + 2] = rgba[i * 4 + 2];
        }
        return DeterministicPng.EncodeRgb(rgb, scene.Size, scene.Size);
    }

    /// <summary>Renders to an opaque RGBA bitmap (caller disposes).</summary>
    public static SKBitmap Render(Scene scene, SplitMix64 rng, int noise)
    {
        int s = scene.Size;
        var bitmap = new SKBitmap(new SKImageInfo(s, s, SKColorType.Rgba8888, SKAlphaType.Opaque));
        unsafe
        {
            FillBackground(new Span<byte>((void*)bitmap.GetPixels(), bitmap.ByteCount), scene);
        }
        using (var canvas = new SKCanvas(bitmap))
        {
            using var paint = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill };
            foreach (var o in scene.Objects)
            {
                paint.Color = new SKColor(o.Color.R, o.Color.G, o.Color.B);
                using var path = ShapePath(o);
                canvas.DrawPath(path, paint);
            }
            canvas.Flush();
        }
        if (noise > 0)
        {
            unsafe
            {
                // GetPixelSpan is read-only in 2.88; the bitmap owns this memory and outlives the span.
                AddNoise(new Span<byte>((void*)bitmap.GetPixels(), bitmap.ByteCount), rng, noise);
            }
        }
        return bitmap;
    }

    /// <summary>The outline of <paramref name="o"/>, inscribed in its bounding box.</summary>
    public static SKPath ShapePath(SceneObject o)
    {
        float cx = (float)o.CenterX, cy = (float)o.CenterY, r = (float)(o.Extent / 2);
        var path = new SKPath();
        switch (o.Shape)
        {
            case Shape.Circle:
                path.AddCircle(cx, cy, r);
                break;
            case Shape.Square:
                // Slightly inset so squares do not look larger than circles of the same nominal size.
                path.AddRect(new SKRect(cx - r * 0.9f, cy - r * 0.9f, cx + r * 0.9f, cy + r * 0.9f));
                break;
            case Shape.Triangle:
                AddPolygon(path, cx, cy + r * 0.12f, r, 3, -90);
                break;
            case Shape.Diamond:
                path.MoveTo(cx, cy - r);
                path.LineTo(cx + r * 0.72f, cy);
                path.LineTo(cx, cy + r);
                path.LineTo(cx - r * 0.72f, cy);
                path.Close();
                break;
            case Shape.Hexagon:
                AddPolygon(path, cx, cy, r, 6, 0);
                break;
            case Shape.Star:
                for (int i = 0; i < 10; i++)
                {
                    float rad = i % 2 == 0 ? r : r * 0.45f;
                    double a = (-90 + i * 36) * Math.PI / 180;
                    float px = cx + rad * (float)Math.Cos(a), py = cy + rad * (float)Math.Sin(a);
                    if (i == 0) path.MoveTo(px, py); else path.LineTo(px, py);
                }
                path.Close();
                break;
            case Shape.Cross:
                float t = r * 0.36f;
                path.AddRect(new SKRect(cx - r, cy - t, cx + r, cy + t));
                path.AddRect(new SKRect(cx - t, cy - r, cx + t, cy + r));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(o), o.Shape, "Unknown shape.");
        }
        return path;
    }

    private static void AddPolygon(SKPath path, float cx, float cy, float r, int sides, double startDeg)
    {
        for (int i = 0; i < sides; i++)
        {
            double a = (startDeg + i * 360.0 / sides) * Math.PI / 180;
            float px = cx + r * (float)Math.Cos(a), py = cy + r * (float)Math.Sin(a);
            if (i == 0) path.MoveTo(px, py); else path.LineTo(px, py);
        }
        path.Close();
    }

    // Computed here rather than with an SKShader: Skia's float gradient pipeline differs per CPU
    // (FMA/AVX paths), and the background must be identical on every machine.
    private static void FillBackground(Span<byte> rgba, Scene scene)
    {
        var b = scene.Background;
        int s = scene.Size;
        for (int y = 0; y < s; y++)
        {
            for (int x = 0; x < s; x++)
            {
                // Integer interpolation with rounding; t runs 0..s-1 along the gradient direction.
                int t = b.Gradient ? (b.GradientVertical ? y : x) : 0, d = Math.Max(1, s - 1);
                int i = (y * s + x) * 4;
                rgba[i] = (byte)((b.R1 * (d - t) + b.R2 * t + d / 2) / d);
                rgba[i + 1] = (byte)((b.G1 * (d - t) + b.G2 * t + d / 2) / d);
                rgba[i + 2] = (byte)((b.B1 * (d - t) + b.B2 * t + d / 2) / d);
                rgba[i + 3] = 255;
            }
        }
    }

    private static void AddNoise(Span<byte> rgba, SplitMix64 rng, int amplitude)
    {
        int span = 2 * amplitude + 1;
        for (int i = 0; i < rgba.Length; i += 4)
        {
            // One 64-bit draw feeds all three channels (21 bits each) to keep noise cheap.
            ulong bits = rng.NextUInt64();
            for (int c = 0; c < 3; c++)
            {
                int delta = (int)((bits & 0x1FFFFF) * (ulong)span >> 21) - amplitude;
                bits >>= 21;
                rgba[i + c] = (byte)Math.Clamp(rgba[i + c] + delta, 0, 255);
            }
        }
    }
}
