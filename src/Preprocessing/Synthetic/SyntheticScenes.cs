// Entry point of the synthetic-scenes generator. Each image i draws from its own sub-stream
// Derive(seed, i), so an image never depends on how many were generated before it, and output is
// produced strictly sequentially: identical seeds give identical bytes on every run.
namespace Pipeline.Preprocessing.Synthetic;

/// <summary>A generated image: its file, split, scene description and captions.</summary>
/// <param name="FileName">PNG file name, e.g. <c>000123.png</c>.</param>
/// <param name="ImageId">Zero-based index.</param>
/// <param name="Split">"train", "val" or "test".</param>
/// <param name="Scene">The drawn layout (ground truth for relations).</param>
/// <param name="Captions">Distinct reference captions.</param>
public sealed record SynthImage(string FileName, int ImageId, string Split, Scene Scene, IReadOnlyList<SceneCaption> Captions);

/// <summary>What <see cref="SyntheticScenes.Generate"/> wrote.</summary>
/// <param name="OutputDirectory">Full path of the output folder.</param>
/// <param name="DatasetJsonPath">Full path of <c>dataset.json</c>.</param>
/// <param name="Images">Every image in id order.</param>
public sealed record SynthResult(string OutputDirectory, string DatasetJsonPath, IReadOnlyList<SynthImage> Images);

/// <summary>Deterministic generator of captioned shape scenes.</summary>
public static class SyntheticScenes
{
    /// <summary>Dataset name written into <c>dataset.json</c>.</summary>
    public const string DatasetName = "synth";

    /// <summary>Samples scene and captions for image <paramref name="index"/> without rendering (cheap; used by tests and tools).</summary>
    public static SynthImage Describe(SynthOptions options, int index, out SplitMix64 rng)
    {
        rng = new SplitMix64(SplitMix64.Derive(options.Seed, (ulong)index));
        var scene = SceneSampler.Sample(rng, options.Size);
        var captions = CaptionGrammar.Captions(scene, rng, options.CaptionsPerImage);
        return new SynthImage(FileName(index, options.Count), index, SynthOptions.SplitOf(index), scene, captions);
    }

    /// <summary>Writes <see cref="SynthOptions.Count"/> PNGs and <c>dataset.json</c> into <see cref="SynthOptions.OutputDirectory"/>.</summary>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; files written so far remain, dataset.json is not written.</exception>
    public static SynthResult Generate(SynthOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string dir = Path.GetFullPath(options.OutputDirectory);
        Directory.CreateDirectory(dir);

        var images = new List<SynthImage>(options.Count);
        for (int i = 0; i < options.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var image = Describe(options, i, out var rng);
            // Noise continues the same sub-stream after layout and captions, so it is fixed per image too.
            var png = SceneRenderer.RenderPng(image.Scene, rng, options.NoiseAmplitude);
            File.WriteAllBytes(Path.Combine(dir, image.FileName), png);
            images.Add(image);
        }

        string json = Path.Combine(dir, "dataset.json");
        string tmp = json + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            KarpathyDatasetWriter.Write(fs, DatasetName, images.Select(im => new KarpathyImage(im.FileName, im.ImageId, im.Split, im.Captions)));
        File.Move(tmp, json, overwrite: true);
        return new SynthResult(dir, json, images);
    }

    /// <summary>Zero-padded file name: at least six digits (<c>000123.png</c>), more when the count needs it.</summary>
    public static string FileName(int index, int count) =>
        index.ToString(new string('0', Math.Max(6, (count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture).Length)),
            System.Globalization.CultureInfo.InvariantCulture) + ".png";
}
