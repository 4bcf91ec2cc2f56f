// The vocabulary and the scene description shared by sampler, renderer, caption grammar and tests.
// Keeping geometry in the model (not just in pixels) lets tests check captions against positions.
namespace Pipeline.Preprocessing.Synthetic;

/// <summary>Object shapes.</summary>
public enum Shape { Circle, Square, Triangle, Star, Diamond, Cross, Hexagon }

/// <summary>Object sizes; absolute (fraction of the canvas), not relative to other objects.</summary>
public enum ObjectSize { Small, Large }

/// <summary>The axis along which a multi-object scene is laid out.</summary>
public enum LayoutAxis
{
    /// <summary>Objects ordered left → right.</summary>
    Horizontal,
    /// <summary>Objects ordered top → bottom.</summary>
    Vertical,
}

/// <summary>A named, saturated object colour.</summary>
public sealed record NamedColor(string Name, byte R, byte G, byte B);

/// <summary>One drawn object: centre and side of its square bounding box in pixels.</summary>
public sealed record SceneObject(Shape Shape, NamedColor Color, ObjectSize Size, double CenterX, double CenterY, double Extent)
{
    /// <summary>Left edge of the bounding box.</summary>
    public double Left => CenterX - Extent / 2;
    /// <summary>Right edge of the bounding box.</summary>
    public double Right => CenterX + Extent / 2;
    /// <summary>Top edge of the bounding box.</summary>
    public double Top => CenterY - Extent / 2;
    /// <summary>Bottom edge of the bounding box.</summary>
    public double Bottom => CenterY + Extent / 2;
}

/// <summary>Background: a solid muted colour or a linear gradient between two muted colours.</summary>
public sealed record SceneBackground(byte R1, byte G1, byte B1, byte R2, byte G2, byte B2, bool Gradient, bool GradientVertical);

/// <summary>A whole scene; <see cref="Objects"/> are in layout order (left→right or top→bottom).</summary>
public sealed record Scene(int Size, LayoutAxis Axis, IReadOnlyList<SceneObject> Objects, SceneBackground Background);

/// <summary>The fixed palettes and words.</summary>
public static class SceneVocabulary
{
    /// <summary>Eight well separated saturated colours.</summary>
    public static IReadOnlyList<NamedColor> Colors { get; } =
    [
        new("red", 220, 40, 40),
        new("green", 40, 170, 60),
        new("blue", 40, 80, 230),
        new("yellow", 240, 220, 40),
        new("purple", 140, 60, 200),
        new("orange", 250, 140, 30),
        new("cyan", 40, 210, 220),
        new("pink", 245, 120, 190),
    ];

    /// <summary>Muted background colours: low saturation so they never read as an object colour.</summary>
    public static IReadOnlyList<(byte R, byte G, byte B)> Backgrounds { get; } =
    [
        (90, 96, 104), (200, 192, 176), (62, 62, 66), (168, 168, 164), (120, 118, 100), (150, 136, 128), (110, 124, 120), (184, 176, 186),
    ];

    /// <summary>All shapes.</summary>
    public static IReadOnlyList<Shape> Shapes { get; } = Enum.GetValues<Shape>();

    /// <summary>Singular noun for a shape.</summary>
    public static string Noun(Shape s) => s switch
    {
        Shape.Circle => "circle",
        Shape.Square => "square",
        Shape.Triangle => "triangle",
        Shape.Star => "star",
        Shape.Diamond => "diamond",
        Shape.Cross => "cross",
        Shape.Hexagon => "hexagon",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    /// <summary>Plural noun for a shape.</summary>
    public static string Plural(Shape s) => s == Shape.Cross ? "crosses" : Noun(s) + "s";

    /// <summary>Adjective for a size.</summary>
    public static string Adjective(ObjectSize s) => s == ObjectSize.Small ? "small" : "large";
}
