// Batched beam search of the benchmark decoder, as reference.py's beam_search: all images × K beams
// run as one (B·K) batch; score = sum of log-softmax; at step 0 only beam 0 of each image is alive
// (the others start at −∞) so the first K tokens differ; each step keeps the top K of the K·V
// candidates per image, reorders h, c and the sequences by back-pointer; fixed length, no length
// normalisation; returns the best final beam of each image.
// Shape key: B = images, K = beam width, V = vocabulary, R = regions, F = features, H = hidden.
using Pipeline.Models.Tensors;

namespace Pipeline.Bench.Models;

internal sealed partial class AttentionDecoder
{
    /// <summary>Beam search of <paramref name="steps"/> tokens with width <paramref name="beam"/>; returns (B) sequences.</summary>
    public int[][] BeamSearch(Tensor features, int steps, int beam)
    {
        int batch = features.Size(0), vocab = BenchSizes.Vocab, rows = batch * beam;
        var expand = new int[rows];
        for (int r = 0; r < rows; r++) expand[r] = r / beam;                       // repeat_interleave
        var featuresK = Tensor.IndexSelect(features, 0, expand);                    // (B·K, R, F)
        var projected = ProjectFeatures(featuresK);                                // (B·K, R, A)
        var (h, c) = InitialState(featuresK);                                       // (B·K, H)

        var scores = new float[rows];                                               // (B, K) running log-probabilities
        for (int r = 0; r < rows; r++) scores[r] = r % beam == 0 ? 0f : float.NegativeInfinity;
        var token = new int[rows];
        Array.Fill(token, BenchSizes.StartToken);
        var sequences = new int[rows][];
        for (int r = 0; r < rows; r++) sequences[r] = [];
        var source = new int[rows];
        var nextScores = new float[rows];
        var best = new (float Score, int Index)[beam];

        for (int t = 0; t < steps; t++)
        {
            (h, c, _) = Step(featuresK, projected, Embedding.Forward(token), h, c);
            var logp = Tensor.LogSoftmax(Fc.Forward(h), 1).Data;                    // (B·K, V)
            for (int b = 0; b < batch; b++)
            {
                // Top K of score[b, k] + logp[b·K + k, v] over the K·V candidates (a running top-K list).
                for (int j = 0; j < beam; j++) best[j] = (float.NegativeInfinity, -1);
                for (int k = 0; k < beam; k++)
                {
                    int row = b * beam + k;
                    float baseScore = scores[row];
                    if (float.IsNegativeInfinity(baseScore)) continue;
                    var lp = logp.Slice(row * vocab, vocab);
                    for (int v = 0; v < vocab; v++)
                    {
                        float total = baseScore + lp[v];
                        if (total <= best[beam - 1].Score) continue;
                        int at = beam - 1;
                        while (at > 0 && total > best[at - 1].Score) { best[at] = best[at - 1]; at--; }
                        best[at] = (total, k * vocab + v);
                    }
                }
                for (int j = 0; j < beam; j++)
                {
                    int row = b * beam + j;
                    nextScores[row] = best[j].Score;
                    source[row] = b * beam + best[j].Index / vocab;
                    token[row] = best[j].Index % vocab;
                }
            }
            (scores, nextScores) = (nextScores, scores);
            h = Tensor.IndexSelect(h, 0, source);
            c = Tensor.IndexSelect(c, 0, source);
            var reordered = new int[rows][];
            for (int r = 0; r < rows; r++) reordered[r] = [.. sequences[source[r]], token[r]];
            sequences = reordered;
        }

        var result = new int[batch][];
        for (int b = 0; b < batch; b++)
        {
            int top = b * beam;
            for (int k = 1; k < beam; k++) if (scores[b * beam + k] > scores[top]) top = b * beam + k;
            result[b] = sequences[top];
        }
        return result;
    }
}
