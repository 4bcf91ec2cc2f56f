// Samples scene layouts whose spatial relations are unambiguous by construction: objects occupy
// disjoint intervals along the layout axis (with a gap), and their offset across the axis is
// bounded well below their distance along it, so "left of" can never be read as "above".
namespace Pipeline.Preprocessing.Synthetic;

/// <summary>Draws random <see cref="Scene"/>s from a <see cref="SplitMix64"/>.</summary>
public static class SceneSampler
{
    /// <summary>Bounding-box side of small objects as a fraction of the canvas.</summary>
    public const double SmallFraction = 0.16;
    /// <summary>Bounding-box side of large objects as a fraction of the canvas.</summary>
    public const double LargeFraction = 0.28;
    /// <summary>Minimum empty space between neighbouring boxes along the axis.</summary>
    public const double GapFraction = 0.04;
    /// <summary>Margin kept free at the canvas border.</summary>
    public const double MarginFraction = 0.03;
    /// <summary>Maximum offset across the axis between an object and the first one (&lt; the minimum spacing along it).</summary>
    public const double CrossJitterFraction = 0.08;

    /// <summary>Samples one scene of side <paramref name="size"/>.</summary>
    public static Scene Sample(SplitMix64 rng, int size)
    {
        double u = rng.NextDouble();
        int count = u < 0.25 ? 1 : u < 0.65 ? 2 : 3;
        var axis = rng.Chance(0.5) ? LayoutAxis.Horizontal : LayoutAxis.Vertical;

        var kinds = new (Shape Shape, NamedColor Color, ObjectSize Size)[count];
        for (int i = 0; i < count; i++)
        {
            var size_ = rng.Chance(0.5) ? ObjectSize.Small : ObjectSize.Large;
            // Sometimes repeat the previous object's shape and colour so "two red circles" phrasing occurs.
            if (i > 0 && rng.Chance(0.2))
                kinds[i] = (kinds[i - 1].Shape, kinds[i - 1].Color, size_);
            else
                kinds[i] = (SceneVocabulary.Shapes[rng.Next(SceneVocabulary.Shapes.Count)],
                            SceneVocabulary.Colors[rng.Next(SceneVocabulary.Colors.Count)], size_);
        }

        double margin = MarginFraction * size, gap = GapFraction * size;
        var extents = kinds.Select(k => (k.Size == ObjectSize.Small ? SmallFraction : LargeFraction) * size).ToArray();
        double free = size - 2 * margin - extents.Sum() - (count - 1) * gap;

        // Split the free space into count+1 random parts (sorted uniforms), one before each object and one at the end.
        var cuts = new double[count];
        for (int i = 0; i < count; i++)
            cuts[i] = rng.NextDouble() * free;
        Array.Sort(cuts);
        var along = new double[count];
        double cursor = margin, prevCut = 0;
        for (int i = 0; i < count; i++)
        {
            cursor += cuts[i] - prevCut;
            prevCut = cuts[i];
            along[i] = cursor + extents[i] / 2;
            cursor += extents[i] + gap;
        }

        // Across the axis: one base position, neighbours jittered around it but kept on the canvas.
        double maxExtent = extents.Max();
        double baseCross = rng.NextDouble(margin + maxExtent / 2, size - margin - maxExtent / 2);
        var objects = new SceneObject[count];
        for (int i = 0; i < count; i++)
        {
            double jitter = i == 0 ? 0 : rng.NextDouble(-CrossJitterFraction, CrossJitterFraction) * size;
            double cross = Math.Clamp(baseCross + jitter, margin + extents[i] / 2, size - margin - extents[i] / 2);
            var (x, y) = axis == LayoutAxis.Horizontal ? (along[i], cross) : (cross, along[i]);
            objects[i] = new SceneObject(kinds[i].Shape, kinds[i].Color, kinds[i].Size, x, y, extents[i]);
        }
        // The jitter is relative to the first object, so neighbours can differ by up to 2x; keep them within the bound.
        ClampNeighbours(objects, axis, CrossJitterFraction * size);

        var bgs = SceneVocabulary.Backgrounds;
        var c1 = bgs[rng.Next(bgs.Count)];
        var c2 = bgs[rng.Next(bgs.Count)];
        bool gradient = rng.Chance(0.5);
        var background = new SceneBackground(c1.R, c1.G, c1.B, c2.R, c2.G, c2.B, gradient, rng.Chance(0.5));
        return new Scene(size, axis, objects, background);
    }

    private static void ClampNeighbours(SceneObject[] objects, LayoutAxis axis, double maxOffset)
    {
        for (int i = 1; i < objects.Length; i++)
        {
            var prev = objects[i - 1];
            var o = objects[i];
            if (axis == LayoutAxis.Horizontal)
                objects[i] = o with { CenterY = Math.Clamp(o.CenterY, prev.CenterY - maxOffset, prev.CenterY + maxOffset) };
            else
                objects[i] = o with { CenterX = Math.Clamp(o.CenterX, prev.CenterX - maxOffset, prev.CenterX + maxOffset) };
        }
    }
}
