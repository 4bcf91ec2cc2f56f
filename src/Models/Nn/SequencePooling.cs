// Masked pooling over time for padded batches of sequences (Collobert et al. 2011 max-over-time;
// Kalchbrenner et al. 2014 k-max pooling). Position t of sequence b takes part only when
// t < lengths[b], so padding can never win, whatever its value.
//   MaxOverTime:  y[b, c]    = max_{t < len_b} x[b, t, c]
//   KMaxOverTime: y[b, j, c] = the k largest x[b, t, c] over t < len_b, in their original time order;
//                 slots beyond len_b (short sequences) are 0 and get no gradient.
// Gradients flow only to the selected positions. An empty sequence (length 0) yields 0.
// Shapes: B = batch, T = time, C = channels; x (B, T, C) or (B, C, T) per SequenceLayout;
// y (B, C) for max; (B, k, C) or (B, C, k) (same layout as x) for k-max.
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn;

/// <summary>Where the time axis sits in a (batch, ·, ·) sequence tensor.</summary>
public enum SequenceLayout
{
    /// <summary>(B, T, C): recurrent/embedding outputs.</summary>
    BatchTimeChannels,

    /// <summary>(B, C, T): Conv1d outputs.</summary>
    BatchChannelsTime,
}

public static partial class Functional
{
    /// <summary>Max over the first lengths[b] time steps of each sequence → (B, C).</summary>
    public static Tensor MaxOverTime(Tensor input, ReadOnlySpan<int> lengths, SequenceLayout layout = SequenceLayout.BatchTimeChannels)
    {
        var y = KMaxCore("max_over_time", input, 1, lengths, layout);
        return y.Reshape(input.Shape[0], -1);
    }

    /// <summary>The k largest values of each channel over the first lengths[b] steps, kept in time order.</summary>
    public static Tensor KMaxOverTime(Tensor input, int k, ReadOnlySpan<int> lengths, SequenceLayout layout = SequenceLayout.BatchTimeChannels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return KMaxCore("k_max_over_time", input, k, lengths, layout);
    }

    private static Tensor KMaxCore(string op, Tensor input, int k, ReadOnlySpan<int> lengths, SequenceLayout layout)
    {
        if (input.Rank != 3) throw new ShapeMismatchException(op, $"input {TensorShape.Format(input.Shape)} must be rank 3 ({layout})");
        bool timeFirst = layout == SequenceLayout.BatchTimeChannels;
        int b = input.Shape[0], t = input.Shape[timeFirst ? 1 : 2], c = input.Shape[timeFirst ? 2 : 1];
        if (lengths.Length != b) throw new ShapeMismatchException(op, $"{lengths.Length} lengths for a batch of {b}");
        for (int i = 0; i < b; i++)
            if ((uint)lengths[i] > (uint)t) throw new ArgumentOutOfRangeException(nameof(lengths), $"{op}: length {lengths[i]} of sequence {i} is outside [0, {t}].");
        if (k > t) throw new ArgumentOutOfRangeException(nameof(k), $"{op}: k = {k} exceeds the {t} time steps.");

        // Element strides: index(b, t, c) = b·T·C + t·timeStride + c·channelStride.
        int timeStride = timeFirst ? c : 1, channelStride = timeFirst ? 1 : t;
        int outTimeStride = timeFirst ? c : 1, outChannelStride = timeFirst ? 1 : k;
        var sources = new int[b * k * c];                                          // flat input index per output, −1 = empty slot
        var y = Tensor.Uninitialized(timeFirst ? [b, k, c] : [b, c, k]);
        var x = input.Data; var yd = y.Data;
        var picked = new int[k];
        if (k == 1 && timeFirst)
        {
            // (B, T, C) max over time: the channels of one step are contiguous, so a running max and argmax
            // across the steps is one SIMD pass over the data instead of C strided scalar scans.
            for (int bi = 0; bi < b; bi++)
                RunningMaxOverRows(x.Slice(bi * t * c, t * c), lengths[bi], c, bi * t * c, yd.Slice(bi * c, c), sources.AsSpan(bi * c, c));
        }
        else for (int bi = 0; bi < b; bi++)
        {
            int len = lengths[bi];
            for (int ch = 0; ch < c; ch++)
            {
                int baseIn = bi * t * c + ch * channelStride;
                int count = Math.Min(k, len);
                if (k == 1)
                {
                    // Plain max over time (the common case): one scan, SIMD when time is the contiguous axis.
                    if (count == 1) picked[0] = timeStride == 1 ? System.Numerics.Tensors.TensorPrimitives.IndexOfMax(x.Slice(baseIn, len)) : StridedArgMax(x, baseIn, len, timeStride);
                }
                // Selection of the top `count` steps: repeatedly take the best unpicked step (k is small).
                else for (int j = 0; j < count; j++)
                {
                    int best = -1;
                    for (int s = 0; s < len; s++)
                    {
                        if (j > 0 && Array.IndexOf(picked, s, 0, j) >= 0) continue;   // max pooling (k = 1) skips the search
                        if (best < 0 || x[baseIn + s * timeStride] > x[baseIn + best * timeStride]) best = s;
                    }
                    picked[j] = best;
                }
                Array.Sort(picked, 0, count);                                       // restore time order
                for (int j = 0; j < k; j++)
                {
                    int o = bi * k * c + j * outTimeStride + ch * outChannelStride;
                    if (j < count) { sources[o] = baseIn + picked[j] * timeStride; yd[o] = x[sources[o]]; }
                    else { sources[o] = -1; yd[o] = 0f; }
                }
            }
        }
        return y.Record(op, [input], g =>
        {
            var gx = input.GradBuffer(); var gd = g.Data;
            for (int o = 0; o < sources.Length; o++)
                if (sources[o] >= 0) gx[sources[o]] += gd[o];
        });
    }

    /// <summary>
    /// For each of <paramref name="channels"/> columns of the first <paramref name="steps"/> rows of <paramref name="rows"/>
    /// (row-major, <paramref name="channels"/> wide): the largest value and the flat index (<paramref name="indexBase"/> +
    /// row·channels + column) of its first occurrence; empty sequences give 0 and index −1.
    /// </summary>
    private static void RunningMaxOverRows(ReadOnlySpan<float> rows, int steps, int channels, int indexBase, Span<float> max, Span<int> source)
    {
        if (steps == 0)
        {
            max.Clear();
            source.Fill(-1);
            return;
        }
        rows[..channels].CopyTo(max);
        for (int ch = 0; ch < channels; ch++) source[ch] = indexBase + ch;
        int w = System.Numerics.Vector<float>.Count, vectorEnd = channels - channels % w;
        Span<int> lane = stackalloc int[w];
        for (int i = 0; i < w; i++) lane[i] = i;
        var lanes = new System.Numerics.Vector<int>(lane);
        for (int step = 1; step < steps; step++)
        {
            var row = rows.Slice(step * channels, channels);
            int rowBase = indexBase + step * channels;
            for (int ch = 0; ch < vectorEnd; ch += w)
            {
                var value = new System.Numerics.Vector<float>(row[ch..]);
                var best = new System.Numerics.Vector<float>(max[ch..]);
                var greater = System.Numerics.Vector.GreaterThan(value, best);   // strict: the first maximum wins
                System.Numerics.Vector.ConditionalSelect(greater, value, best).CopyTo(max[ch..]);
                var index = new System.Numerics.Vector<int>(rowBase + ch) + lanes;
                System.Numerics.Vector.ConditionalSelect(greater, index, new System.Numerics.Vector<int>(source[ch..])).CopyTo(source[ch..]);
            }
            for (int ch = vectorEnd; ch < channels; ch++)
                if (row[ch] > max[ch]) { max[ch] = row[ch]; source[ch] = rowBase + ch; }
        }
    }

    /// <summary>First index of the largest of <paramref name="length"/> values spaced <paramref name="stride"/> apart.</summary>
    private static int StridedArgMax(ReadOnlySpan<float> x, int start, int length, int stride)
    {
        int best = 0;
        float bestValue = x[start];
        for (int s = 1; s < length; s++)
        {
            float v = x[start + s * stride];
            if (v > bestValue) { bestValue = v; best = s; }
        }
        return best;
    }
}
