// Synthetic scenes: determinism, Karpathy output shape, distinct captions, and captions whose
// spatial relations and attributes agree with the drawn geometry and pixels.
using System.Text.Json;
using Pipeline.Preprocessing.Images;
using Pipeline.Preprocessing.Synthetic;
using Pipeline.Preprocessing.Tests.Images;

namespace Pipeline.Preprocessing.Tests.Synthetic;

public sealed class SyntheticScenesTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private SynthResult Generate(string sub, ulong seed, int count = 20, int size = 64) =>
        SyntheticScenes.Generate(new SynthOptions { OutputDirectory = Path.Combine(_dir.Path, sub), Count = count, Seed = seed, Size = size });

    [Fact]
    public void Same_seed_gives_identical_bytes_and_different_seed_differs()
    {
        var a = Generate("a", 42);
        var b = Generate("b", 42);
        var c = Generate("c", 43);
        var files = Directory.GetFiles(a.OutputDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(21, files.Count);
        foreach (var f in files)
            Assert.Equal(File.ReadAllBytes(Path.Combine(a.OutputDirectory, f!)), File.ReadAllBytes(Path.Combine(b.OutputDirectory, f!)));
        Assert.NotEqual(File.ReadAllBytes(a.DatasetJsonPath), File.ReadAllBytes(c.DatasetJsonPath));
        Assert.True(files.Where(f => f!.EndsWith(".png", StringComparison.Ordinal))
            .Count(f => !File.ReadAllBytes(Path.Combine(a.OutputDirectory, f!)).SequenceEqual(File.ReadAllBytes(Path.Combine(c.OutputDirectory, f!)))) >= 15);
    }

    [Fact]
    public void Dataset_json_is_karpathy_format_with_fixed_split()
    {
        var r = Generate("k", 7);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(r.DatasetJsonPath));
        Assert.Equal("synth", doc.RootElement.GetProperty("dataset").GetString());
        var images = doc.RootElement.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal(20, images.Count);
        var splits = images.GroupBy(i => i.GetProperty("split").GetString()).ToDictionary(g => g.Key!, g => g.Count());
        Assert.Equal(16, splits["train"]);
        Assert.Equal(2, splits["val"]);
        Assert.Equal(2, splits["test"]);
        int nextSent = 0;
        for (int i = 0; i < images.Count; i++)
        {
            var im = images[i];
            Assert.Equal($"{i:D6}.png", im.GetProperty("filename").GetString());
            Assert.True(File.Exists(Path.Combine(r.OutputDirectory, im.GetProperty("filename").GetString()!)));
            Assert.Equal(i, im.GetProperty("imgid").GetInt32());
            var sentences = im.GetProperty("sentences").EnumerateArray().ToList();
            Assert.Equal(5, sentences.Count);
            Assert.Equal(5, sentences.Select(s => s.GetProperty("raw").GetString()).Distinct().Count());
            Assert.Equal(Enumerable.Range(nextSent, 5), im.GetProperty("sentids").EnumerateArray().Select(e => e.GetInt32()));
            foreach (var s in sentences)
            {
                Assert.Equal(i, s.GetProperty("imgid").GetInt32());
                Assert.Equal(nextSent++, s.GetProperty("sentid").GetInt32());
                var tokens = s.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToList();
                Assert.Equal(s.GetProperty("raw").GetString()!.ToLowerInvariant().Replace(",", "").TrimEnd('.'), string.Join(' ', tokens));
            }
        }
    }

    [Fact]
    public void Layouts_make_relations_unambiguous()
    {
        foreach (int size in SynthOptions.SupportedSizes)
        {
            var options = new SynthOptions { OutputDirectory = _dir.Path, Count = 400, Seed = 3, Size = size };
            var counts = new int[4];
            for (int i = 0; i < options.Count; i++)
            {
                var scene = SyntheticScenes.Describe(options, i, out _).Scene;
                counts[scene.Objects.Count]++;
                foreach (var o in scene.Objects)
                {
                    Assert.InRange(o.Left, 0, size);
                    Assert.InRange(o.Right, 0, size);
                    Assert.InRange(o.Top, 0, size);
                    Assert.InRange(o.Bottom, 0, size);
                }
                for (int k = 1; k < scene.Objects.Count; k++)
                {
                    var (a, b) = (scene.Objects[k - 1], scene.Objects[k]);
                    double along = scene.Axis == LayoutAxis.Horizontal ? b.CenterX - a.CenterX : b.CenterY - a.CenterY;
                    double across = scene.Axis == LayoutAxis.Horizontal ? b.CenterY - a.CenterY : b.CenterX - a.CenterX;
                    Assert.True(scene.Axis == LayoutAxis.Horizontal ? a.Right < b.Left : a.Bottom < b.Top, $"boxes overlap along the axis in scene {i}");
                    Assert.True(Math.Abs(across) < along, $"scene {i}: offset across the axis ({across:F1}) is not smaller than along it ({along:F1})");
                }
            }
            Assert.All(counts.Skip(1), c => Assert.True(c > 50));
        }
    }

    [Fact]
    public void Relation_words_point_at_the_right_objects()
    {
        var options = new SynthOptions { OutputDirectory = _dir.Path, Count = 300, Seed = 11, Size = 64 };
        int checkedCaptions = 0;
        for (int i = 0; i < options.Count; i++)
        {
            var image = SyntheticScenes.Describe(options, i, out _);
            var objs = image.Scene.Objects;
            if (objs.Count != 2 || objs[0].Color == objs[1].Color)
                continue;
            foreach (var caption in image.Captions)
            {
                var t = caption.Tokens.ToList();
                int rel = t.FindIndex(w => w is "left" or "right" or "above" or "over" or "below" or "under" or "beneath");
                if (rel < 0)
                    continue;
                string? firstColor = t.Take(rel).FirstOrDefault(IsColor), secondColor = t.Skip(rel).FirstOrDefault(IsColor);
                if (firstColor is null || secondColor is null)
                    continue;
                bool forward = t[rel] is "left" or "above" or "over";
                var (subject, reference) = forward ? (objs[0], objs[1]) : (objs[1], objs[0]);
                Assert.Equal(subject.Color.Name, firstColor);
                Assert.Equal(reference.Color.Name, secondColor);
                Assert.Equal(image.Scene.Axis == LayoutAxis.Horizontal, t[rel] is "left" or "right");
                checkedCaptions++;
            }
        }
        Assert.True(checkedCaptions > 100, $"only {checkedCaptions} captions checked");
    }

    [Fact]
    public void Rendered_objects_have_their_named_colour()
    {
        var r = Generate("px", 5, count: 10, size: 96);
        foreach (var image in r.Images)
        {
            var rgb = new ImagePipeline(ImagePreprocessingOptions.Eval(96)).LoadRgb(Path.Combine(r.OutputDirectory, image.FileName));
            foreach (var o in image.Scene.Objects)
            {
                var px = rgb[(int)o.CenterX, (int)o.CenterY];
                var c = o.Color;
                Assert.True(Math.Abs(px.R - c.R) <= 8 && Math.Abs(px.G - c.G) <= 8 && Math.Abs(px.B - c.B) <= 8,
                    $"{image.FileName}: {c.Name} {o.Shape} centre is {px}");
            }
        }
    }

    [Fact]
    public void Captions_cover_attributes_and_grouping()
    {
        var options = new SynthOptions { OutputDirectory = _dir.Path, Count = 500, Seed = 2 };
        var all = Enumerable.Range(0, options.Count).SelectMany(i => SyntheticScenes.Describe(options, i, out _).Captions).Select(c => c.Raw).ToList();
        Assert.Contains(all, c => c.StartsWith("Two ", StringComparison.Ordinal));
        Assert.Contains(all, c => c.Contains(" between ", StringComparison.Ordinal));
        Assert.Contains(all, c => c.Contains(" to the right of ", StringComparison.Ordinal));
        Assert.Contains(all, c => c.Contains(" beneath ", StringComparison.Ordinal));
        Assert.Contains(all, c => c.StartsWith("An orange", StringComparison.Ordinal));
        Assert.DoesNotContain(all, c => c.Contains("a orange", StringComparison.Ordinal));
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new SynthOptions { OutputDirectory = _dir.Path, Size = 100 }.Validate());
        Assert.Throws<ArgumentException>(() => new SynthOptions { OutputDirectory = _dir.Path, Count = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new SynthOptions { OutputDirectory = " " }.Validate());
    }

    private static bool IsColor(string w) => SceneVocabulary.Colors.Any(c => c.Name == w);
}
