// Small, deterministic report inputs for the report tests: synthetic "photos" drawn with SkiaSharp
// (sky, ground and one coloured object), captions scored by the real CaptionEvaluator, attention
// grids that peak where the object is, a training log, and classification reports from the real
// ClassificationEvaluator and the ML.NET baseline.
using Pipeline.Evaluation.Captioning;
using Pipeline.Evaluation.Classification;
using Pipeline.Preprocessing.Datasets;
using Pipeline.Reports;
using SkiaSharp;

namespace Pipeline.Tests.Reports;

internal static class ReportFixtures
{
    private sealed record Scene(string Id, SKColor Sky, SKColor Ground, SKColor Thing, float X, float Y, bool Round, string Generated, string[] References);

    private static readonly Scene[] Scenes =
    [
        new("beach_001", new(0x8e, 0xc9, 0xf0), new(0xf2, 0xd8, 0x9b), new(0xe6, 0x39, 0x46), 0.30f, 0.68f, true, "a red ball on a sandy beach",
            ["a red ball lying on a sandy beach", "a red ball on the sand near the sea", "a ball on a beach"]),
        new("park_002", new(0xa9, 0xd6, 0xf5), new(0x5d, 0xa1, 0x4a), new(0xf4, 0xa2, 0x61), 0.65f, 0.70f, false, "an orange box on green grass",
            ["an orange box on the green grass", "a box sitting on grass in a park", "an orange crate on a lawn"]),
        new("snow_003", new(0xc8, 0xd6, 0xe5), new(0xf8, 0xf9, 0xfa), new(0x1d, 0x35, 0x57), 0.50f, 0.62f, true, "a blue ball in the snow",
            ["a dark blue ball in the white snow", "a ball lying in snow", "a blue sphere on a snowy field"]),
        new("night_004", new(0x14, 0x21, 0x3d), new(0x2b, 0x2d, 0x42), new(0xfc, 0xa3, 0x11), 0.72f, 0.25f, true, "a yellow moon over a dark field",
            ["the full moon above a dark field", "a yellow moon in the night sky", "a bright moon shining at night"]),
        new("desert_005", new(0xff, 0xd1, 0x66), new(0xd6, 0x8c, 0x45), new(0x6a, 0x4c, 0x93), 0.40f, 0.70f, false, "a purple box on the grass",
            ["a purple box in the desert sand", "a crate standing in a desert", "a purple cube on orange sand"]),
        new("lake_006", new(0x90, 0xe0, 0xef), new(0x00, 0x77, 0xb6), new(0xff, 0xff, 0xff), 0.55f, 0.66f, false, "a white boat on a blue lake",
            ["a white boat on a blue lake", "a small white boat on the water", "a boat floating on a lake"]),
    ];

    /// <summary>Writes the synthetic photos (JPEG, 320×240) into <paramref name="folder"/>.</summary>
    public static IReadOnlyDictionary<string, string> WritePhotos(string folder)
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var scene in Scenes)
        {
            using var surface = SKSurface.Create(new SKImageInfo(320, 240));
            var canvas = surface.Canvas;
            using (var sky = new SKPaint { Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(0, 150), [scene.Sky, scene.Sky.WithAlpha(200)], SKShaderTileMode.Clamp) })
                canvas.DrawRect(0, 0, 320, 150, sky);
            using (var ground = new SKPaint { Color = scene.Ground })
                canvas.DrawRect(0, 150, 320, 90, ground);
            using var thing = new SKPaint { Color = scene.Thing, IsAntialias = true };
            float cx = scene.X * 320, cy = scene.Y * 240;
            if (scene.Round) canvas.DrawCircle(cx, cy, 30, thing);
            else canvas.DrawRect(cx - 34, cy - 26, 68, 52, thing);
            using var image = surface.Snapshot();
            using var jpeg = image.Encode(SKEncodedImageFormat.Jpeg, 90);
            string path = Path.Combine(folder, scene.Id + ".jpg");
            File.WriteAllBytes(path, jpeg.ToArray());
            paths[scene.Id] = path;
        }
        return paths;
    }

    /// <summary>A 7×7 attention grid: a Gaussian bump at (x, y) in [0, 1]² plus a little spread.</summary>
    public static float[] Bump(float x, float y, int size = 7, float sigma = 0.9f)
    {
        var grid = new float[size * size];
        float total = 0;
        for (int r = 0; r < size; r++)
        {
            for (int c = 0; c < size; c++)
            {
                float dx = c - x * (size - 1), dy = r - y * (size - 1);
                grid[r * size + c] = MathF.Exp(-(dx * dx + dy * dy) / (2 * sigma * sigma)) + 0.02f;
                total += grid[r * size + c];
            }
        }
        for (int i = 0; i < grid.Length; i++) grid[i] /= total; // softmax-like: sums to 1
        return grid;
    }

    public static IReadOnlyList<TrainingLogEntry> TrainingLog(string metricName) =>
        Enumerable.Range(1, 12).Select(e => new TrainingLogEntry(
            e,
            TrainLoss: 2.4 * Math.Exp(-0.22 * e) + 0.35,
            ValidLoss: 2.3 * Math.Exp(-0.2 * e) + 0.5 + 0.012 * Math.Max(0, e - 8),
            ValidMetric: 0.92 - 0.6 * Math.Exp(-0.35 * e),
            MetricName: metricName,
            LearningRate: 1e-3 * Math.Pow(0.85, e - 1))).ToArray();

    public static CaptioningReportData Captioning(string photoFolder)
    {
        var photos = WritePhotos(photoFolder);
        var predictions = Scenes.ToDictionary(s => s.Id, s => s.Generated);
        var references = Scenes.ToDictionary(s => s.Id, s => (IReadOnlyList<string>)s.References);
        var metrics = CaptionEvaluator.Evaluate(predictions, references);
        var examples = Scenes.Select(s => new CaptionExample(s.Id, photos[s.Id], s.Generated, s.References)).ToArray();
        // Attention for two images: object words look at the object, scene words at the ground/sky.
        var attention = Scenes.Take(2).Select(s =>
        {
            var words = s.Generated.Split(' ');
            var grids = words.Select((w, i) => w is "ball" or "box" or "red" or "orange" ? Bump(s.X, s.Y)
                : w is "beach" or "grass" or "sandy" or "green" ? Bump(0.5f, 0.9f, sigma: 1.6f)
                : Bump(0.15f + 0.1f * i, 0.3f, sigma: 1.4f)).ToArray();
            return new AttentionExample(s.Id, photos[s.Id], words, grids, 7, 7);
        }).ToArray();
        return new CaptioningReportData("Captioning evaluation", "show-attend-tell (ResNet + LSTM)", metrics, examples, attention,
            TrainingLog("CIDEr-D"), GalleryCount: 3, Notes: "Synthetic test set of 6 images, beam size 3.");
    }

    public static ClassificationReportData Classification()
    {
        string[] labels = ["business", "science", "sports", "world"];
        var random = new Random(3);
        int n = 80;
        var truth = new int[n];
        var probabilities = new float[n][];
        var texts = new string[n];
        for (int i = 0; i < n; i++)
        {
            truth[i] = i % 4;
            // A decent but imperfect model: the true class gets a boost, sometimes a neighbour wins.
            var logits = Enumerable.Range(0, 4).Select(c => (float)(random.NextDouble() * 1.5 + (c == truth[i] ? 0.75 : 0))).ToArray();
            float max = logits.Max();
            var exp = logits.Select(l => MathF.Exp(2 * (l - max))).ToArray();
            float sum = exp.Sum();
            probabilities[i] = exp.Select(e => e / sum).ToArray();
            texts[i] = $"Headline {i}: {labels[truth[i]]} story about markets, rockets, matches and summits";
        }
        var ours = ClassificationEvaluator.Evaluate(truth, probabilities, labels, texts: texts);

        var training = new List<ClassificationExample>();
        var test = new List<ClassificationExample>();
        string[][] vocab =
        [
            ["shares", "profits", "bank", "market", "rates"], ["rocket", "genome", "telescope", "physics", "lab"],
            ["goal", "match", "team", "league", "coach"], ["summit", "election", "border", "minister", "treaty"],
        ];
        for (int i = 0; i < 48; i++)
        {
            int c = i % 4;
            // Every third test document borrows more words from the neighbouring topic, so the baseline makes a few mistakes.
            string text = i < 32 || i % 3 != 0
                ? $"{vocab[c][i % 5]} {vocab[c][(i + 2) % 5]} {vocab[(c + 1) % 4][(i + 3) % 5]} news"
                : $"{vocab[c][i % 5]} {vocab[(c + 1) % 4][(i + 1) % 5]} {vocab[(c + 1) % 4][(i + 3) % 5]} report";
            (i < 32 ? training : test).Add(new ClassificationExample(text, labels[c], Id: $"doc{i}"));
        }
        var baseline = MlNetBaseline.TrainAndEvaluate(training, test, new MlNetBaselineOptions(Seed: 1));
        return new ClassificationReportData("Topic classification", [new("bilstm-attention", ours), new(MlNetBaseline.ModelName, baseline)],
            TrainingLog("accuracy"), MistakeCount: 6, Notes: "AG-News-style synthetic test set.");
    }
}
