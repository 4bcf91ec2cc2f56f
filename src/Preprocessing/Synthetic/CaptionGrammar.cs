// Caption grammar: turns a Scene into many true sentences, then picks distinct ones. Every
// sentence is derived from the layout order, so relations are correct by construction, and most
// sentences bind attributes to specific objects: a model must localise objects to get them right.
using System.Text;

namespace Pipeline.Preprocessing.Synthetic;

/// <summary>A reference caption: the display sentence and its lower-case tokens.</summary>
/// <param name="Raw">Sentence with capital letter and full stop.</param>
/// <param name="Tokens">Lower-case words without punctuation.</param>
public sealed record SceneCaption(string Raw, IReadOnlyList<string> Tokens);

/// <summary>Generates reference captions for scenes.</summary>
public static class CaptionGrammar
{
    [Flags]
    private enum Detail { None = 0, Size = 1, Color = 2, Full = Size | Color }

    /// <summary>
    /// Picks <paramref name="count"/> distinct captions: the canonical (fully specified) one first, then a
    /// random selection of the other true paraphrases.
    /// </summary>
    public static IReadOnlyList<SceneCaption> Captions(Scene scene, SplitMix64 rng, int count)
    {
        var all = Candidates(scene);
        if (all.Count < count)
            throw new InvalidOperationException($"Grammar produced only {all.Count} distinct captions for a {scene.Objects.Count}-object scene.");
        var rest = all.Skip(1).ToList();
        rng.Shuffle(rest);
        return [.. new[] { all[0] }.Concat(rest.Take(count - 1)).Select(ToCaption)];
    }

    /// <summary>Every distinct true sentence (lower case, no final stop) for <paramref name="scene"/>, canonical first.</summary>
    public static IReadOnlyList<string> Candidates(Scene scene)
    {
        var o = scene.Objects;
        var list = o.Count switch
        {
            1 => Single(o[0], scene),
            2 => Pair(o[0], o[1], scene.Axis),
            3 => Triple(o[0], o[1], o[2], scene.Axis),
            _ => throw new ArgumentException($"Scenes have 1..3 objects, got {o.Count}."),
        };
        return list.Distinct(StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<string> Single(SceneObject a, Scene scene)
    {
        string size = SceneVocabulary.Adjective(a.Size), color = a.Color.Name, noun = SceneVocabulary.Noun(a.Shape);
        yield return Np(a, Detail.Full);
        yield return Np(a, Detail.Color);
        yield return Np(a, Detail.Size);
        yield return $"there is {Np(a, Detail.Full)}";
        yield return $"{Np(a, Detail.Full)} on a {(scene.Background.Gradient ? "shaded" : "plain")} background";
        yield return $"a single {size} {color} {noun}";
        yield return $"one {size} {color} {noun}";
        yield return $"a {noun} that is {color}";
    }

    private static IEnumerable<string> Pair(SceneObject a, SceneObject b, LayoutAxis axis)
    {
        var (fwd, back) = Relations(axis);
        if (SameKind(a, b))
            yield return $"{Group(a, b)} {(axis == LayoutAxis.Horizontal ? "side by side" : "one above the other")}";
        yield return $"{Np(a, Detail.Full)} {fwd[0]} {Np(b, Detail.Full)}";
        yield return $"{Np(a, Detail.Full)} {fwd[1]} {Np(b, Detail.Full)}";
        foreach (var r in back)
            yield return $"{Np(b, Detail.Full)} {r} {Np(a, Detail.Full)}";
        yield return $"{Np(a, Detail.Color)} {fwd[0]} {Np(b, Detail.Color)}";
        yield return $"{Np(b, Detail.Color)} {back[0]} {Np(a, Detail.Color)}";
        yield return $"{Np(a, Detail.Size)} {fwd[0]} {Np(b, Detail.Size)}";
        yield return $"there is {Np(a, Detail.Full)} {fwd[0]} {Np(b, Detail.Full)}";
    }

    private static IEnumerable<string> Triple(SceneObject a, SceneObject b, SceneObject c, LayoutAxis axis)
    {
        var (fwd, back) = Relations(axis);
        string order = axis == LayoutAxis.Horizontal ? "from left to right" : "from top to bottom";
        if (SameKind(a, b))
            yield return $"{Group(a, b)} {fwd[0]} {Np(c, Detail.Full)}";
        else if (SameKind(b, c))
            yield return $"{Np(a, Detail.Full)} {fwd[0]} {Group(b, c)}";
        yield return $"{Np(a, Detail.Full)} {fwd[0]} {Np(b, Detail.Full)} and {Np(c, Detail.Full)}";
        yield return $"{Np(c, Detail.Full)} {back[0]} {Np(a, Detail.Full)} and {Np(b, Detail.Full)}";
        yield return $"{Np(a, Detail.Full)}, {Np(b, Detail.Full)} and {Np(c, Detail.Full)} {order}";
        yield return $"{Np(b, Detail.Full)} between {Np(a, Detail.Full)} and {Np(c, Detail.Full)}";
        yield return $"{Np(a, Detail.Full)} {fwd[0]} {Np(b, Detail.Full)}, which is {fwd[0]} {Np(c, Detail.Full)}";
        yield return $"{Np(b, Detail.Full)} {back[0]} {Np(a, Detail.Full)} and {fwd[0]} {Np(c, Detail.Full)}";
        yield return $"{Np(a, Detail.Color)} {fwd[1]} {Np(b, Detail.Color)} and {Np(c, Detail.Color)}";
        yield return $"{Np(a, Detail.Color)}, {Np(b, Detail.Color)} and {Np(c, Detail.Color)} {order}";
    }

    private static (string[] Forward, string[] Backward) Relations(LayoutAxis axis) => axis == LayoutAxis.Horizontal
        ? (["to the left of", "left of"], ["to the right of", "right of"])
        : (["above", "over"], ["below", "under", "beneath"]);

    private static bool SameKind(SceneObject a, SceneObject b) => a.Shape == b.Shape && a.Color == b.Color;

    private static string Group(SceneObject a, SceneObject b)
    {
        string size = a.Size == b.Size ? SceneVocabulary.Adjective(a.Size) + " " : "";
        return $"two {size}{a.Color.Name} {SceneVocabulary.Plural(a.Shape)}";
    }

    private static string Np(SceneObject o, Detail d)
    {
        var sb = new StringBuilder();
        if (d.HasFlag(Detail.Size))
            sb.Append(SceneVocabulary.Adjective(o.Size)).Append(' ');
        if (d.HasFlag(Detail.Color))
            sb.Append(o.Color.Name).Append(' ');
        sb.Append(SceneVocabulary.Noun(o.Shape));
        string words = sb.ToString();
        return ("aeiou".Contains(words[0]) ? "an " : "a ") + words;
    }

    private static SceneCaption ToCaption(string sentence)
    {
        var tokens = sentence.Replace(",", "", StringComparison.Ordinal)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string raw = char.ToUpperInvariant(sentence[0]) + sentence[1..] + ".";
        return new SceneCaption(raw, tokens);
    }
}
