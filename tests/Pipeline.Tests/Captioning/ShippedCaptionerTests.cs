// The two captioners shipped in data/models (made by `pipeline train captioner`, docs/CAPTIONING.md):
//   captioner/         the default photo model (ImageNet ResNet-18 + attention decoder, Flickr8k train);
//   captioner-shapes/  the from-scratch model of the synthetic scenes.
// Each loads through the validating ImageCaptioner.Load, is small enough for the repository, and captions its
// own kind of sample images (data/samples/photos: Flickr8k dev photos it never trained on; data/samples/shapes:
// scenes from another seed) recognisably. The photo model also flags images unlike photos as unsure: the
// failure that made it the default was a from-scratch shapes model captioning real photos as shapes, confidently.
using Pipeline.Captioning;
using Pipeline.Evaluation.Captioning;
using Pipeline.Preprocessing.Datasets;
using SkiaSharp;
using Xunit;

namespace Pipeline.Tests.Captioning;

public sealed class ShippedCaptionerTests
{
    private static readonly CaptionOptions Beam3 = new(BeamSize: 3, LengthPenalty: 1f);

    // Words that carry no content: a caption sharing only these with its references has recognised nothing.
    private static readonly HashSet<string> FunctionWords =
    [
        "a", "an", "the", "is", "are", "of", "in", "on", "at", "with", "and", "to", "his", "her", "its", "their", "while",
        "up", "down", "into", "through", "from", "by", "for", "some", "two", "three", "one", "other", "another", "it", "that",
    ];

    private static string RepositoryPath(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
                return Path.Combine([dir.FullName, .. parts]);
        throw new DirectoryNotFoundException("the repository root (Pipeline.sln) was not found above " + AppContext.BaseDirectory);
    }

    private static void AssertShippable(string directory, long maxBytes)
    {
        long bytes = new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        Assert.True(bytes <= maxBytes, $"{directory} takes {bytes:N0} bytes; keep it at most {maxBytes:N0}");
        Assert.False(Directory.Exists(Path.Combine(directory, "checkpoints")), "ship the best model only, without the resume checkpoint");
    }

    [Fact]
    public void PhotoModel_CaptionsTheSamplePhotosRecognisably()
    {
        var directory = RepositoryPath("data", "models", "captioner");
        AssertShippable(directory, 64L << 20);
        var captioner = ImageCaptioner.Load(directory);
        Assert.Equal("resnet18", captioner.Config.EncoderPreset);
        Assert.True(captioner.HasConfidence, "the photo model ships its in-domain density (domain.safetensors)");

        var samples = CaptionDatasetLoader.Load(RepositoryPath("data", "samples", "photos.token.txt"), new CaptionLoadOptions(ImageRoot: RepositoryPath("data", "samples", "photos"))).Images;
        Assert.Equal(8, samples.Count);
        var results = captioner.CaptionMany(samples.Select(s => s.Path), Beam3);

        int recognised = 0;
        for (int i = 0; i < samples.Count; i++)
        {
            var caption = ContentWords(results[i].Caption);
            var references = samples[i].Captions.SelectMany(c => ContentWords(c.Raw)).ToHashSet();
            if (caption.Overlaps(references)) recognised++;
        }
        // By its calibration 1 % of Flickr8k dev photos fall below the unsure line (one of these eight does: 0.006).
        Assert.True(results.Count(r => r.Unsure) <= 1, "more than one of 8 Flickr8k photos flagged unsure:\n" +
            string.Join('\n', results.Select(r => $"{Path.GetFileName(r.Source)}: confidence {r.Confidence:F3}")));
        // A caption "recognises" a photo when it names something its human captions name (dog, snow, girl, ...).
        Assert.True(recognised >= 7, $"only {recognised} of 8 captions share a content word with their references:\n" +
            string.Join('\n', results.Select(r => $"{Path.GetFileName(r.Source)}: {r.Caption}")));

        var bleu = Bleu.Compute(samples.Select((s, i) => EvaluationSample.FromText(s.FileName, results[i].Caption, s.Captions.Select(c => c.Raw))).ToList());
        Assert.True(bleu.Corpus[0] >= 0.5, $"BLEU-1 of the 8 sample photos is {bleu.Corpus[0]:F3}");
    }

    [Fact]
    public void PhotoModel_FlagsImagesUnlikePhotosAsUnsure()
    {
        var captioner = ImageCaptioner.Load(RepositoryPath("data", "models", "captioner"));
        var shapes = Directory.GetFiles(RepositoryPath("data", "samples", "shapes"), "*.png").Order().ToArray();
        var dir = Directory.CreateTempSubdirectory("pipeline-ood-");
        try
        {
            // Uniform noise, seeded: no photo looks like it.
            var noise = Path.Combine(dir.FullName, "noise.png");
            var random = new Random(7);
            using (var bitmap = new SKBitmap(224, 224))
            {
                for (int y = 0; y < 224; y++)
                    for (int x = 0; x < 224; x++)
                        bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
                using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(noise, data.ToArray());
            }
            var results = captioner.CaptionMany([.. shapes, noise], Beam3);
            var photos = captioner.CaptionMany(Directory.GetFiles(RepositoryPath("data", "samples", "photos"), "*.jpg").Order(), Beam3);
            string listing = string.Join('\n', results.Concat(photos).Select(r => $"{Path.GetFileName(r.Source)}: {r.Caption} (confidence {r.Confidence:F4})"));
            // The shapes were measured at confidence 0.003–0.018 and the noise at 0.005; the photos at 0.006–0.98, median ≈ 0.73.
            int unsure = results.Count(r => r.Unsure);
            Assert.True(unsure >= results.Count - 2, $"only {unsure} of {results.Count} synthetic images flagged unsure:\n{listing}");
            Assert.True(results[^1].Unsure, $"noise not flagged:\n{listing}");
            double medianPhoto = photos.Select(r => r.Confidence!.Value).Order().ElementAt(photos.Count / 2);
            Assert.True(results.All(r => r.Confidence < medianPhoto / 10), $"a synthetic image looks nearly as familiar as a typical photo:\n{listing}");
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void ShapesModel_StillCaptionsTheSyntheticScenes()
    {
        var directory = RepositoryPath("data", "models", "captioner-shapes");
        AssertShippable(directory, 10L << 20);
        var captioner = ImageCaptioner.Load(directory);
        Assert.Equal("tiny", captioner.Config.EncoderPreset);

        var samples = CaptionDatasetLoader.Load(RepositoryPath("data", "samples", "shapes", "dataset.json")).Images;
        Assert.Equal(8, samples.Count);
        var results = captioner.CaptionMany(samples.Select(s => s.Path), new CaptionOptions(BeamSize: 3));
        var bleu = Bleu.Compute(samples.Select((s, i) => EvaluationSample.FromText(s.FileName, results[i].Caption, s.Captions.Select(c => c.Raw))).ToList());
        // The model scores BLEU-4 0.945 on its 600-scene test split; 8 scenes are noisier, but not by this much.
        Assert.True(bleu.Corpus[3] >= 0.6, $"BLEU-4 on the 8 shape samples is {bleu.Corpus[3]:F3}:\n" +
            string.Join('\n', results.Select(r => $"{Path.GetFileName(r.Source)}: {r.Caption}")));
    }

    private static HashSet<string> ContentWords(string text)
        => PtbTokenizer.Tokenize(text.ToLowerInvariant()).Where(w => w.All(char.IsLetter) && !FunctionWords.Contains(w)).ToHashSet();
}
