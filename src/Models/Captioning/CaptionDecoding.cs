// Caption generation from region features: greedy decoding and beam search (the decoding of Xu et al. 2015
// §4.3 / Vinyals et al. 2015), batched over images — all B·K beams advance in ONE decoder step.
// Beam search per image, at every step:
//   candidates (k, v) with total = score_k + log p(v | beam k), ranked descending (ties: lower k, then lower v);
//   walk the ranking: a candidate ending in <end> becomes a finished hypothesis with
//   score = total / n^α (n = predicted tokens incl. <end>, DecodeOptions.Normalise); every other candidate
//   becomes a live beam until K live beams are filled. An image stops once it has K finished hypotheses
//   (early stopping, as in common implementations); at MaxLength its live beams join the finished list
//   unfinished, so every image always returns at least one hypothesis.
// With K = 1 the ranking's head is the argmax, so beam search reproduces greedy decoding exactly (same
// float additions in the same order).
// Memory: one TensorScope per call and one per step; only h and c move out of a step.
// Thread safety: only locals and read-only parameters are touched, so concurrent calls are safe.
// Shape key: B = images, K = beams per image, N = B·K rows, R = regions, V = vocabulary, H = hidden size.
using Pipeline.Models.Autograd;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Captioning;

/// <summary>Greedy and beam-search decoding over an <see cref="AttentionDecoder"/>.</summary>
internal static class CaptionDecoding
{
    /// <summary>Decodes every image of <paramref name="features"/> (B, R, F); greedy when BeamSize is 1.</summary>
    public static IReadOnlyList<CaptionHypothesis> Generate(AttentionDecoder decoder, CaptionerConfig config, Tensor features, DecodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        using var noGrad = GradMode.NoGrad();
        using var scope = new TensorScope();
        return options.BeamSize == 1 ? Greedy(decoder, config, features, options) : Beam(decoder, config, features, options);
    }

    /// <summary>Beam search even for BeamSize 1 (lets tests compare the beam code path with greedy decoding).</summary>
    internal static IReadOnlyList<CaptionHypothesis> GenerateBeam(AttentionDecoder decoder, CaptionerConfig config, Tensor features, DecodeOptions options)
    {
        options.Validate();
        using var noGrad = GradMode.NoGrad();
        using var scope = new TensorScope();
        return Beam(decoder, config, features, options);
    }

    private static IReadOnlyList<CaptionHypothesis> Greedy(AttentionDecoder decoder, CaptionerConfig config, Tensor features, DecodeOptions options)
    {
        int images = features.Size(0);
        bool keepAttention = options.ReturnAttention && decoder.Attention is not null;
        var state = decoder.Begin(features, Enumerable.Range(0, images).ToArray());
        var tokens = new List<int>[images];
        var attention = new List<float[]>[images];
        var logProb = new float[images];
        var predicted = new int[images];
        var ended = new bool[images];
        var previous = new int[images];
        for (int b = 0; b < images; b++) { tokens[b] = []; attention[b] = []; previous[b] = config.StartId; }

        for (int step = 0, running = images; step < options.MaxLength && running > 0; step++)
        {
            using var stepScope = new TensorScope();
            var (logProbs, hidden, cell, alpha) = decoder.Step(previous, state);             // (B, V), (B, H), (B, H), (B, R)
            int vocab = logProbs.Size(1);
            var lp = logProbs.Data;
            for (int b = 0; b < images; b++)
            {
                if (ended[b]) continue;
                var row = lp.Slice(b * vocab, vocab);
                int best = 0;
                for (int v = 1; v < vocab; v++) if (row[v] > row[best]) best = v;
                logProb[b] += row[best];
                predicted[b]++;
                if (best == config.EndId) { ended[b] = true; running--; continue; }
                tokens[b].Add(best);
                if (keepAttention) attention[b].Add(alpha!.Data.Slice(b * alpha.Size(1), alpha.Size(1)).ToArray());
                previous[b] = best;
            }
            state = state with { Hidden = stepScope.MoveToParent(hidden), Cell = stepScope.MoveToParent(cell) };
        }

        var result = new CaptionHypothesis[images];
        for (int b = 0; b < images; b++)
        {
            var candidate = new BeamCandidate(tokens[b].ToArray(), options.Normalise(logProb[b], predicted[b]), logProb[b], ended[b],
                keepAttention ? attention[b].ToArray() : null);
            result[b] = new CaptionHypothesis(candidate.Tokens, candidate.Score, candidate.Attention, [candidate]);
        }
        return result;
    }

    /// <summary>A live beam's history (copied on extension; K and T are small).</summary>
    private sealed record BeamPath(int[] Tokens, float[][] Attention);

    private static IReadOnlyList<CaptionHypothesis> Beam(AttentionDecoder decoder, CaptionerConfig config, Tensor features, DecodeOptions options)
    {
        int images = features.Size(0), width = options.BeamSize, rows = images * width;
        bool keepAttention = options.ReturnAttention && decoder.Attention is not null;
        var rowImage = new int[rows];
        for (int r = 0; r < rows; r++) rowImage[r] = r / width;
        var state = decoder.Begin(features, rowImage);

        // Only beam 0 of each image starts alive, so the first step does not pick K copies of one word.
        var score = new float[rows];
        var paths = new BeamPath[rows];
        var previous = new int[rows];
        var empty = new BeamPath([], []);
        for (int r = 0; r < rows; r++) { score[r] = r % width == 0 ? 0f : float.NegativeInfinity; paths[r] = empty; previous[r] = config.StartId; }
        var finished = new List<BeamCandidate>[images];
        var done = new bool[images];
        for (int b = 0; b < images; b++) finished[b] = [];

        // Ranking buffers: the 2K best (k, v) of one image (at most K of them can be <end>, so K live ones remain).
        int keep = 2 * width;
        var topScore = new float[keep]; var topRow = new int[keep]; var topToken = new int[keep];
        var nextScore = new float[rows]; var nextPaths = new BeamPath[rows]; var nextPrevious = new int[rows]; var parent = new int[rows];

        int running = images;
        for (int step = 0; step < options.MaxLength && running > 0; step++)
        {
            using var stepScope = new TensorScope();
            var (logProbs, hidden, cell, alpha) = decoder.Step(previous, state);             // (N, V), (N, H), (N, H), (N, R)
            int vocab = logProbs.Size(1);
            int regions = alpha?.Size(1) ?? 0;
            var lp = logProbs.Data;
            for (int b = 0; b < images; b++)
            {
                int first = b * width;
                for (int j = 0; j < width; j++)
                {
                    // Defaults: a dead slot (or a finished image's slot) keeps its own row and cannot be extended.
                    parent[first + j] = first + j; nextScore[first + j] = float.NegativeInfinity;
                    nextPaths[first + j] = empty; nextPrevious[first + j] = config.EndId;
                }
                if (done[b]) continue;
                int found = SelectTop(lp, vocab, score, first, width, topScore, topRow, topToken);
                int live = 0;
                for (int i = 0; i < found && live < width; i++)
                {
                    var path = paths[topRow[i]];
                    if (topToken[i] == config.EndId)
                    {
                        finished[b].Add(new BeamCandidate(path.Tokens, options.Normalise(topScore[i], path.Tokens.Length + 1), topScore[i], true,
                            keepAttention ? path.Attention : null));
                        continue;
                    }
                    int slot = first + live++;
                    parent[slot] = topRow[i];
                    nextScore[slot] = topScore[i];
                    nextPrevious[slot] = topToken[i];
                    nextPaths[slot] = new BeamPath([.. path.Tokens, topToken[i]],
                        keepAttention ? [.. path.Attention, alpha!.Data.Slice(topRow[i] * regions, regions).ToArray()] : []);
                }
                // Done with K finished hypotheses, or when nothing can be extended (e.g. NaN log-probabilities).
                if (finished[b].Count >= width || live == 0) { done[b] = true; running--; }
            }
            (score, nextScore) = (nextScore, score);
            (paths, nextPaths) = (nextPaths, paths);
            (previous, nextPrevious) = (nextPrevious, previous);
            // Every slot continues from its parent's state: one gather for all N rows.
            var newHidden = Tensor.IndexSelect(hidden, 0, parent);
            var newCell = Tensor.IndexSelect(cell, 0, parent);
            state = state with { Hidden = stepScope.MoveToParent(newHidden), Cell = stepScope.MoveToParent(newCell) };
        }

        var result = new CaptionHypothesis[images];
        for (int b = 0; b < images; b++)
        {
            var candidates = finished[b];
            if (!done[b])
                for (int j = 0; j < width; j++)
                {
                    int r = b * width + j;
                    if (float.IsNegativeInfinity(score[r])) continue;
                    candidates.Add(new BeamCandidate(paths[r].Tokens, options.Normalise(score[r], paths[r].Tokens.Length), score[r], false,
                        keepAttention ? paths[r].Attention : null));
                }
            // A diverged model (all log-probabilities NaN) still yields one, empty, hypothesis per image.
            if (candidates.Count == 0) candidates.Add(new BeamCandidate([], float.NegativeInfinity, float.NegativeInfinity, false, keepAttention ? [] : null));
            var ranked = candidates.OrderByDescending(c => c.Score).Take(options.TopK).ToArray();   // stable: earlier wins ties
            var best = ranked[0];
            result[b] = new CaptionHypothesis(best.Tokens, best.Score, best.Attention, ranked);
        }
        return result;
    }

    /// <summary>
    /// Fills the best (row, token) extensions of the image's beams [first, first + width) into the top arrays, sorted
    /// descending with ties kept in scan order; returns how many finite candidates were found (≤ top capacity).
    /// </summary>
    private static int SelectTop(ReadOnlySpan<float> logProbs, int vocab, float[] score, int first, int width, float[] topScore, int[] topRow, int[] topToken)
    {
        int capacity = topScore.Length, count = 0;
        for (int k = 0; k < width; k++)
        {
            int row = first + k;
            float baseScore = score[row];
            if (float.IsNegativeInfinity(baseScore)) continue;
            var lp = logProbs.Slice(row * vocab, vocab);
            for (int v = 0; v < vocab; v++)
            {
                float total = baseScore + lp[v];
                if (float.IsNegativeInfinity(total) || float.IsNaN(total)) continue;
                if (count == capacity && total <= topScore[count - 1]) continue;
                // Insertion: move strictly smaller entries down, so equal scores keep the earlier candidate first.
                int i = count < capacity ? count++ : capacity - 1;
                while (i > 0 && topScore[i - 1] < total)
                {
                    topScore[i] = topScore[i - 1]; topRow[i] = topRow[i - 1]; topToken[i] = topToken[i - 1];
                    i--;
                }
                topScore[i] = total; topRow[i] = row; topToken[i] = v;
            }
        }
        return count;
    }
}
