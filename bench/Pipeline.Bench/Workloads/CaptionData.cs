// Synthetic captions shared by the decoder and captioner configurations: <start> followed by 20 ids drawn
// from [4, 5000) (never pad, unknown, start or end), so every caption is 21 tokens and teacher forcing runs
// 20 steps with 20 targets, as in reference.py's random_captions.
using Pipeline.Models.Tensors;

namespace Pipeline.Bench.Workloads;

/// <summary>Token lists for <see cref="Pipeline.Models.Captioning.AttentionDecoder.Loss"/>, one caption per image.</summary>
internal sealed class CaptionData
{
    public CaptionData(Generator generator, int batch, int steps)
    {
        Captions = new int[batch][];
        for (int b = 0; b < batch; b++)
        {
            Captions[b] = new int[steps + 1];
            Captions[b][0] = BenchSizes.StartToken;
            for (int t = 1; t <= steps; t++) Captions[b][t] = FirstWord + generator.NextInt(BenchSizes.Vocab - FirstWord);
        }
        ImageOfCaption = Enumerable.Range(0, batch).ToArray();
    }

    /// <summary>The first id that is a word rather than a special token (pad 0, unknown 1, start 2, end 3).</summary>
    public const int FirstWord = 4;

    /// <summary>(B) captions of 21 tokens, &lt;start&gt; first.</summary>
    public int[][] Captions { get; }

    /// <summary>Caption m describes image m.</summary>
    public int[] ImageOfCaption { get; }
}
