// Caption generation from region features: greedy decoding and beam search (the decoding of Xu et al. 2015
// §4.3 / Vinyals et al. 2015), batched over images — all B·K beams advance in ONE decoder step.
// Beam search per image, at every step:
//   candidates (k, v) with total = score_k + log p(v | beam k), ranked descending (ties: lower k, then lower v);
//   walk the ranking: a candidate ending in <end> becomes a finished hypothesis with
//   score = total / n^α (n = predicted tokens incl. <end>, DecodeOptions.Normalise); every other candidate
//   becomes a live beam until K live beams are filled. An image stops once it has K finished hypotheses
//   (early stopping, as in common implementations); at MaxLength its live beams join the finished list
//   unfinished, so every image always returns at least one hypothesis.
// Finished images leave the batch (their rows are dropped with the same gather that reorders the beams), so
// late steps only pay for captions still running.
// With K = 1 the ranking's head is the argmax, so beam search reproduces greedy decoding exactly (same
// float additions in the same order).
// Memory: one TensorScope per call and one per step; only the next step's state moves out of a step.
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
        var rowImage = Enumerable.Range(0, images).ToArray();                                // image decoded by each row
        var state = decoder.Begin(features, rowImage);
        var tokens = new List<int>[images];
        var attention = new List<float[]>[images];
        var logProb = new float[images];
        var predicted = new int[images];
        var ended = new bool[images];
        var previous = new int[images];
        for (int b = 0; b < images; b++) { tokens[b] = []; attention[b] = []; previous[b] = config.StartId; }

        for (int step = 0; step < options.MaxLength && rowImage.Length > 0; step++)
        {
            using var stepScope = new TensorScope();
            var (logProbs, hidden, cell, alpha) = decoder.Step(previous, state);             // (K, V), (K, H), (K, H), (K, R)
            int vocab = logProbs.Size(1);
            var lp = logProbs.Data;
            if (options.SuppressUnknown) Suppress(lp, vocab, config.UnkId);
            for (int i = 0; i < rowImage.Length; i++)
            {
                int b = rowImage[i];
                var row = lp.Slice(i * vocab, vocab);
                int best = 0;
                for (int v = 1; v < vocab; v++) if (row[v] > row[best]) best = v;
                logProb[b] += row[best];
                predicted[b]++;
                if (best == config.EndId) { ended[b] = true; continue; }
                tokens[b].Add(best);
                if (keepAttention) attention[b].Add(alpha!.Data.Slice(i * alpha.Size(1), alpha.Size(1)).ToArray());
                previous[i] = best;
            }
            // Rows of finished images leave the batch, so later steps only pay for captions still running.
            var keep = Enumerable.Range(0, rowImage.Length).Where(i => !ended[rowImage[i]]).ToArray();
            state = Gather(stepScope, state with { Hidden = hidden, Cell = cell }, keep, keep, keep.Length < rowImage.Length);
            rowImage = [.. keep.Select(i => rowImage[i])];
            previous = [.. keep.Select(i => previous[i])];
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

    /// <summary>
    /// The state for the next step, moved out of <paramref name="stepScope"/>: h and c gathered at <paramref name="stateRows"/>;
    /// features and projection gathered at <paramref name="featureRows"/> only when rows were dropped (<paramref name="compact"/>).
    /// </summary>
    private static DecoderState Gather(TensorScope stepScope, DecoderState state, int[] stateRows, int[] featureRows, bool compact)
    {
        bool reorder = compact || stateRows.Where((r, i) => r != i).Any();
        var hidden = reorder ? Tensor.IndexSelect(state.Hidden, 0, stateRows) : state.Hidden;
        var cell = reorder ? Tensor.IndexSelect(state.Cell, 0, stateRows) : state.Cell;
        var features = compact && state.Features is not null ? stepScope.MoveToParent(Tensor.IndexSelect(state.Features, 0, featureRows)) : state.Features;
        var projected = compact && state.Projected is not null ? stepScope.MoveToParent(Tensor.IndexSelect(state.Projected, 0, featureRows)) : state.Projected;
        return new DecoderState(features, projected, stepScope.MoveToParent(hidden), stepScope.MoveToParent(cell));
    }

    /// <summary>A live beam's history (copied on extension; K and T are small).</summary>
    private sealed record BeamPath(int[] Tokens, float[][] Attention);

    private static IReadOnlyList<CaptionHypothesis> Beam(AttentionDecoder decoder, CaptionerConfig config, Tensor features, DecodeOptions options)
    {
        int images = features.Size(0), width = options.BeamSize;
        bool keepAttention = options.ReturnAttention && decoder.Attention is not null;
        // Rows come in groups of K per image still being decoded: row a·K + j is beam j of image activeImages[a].
        var activeImages = Enumerable.Range(0, images).ToArray();
        int rows = images * width;
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

        for (int step = 0; step < options.MaxLength && activeImages.Length > 0; step++)
        {
            using var stepScope = new TensorScope();
            var (logProbs, hidden, cell, alpha) = decoder.Step(previous, state);             // (N, V), (N, H), (N, H), (N, R)
            int vocab = logProbs.Size(1);
            int regions = alpha?.Size(1) ?? 0;
            var lp = logProbs.Data;
            if (options.SuppressUnknown) Suppress(lp, vocab, config.UnkId);
            var nextScore = new float[rows]; var nextPaths = new BeamPath[rows]; var nextPrevious = new int[rows]; var parent = new int[rows];
            for (int a = 0; a < activeImages.Length; a++)
            {
                int b = activeImages[a], first = a * width;
                for (int j = 0; j < width; j++)
                {
                    // Defaults: a dead slot keeps its own row and cannot be extended.
                    parent[first + j] = first + j; nextScore[first + j] = float.NegativeInfinity;
                    nextPaths[first + j] = empty; nextPrevious[first + j] = config.EndId;
                }
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
                if (finished[b].Count >= width || live == 0) done[b] = true;
            }

            // Keep the rows of images still running; each kept slot continues from its parent's state (one gather).
            var keptRows = Enumerable.Range(0, rows).Where(r => !done[activeImages[r / width]]).ToArray();
            bool compact = keptRows.Length < rows;
            state = Gather(stepScope, state with { Hidden = hidden, Cell = cell }, [.. keptRows.Select(r => parent[r])], keptRows, compact);
            activeImages = [.. activeImages.Where(b => !done[b])];
            score = [.. keptRows.Select(r => nextScore[r])];
            paths = [.. keptRows.Select(r => nextPaths[r])];
            previous = [.. keptRows.Select(r => nextPrevious[r])];
            rows = keptRows.Length;
        }

        // Images cut at MaxLength: their live beams join the candidates, unfinished.
        for (int a = 0; a < activeImages.Length; a++)
            for (int j = 0; j < width; j++)
            {
                int r = a * width + j;
                if (float.IsNegativeInfinity(score[r])) continue;
                finished[activeImages[a]].Add(new BeamCandidate(paths[r].Tokens, options.Normalise(score[r], paths[r].Tokens.Length), score[r], false,
                    keepAttention ? paths[r].Attention : null));
            }

        var result = new CaptionHypothesis[images];
        for (int b = 0; b < images; b++)
        {
            var candidates = finished[b];
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
    /// <summary>Makes token <paramref name="token"/> impossible in every row of (rows, vocab) log-probabilities.</summary>
    private static void Suppress(Span<float> logProbs, int vocab, int token)
    {
        for (int i = token; i < logProbs.Length; i += vocab) logProbs[i] = float.NegativeInfinity;
    }

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
