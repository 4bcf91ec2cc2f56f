// Small, randomly initialised but complete model directories (as training would write them) and a few
// generated images, so tests of loading, packaging and the ML.NET components run in milliseconds.
// The models are untrained: their outputs are arbitrary but deterministic (seeded), which is all the
// "same answer through every path" tests need.
using Pipeline.Captioning;
using Pipeline.Classification;
using Pipeline.Models.Captioning;
using Pipeline.Models.Classification;
using Pipeline.Models.Tensors;
using Pipeline.Preprocessing.Datasets;
using Pipeline.Preprocessing.Synthetic;
using Pipeline.Preprocessing.Text;

namespace Pipeline.Tests.Support;

internal static class TinyModelDirectories
{
    private static readonly string[] CaptionWords = ["a", "red", "blue", "square", "circle", "on", "grass"];

    /// <summary>Writes a 16-px captioner (4×4 grid, width 8) with a 11-token vocabulary to <paramref name="directory"/>.</summary>
    public static string WriteCaptioner(string directory, ulong seed = 11)
    {
        var vocabulary = Vocabulary.FromTokens([.. Vocabulary.SpecialTokens, .. CaptionWords]);
        var config = new CaptionerConfig
        {
            ImageSize = 16,
            EncoderPreset = "custom",
            Encoder = new CaptionEncoderSpec([4], [2], [8], [1], [2]),
            VocabularySize = vocabulary.Count,
            EmbeddingDim = 8,
            HiddenSize = 8,
            AttentionDim = 8,
            Dropout = 0f,
            MaxCaptionLength = 6,
        }.Validated();
        var model = new CaptionModel(config, new Generator(seed));
        // Untrained, the decoder often ends at once (beam search favours the short <end>); a lower <end> bias makes it
        // say a few words, so the tests compare real captions.
        model.Decoder.Output.Bias!.Data[config.EndId] -= 3f;
        model.Eval();
        CaptionerDirectory.Save(directory, model, config, vocabulary, TokenizerSpec.Word());
        return directory;
    }

    /// <summary>Texts the tiny classifier's vocabulary is fitted on (every word twice, so MinFrequency 2 keeps it).</summary>
    public static readonly string[] ClassifierTexts =
    [
        "win a free cruise now", "cheap pills click now", "meeting moved to tomorrow", "lunch with the team tomorrow",
        "win cheap pills free", "team meeting at noon",
    ];

    /// <summary>Writes a 3-class TextCnn classifier (embedding 6, 4 maps of widths 1–2) to <paramref name="directory"/>.</summary>
    public static string WriteClassifier(string directory, ulong seed = 5)
    {
        var encoder = TextEncoder.Fit(ClassifierTexts.Concat(ClassifierTexts), new ClassifierPreprocessing(new TextNormalizerOptions(), MaxLength: 16), TokenizerSpec.Word());
        var labels = LabelMap.Fit(["ham", "promo", "spam"]);
        var config = new ClassifierConfig(ClassifierArchitecture.TextCnn, encoder.Vocabulary.Count, labels.Labels.Count)
        {
            EmbeddingDim = 6,
            FilterWidths = [1, 2],
            FeatureMaps = 4,
            Dropout = 0f,
        };
        var model = TextClassifierModel.Create(config, new Generator(seed));
        model.Eval();
        ClassifierDirectory.Save(directory, model, config, encoder, labels);
        return directory;
    }

    /// <summary>Writes <paramref name="count"/> small PNGs of different colours and patterns; returns their paths in name order.</summary>
    public static IReadOnlyList<string> WriteImages(string directory, int count = 3, int side = 20)
    {
        Directory.CreateDirectory(directory);
        var paths = new List<string>();
        for (int k = 0; k < count; k++)
        {
            var rgb = new byte[side * side * 3];
            for (int y = 0; y < side; y++)
                for (int x = 0; x < side; x++)
                {
                    int i = (y * side + x) * 3;
                    bool inside = Math.Abs(x - side / 2) < 3 + 2 * k && Math.Abs(y - side / 2) < 3 + k;
                    rgb[i] = (byte)(inside ? 200 - 60 * k : 30 * k);
                    rgb[i + 1] = (byte)(inside ? 40 * k : 180 - 20 * k);
                    rgb[i + 2] = (byte)((x * 11 + y * 7 + 50 * k) % 256);
                }
            var path = Path.Combine(directory, $"image{k}.png");
            File.WriteAllBytes(path, DeterministicPng.EncodeRgb(rgb, side, side));
            paths.Add(path);
        }
        return paths;
    }
}
