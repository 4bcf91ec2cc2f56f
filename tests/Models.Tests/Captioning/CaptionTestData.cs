// Test fixtures for the captioner: small configs and a synthetic "coloured square" data set drawn
// straight into tensors (no image files): image i shows a square of one of 4 colours in one of 4
// quadrants on a dark background, captioned "a <colour> square at <top|bottom> <left|right>".
// Shape key: N = images, S = image side.
using Pipeline.Models.Captioning;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Tests.Captioning;

internal static class CaptionTestData
{
    public const int Pad = 0, Unk = 1, Start = 2, End = 3;

    /// <summary>Words after the four specials; id = index + 4.</summary>
    public static readonly string[] Words = ["a", "red", "green", "blue", "yellow", "square", "at", "top", "bottom", "left", "right"];

    public static int VocabularySize => Words.Length + 4;

    public static int Id(string word) => Array.IndexOf(Words, word) + 4;

    public static string Word(int id) => id >= 4 ? Words[id - 4] : $"<{id}>";

    private static readonly string[] ColourNames = ["red", "green", "blue", "yellow"];
    private static readonly float[][] Colours = [[1f, 0f, 0f], [0f, 1f, 0f], [0f, 0f, 1f], [1f, 1f, 0f]];

    /// <summary>A small attention captioner: tiny encoder preset at <paramref name="imageSize"/>, small decoder.</summary>
    public static CaptionerConfig SmallConfig(int imageSize = 32, bool useAttention = true, float dropout = 0f) => new()
    {
        ImageSize = imageSize,
        EncoderPreset = CaptionEncoderSpec.Tiny,
        VocabularySize = VocabularySize,
        EmbeddingDim = 32,
        HiddenSize = 64,
        AttentionDim = 32,
        Dropout = dropout,
        UseAttention = useAttention,
        MaxCaptionLength = 12,
    };

    /// <summary>16 images (16, 3, S, S), roughly zero-mean, and one caption per image (&lt;start&gt; … &lt;end&gt;).</summary>
    public static (Tensor Images, int[][] Captions) Squares(int size)
    {
        const int count = 16;
        var data = new float[count * 3 * size * size];
        var captions = new int[count][];
        int half = size / 2, side = size / 2 - 2;
        for (int i = 0; i < count; i++)
        {
            int colour = i % 4, quadrant = i / 4;
            int top = quadrant < 2 ? 1 : half + 1, left = quadrant % 2 == 0 ? 1 : half + 1;
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                    {
                        bool inside = y >= top && y < top + side && x >= left && x < left + side;
                        data[((i * 3 + c) * size + y) * size + x] = (inside ? Colours[colour][c] : 0.1f) - 0.3f;
                    }
            string vertical = quadrant < 2 ? "top" : "bottom", horizontal = quadrant % 2 == 0 ? "left" : "right";
            captions[i] = [Start, .. new[] { "a", ColourNames[colour], "square", "at", vertical, horizontal }.Select(Id), End];
        }
        return (Tensor.FromArray(data, count, 3, size, size), captions);
    }

    /// <summary>Random features (N, R, F) with O(1) entries.</summary>
    public static Tensor RandomFeatures(Generator generator, int images, int regions, int featureSize)
        => Tensor.Randn(generator, [images, regions, featureSize]);
}
