// Shared look of the report charts: typefaces, text/grid colours, the series palette and the
// colour maps. Charts are drawn with SkiaSharp 2.88 directly rather than ScottPlot: every ScottPlot 5
// release served here (5.1.59) depends on SkiaSharp >= 3.119, which would replace the 2.88 that
// ML.NET's ImageAnalytics is built against. Typefaces are loaded from font files because the
// NoDependencies Skia build has no fontconfig, so a family-name lookup may find nothing on Linux.
using SkiaSharp;

namespace Pipeline.Reports.Charts;

/// <summary>Fonts, colours and colour maps shared by the report charts.</summary>
public static class ChartStyle
{
    // Rendering at twice the layout size keeps text and lines sharp on high-DPI screens and in
    // screenshots; the HTML shows each image at its layout size.
    internal const float Scale = 2f;

    private static readonly string[] RegularFontFiles =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/System/Library/Fonts/Supplemental/Arial.ttf",
        @"C:\Windows\Fonts\segoeui.ttf",
    ];

    private static readonly string[] BoldFontFiles =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
        "/System/Library/Fonts/Supplemental/Arial Bold.ttf",
        @"C:\Windows\Fonts\segoeuib.ttf",
    ];

    private static readonly Lazy<SKTypeface> RegularTypeface = new(() => LoadTypeface(RegularFontFiles, SKFontStyle.Normal));
    private static readonly Lazy<SKTypeface> BoldTypeface = new(() => LoadTypeface(BoldFontFiles, SKFontStyle.Bold));

    /// <summary>Regular text typeface.</summary>
    public static SKTypeface Regular => RegularTypeface.Value;

    /// <summary>Bold text typeface (titles).</summary>
    public static SKTypeface Bold => BoldTypeface.Value;

    internal static readonly SKColor Text = new(0x22, 0x29, 0x33);
    internal static readonly SKColor MutedText = new(0x5b, 0x64, 0x70);
    internal static readonly SKColor Grid = new(0xe3, 0xe7, 0xec);
    internal static readonly SKColor Axis = new(0x9a, 0xa3, 0xae);

    /// <summary>Series colours (colour-blind-safe hues), used in order.</summary>
    public static readonly IReadOnlyList<SKColor> Palette =
    [
        new(0x1f, 0x6f, 0xb4), new(0xe0, 0x7b, 0x1a), new(0x2a, 0x9d, 0x5c), new(0xc4, 0x3c, 0x4a),
        new(0x7b, 0x52, 0xae), new(0x8c, 0x6d, 0x31),
    ];

    // Sequential white → blue ramp for the confusion matrix (low counts stay quiet, the diagonal stands out).
    private static readonly SKColor[] BlueRamp = [new(0xf7, 0xfb, 0xff), new(0xc6, 0xdb, 0xef), new(0x6b, 0xae, 0xd6), new(0x21, 0x71, 0xb5), new(0x08, 0x30, 0x6b)];

    // Heat ramp for attention: dark blue → cyan → yellow → red, readable over photographs.
    private static readonly SKColor[] HeatRamp = [new(0x1a, 0x23, 0x7e), new(0x00, 0xb4, 0xd8), new(0xf9, 0xe5, 0x3c), new(0xf0, 0x4b, 0x1f), new(0xb3, 0x00, 0x1b)];

    /// <summary>Blue ramp colour for <paramref name="value"/> in [0, 1].</summary>
    public static SKColor Blues(double value) => Interpolate(BlueRamp, value);

    /// <summary>Heat ramp colour for <paramref name="value"/> in [0, 1].</summary>
    public static SKColor Heat(double value) => Interpolate(HeatRamp, value);

    /// <summary>Relative luminance test: whether white text reads better than dark text on <paramref name="background"/>.</summary>
    public static bool NeedsLightText(SKColor background) =>
        0.299 * background.Red + 0.587 * background.Green + 0.114 * background.Blue < 140;

    internal static SKPaint TextPaint(float size, SKColor color, bool bold = false) => new()
    {
        Typeface = bold ? Bold : Regular,
        TextSize = size,
        Color = color,
        IsAntialias = true,
        SubpixelText = true,
    };

    internal static SKPaint StrokePaint(SKColor color, float width) => new()
    {
        Color = color,
        StrokeWidth = width,
        IsAntialias = true,
        Style = SKPaintStyle.Stroke,
        StrokeCap = SKStrokeCap.Round,
        StrokeJoin = SKStrokeJoin.Round,
    };

    internal static byte[] EncodePng(SKSurface surface)
    {
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static SKColor Interpolate(SKColor[] ramp, double value)
    {
        double t = double.IsFinite(value) ? Math.Clamp(value, 0, 1) * (ramp.Length - 1) : 0;
        int i = Math.Min((int)t, ramp.Length - 2);
        double f = t - i;
        static byte Mix(byte a, byte b, double f) => (byte)Math.Round(a + (b - a) * f);
        return new SKColor(Mix(ramp[i].Red, ramp[i + 1].Red, f), Mix(ramp[i].Green, ramp[i + 1].Green, f), Mix(ramp[i].Blue, ramp[i + 1].Blue, f));
    }

    private static SKTypeface LoadTypeface(string[] files, SKFontStyle style)
    {
        foreach (string file in files)
        {
            if (File.Exists(file) && SKTypeface.FromFile(file) is { } typeface) return typeface;
        }
        return SKTypeface.FromFamilyName("sans-serif", style) ?? SKTypeface.Default;
    }
}
