// Multi-step LSTM and GRU: forward against a per-sequence reference loop (each sequence run alone over
// its own valid steps, both directions, stacked layers), finite-difference gradients with lengths, and
// padding invariance: a sequence's outputs, final states and parameter gradients do not change with the
// amount (or content) of padding.
// Shape key: B = batch, T = time, I = input features, H = hidden size, D = directions, L = layers.
using Pipeline.Models.Nn.Recurrent;
using Pipeline.Models.Tensors;
using Pipeline.Models.Tests.Support;

namespace Pipeline.Models.Tests.Recurrent;

public class MultiStepTests
{
    private const int Batch = 2, Steps = 3, Input = 3, Hidden = 4;

    private static RecurrentLayer Make(bool lstm, RecurrentOptions options, ulong seed)
        => lstm ? new LSTM(options, new Generator(seed)) : new GRU(options, new Generator(seed));

    /// <summary>Output (B, T, D·H) and final hidden (L·D, B, H) of either layer type.</summary>
    private static (Tensor Output, Tensor Hidden, Tensor? Cell) Run(RecurrentLayer layer, Tensor input, int[]? lengths)
        => layer switch
        {
            LSTM l => l.Forward(input, lengths) is var (lo, lh, lc) ? (lo, lh, (Tensor?)lc) : default,
            GRU g => g.Forward(input, lengths) is var (o, h) ? (o, h, null) : default,
            _ => throw new InvalidOperationException(),
        };

    /// <summary>
    /// Reference: each sequence alone (batch of 1) over its own length, layer by layer, forward then reverse,
    /// with the textbook loops. Returns output (B, T, D·H) flattened and final h / c (L·D, B, H) flattened.
    /// </summary>
    private static (float[] Output, float[] Hidden, float[] Cell) Reference(bool lstm, RecurrentLayer layer, float[] input, int[] lengths, int steps)
    {
        var o = layer.Options; int d = o.Directions, h = o.HiddenSize, layers = o.NumLayers;
        var p = layer.NamedParameters().ToDictionary(n => n.Name, n => n.Tensor.ToArray());
        var output = new float[Batch * steps * d * h];
        var finalH = new float[layers * d * Batch * h]; var finalC = new float[layers * d * Batch * h];
        for (int b = 0; b < Batch; b++)
        {
            int len = lengths[b], width = o.InputSize;
            var seq = new float[len][];
            for (int t = 0; t < len; t++) seq[t] = input.AsSpan((b * steps + t) * o.InputSize, o.InputSize).ToArray();
            for (int l = 0; l < layers; l++)
            {
                var next = new float[len][];
                for (int t = 0; t < len; t++) next[t] = new float[d * h];
                for (int dir = 0; dir < d; dir++)
                {
                    string s = $"_l{l}" + (dir == 1 ? "_reverse" : "");
                    var hs = new float[h]; var cs = new float[h];
                    for (int k = 0; k < len; k++)
                    {
                        int t = dir == 0 ? k : len - 1 - k;
                        if (lstm) (hs, cs) = RecurrentReference.LstmStep(seq[t], hs, cs, p["weight_ih" + s], p["weight_hh" + s], p["bias_ih" + s], p["bias_hh" + s], 1, width, h);
                        else hs = RecurrentReference.GruStep(seq[t], hs, p["weight_ih" + s], p["weight_hh" + s], p["bias_ih" + s], p["bias_hh" + s], 1, width, h);
                        hs.CopyTo(next[t], dir * h);
                    }
                    hs.CopyTo(finalH, ((l * d + dir) * Batch + b) * h);
                    cs.CopyTo(finalC, ((l * d + dir) * Batch + b) * h);
                }
                seq = next; width = d * h;
            }
            for (int t = 0; t < len; t++) seq[t].CopyTo(output, (b * steps + t) * d * h);
        }
        return (output, finalH, finalC);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Forward_matches_per_sequence_reference_loops(bool lstm)
    {
        var layer = Make(lstm, new RecurrentOptions(Input, Hidden, NumLayers: 2, Bidirectional: true), 11);
        var input = Tensor.Randn(new Generator(12), [Batch, Steps, Input]);
        int[] lengths = [3, 2];
        var (output, hidden, cell) = Run(layer, input, lengths);
        Assert.Equal([Batch, Steps, 2 * Hidden], output.ShapeArray());
        Assert.Equal([4, Batch, Hidden], hidden.ShapeArray());
        var expected = Reference(lstm, layer, input.ToArray(), lengths, Steps);
        GradCheck.AssertClose(expected.Output, output.ToArray(), 1e-5f, 1e-4f);
        GradCheck.AssertClose(expected.Hidden, hidden.ToArray(), 1e-5f, 1e-4f);
        if (cell is not null) GradCheck.AssertClose(expected.Cell, cell.ToArray(), 1e-5f, 1e-4f);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Gradients_match_finite_differences_with_lengths(bool lstm)
    {
        var layer = Make(lstm, new RecurrentOptions(Input, Hidden, NumLayers: 2, Bidirectional: true), 21);
        var input = GradCheck.Param(new Generator(22), 1f, Batch, Steps, Input);
        int[] lengths = [3, 2];
        GradCheck.Check(_ =>
        {
            var (output, hidden, cell) = Run(layer, input, lengths);
            var parts = new List<Tensor> { output.Reshape(-1), hidden.Reshape(-1) };
            if (cell is not null) parts.Add(cell.Reshape(-1));
            return Tensor.Concat(parts, 0);
        }, [input, .. layer.Parameters()]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Padding_never_leaks_into_outputs_or_final_states(bool lstm)
    {
        var layer = Make(lstm, new RecurrentOptions(Input, Hidden, NumLayers: 2, Bidirectional: true), 31);
        int[] lengths = [5, 2, 4];
        const int batch = 3, shortT = 5, longT = 9;
        var g = new Generator(32);
        var real = Tensor.Randn(g, [batch, shortT, Input]).ToArray();
        // Fill each padded position with large garbage, different in the two layouts, so any leak shows.
        Tensor Padded(int steps, float garbage)
        {
            var data = new float[batch * steps * Input];
            for (int b = 0; b < batch; b++)
                for (int t = 0; t < steps; t++)
                    for (int i = 0; i < Input; i++)
                        data[(b * steps + t) * Input + i] = t < lengths[b] ? real[(b * shortT + t) * Input + i] : garbage * (1 + t + i);
            return Tensor.FromArray(data, batch, steps, Input);
        }
        // Parameter gradients of a loss over outputs and final states must not see the padding either.
        float[][] Gradients((Tensor Output, Tensor Hidden, Tensor? Cell) r)
        {
            layer.ZeroGrad();
            var loss = Tensor.SumAll(Tensor.Tanh(r.Output)) + Tensor.SumAll(r.Hidden * r.Hidden);
            if (r.Cell is not null) loss = loss + Tensor.SumAll(r.Cell);
            loss.Backward();
            return layer.Parameters().Select(p => p.Grad!.ToArray()).ToArray();
        }
        var run5 = Run(layer, Padded(shortT, 3f), lengths);
        var grads5 = Gradients(run5);
        var run9 = Run(layer, Padded(longT, -7f), lengths);
        var grads9 = Gradients(run9);
        for (int k = 0; k < grads5.Length; k++) GradCheck.AssertClose(grads5[k], grads9[k], 1e-6f, 1e-5f);
        var (o5, h5, c5) = run5;
        var (o9, h9, c9) = run9;

        // Outputs over the first 5 steps agree and everything past a sequence's length is exactly 0.
        int width = 2 * Hidden;
        var a = o5.ToArray(); var b9 = o9.ToArray();
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < longT; t++)
                for (int j = 0; j < width; j++)
                {
                    float v9 = b9[(b * longT + t) * width + j];
                    if (t >= lengths[b]) Assert.Equal(0f, v9);
                    if (t < shortT) Assert.True(MathF.Abs(a[(b * shortT + t) * width + j] - v9) <= 1e-6f, $"output b={b} t={t} j={j}");
                }
        GradCheck.AssertClose(h5.ToArray(), h9.ToArray(), 1e-6f, 0f);
        if (c5 is not null) GradCheck.AssertClose(c5.ToArray(), c9!.ToArray(), 1e-6f, 0f);

        // The short sequence alone (batch of 1, no padding) gives the same result as inside the padded batch.
        var alone = Tensor.FromArray(real.AsSpan(1 * shortT * Input, 2 * Input), 1, 2, Input);
        var (oAlone, hAlone, _) = Run(layer, alone, null);
        for (int t = 0; t < 2; t++)
            GradCheck.AssertClose(oAlone.ToArray().AsSpan(t * width, width), b9.AsSpan((1 * longT + t) * width, width), 1e-6f, 0f);
        var h9a = h9.ToArray();
        for (int k = 0; k < 4; k++)
            GradCheck.AssertClose(hAlone.ToArray().AsSpan(k * Hidden, Hidden), h9a.AsSpan((k * batch + 1) * Hidden, Hidden), 1e-6f, 0f);
    }

    [Fact]
    public void Parameter_names_follow_pytorch()
    {
        var lstm = new LSTM(new RecurrentOptions(Input, Hidden, NumLayers: 2, Bidirectional: true), new Generator(1));
        var names = lstm.NamedParameters().Select(p => p.Name).ToArray();
        Assert.Equal(
        [
            "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
            "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
            "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
            "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse",
        ], names);
        var shapes = lstm.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor.ShapeArray());
        Assert.Equal([4 * Hidden, Input], shapes["weight_ih_l0"]);
        Assert.Equal([4 * Hidden, 2 * Hidden], shapes["weight_ih_l1_reverse"]);
        var gru = new GRU(new RecurrentOptions(Input, Hidden), new Generator(1));
        Assert.Equal([3 * Hidden, Input], gru.NamedParameters().First().Tensor.ShapeArray());
    }

    [Fact]
    public void Time_major_layout_and_initial_state_agree_with_batch_first()
    {
        var options = new RecurrentOptions(Input, Hidden, Bidirectional: true);
        var batchFirst = new LSTM(options, new Generator(41));
        var timeMajor = new LSTM(options with { BatchFirst = false }, new Generator(41));
        var x = Tensor.Randn(new Generator(42), [Batch, Steps, Input]);
        var h0 = Tensor.Randn(new Generator(43), [2, Batch, Hidden]); var c0 = Tensor.Randn(new Generator(44), [2, Batch, Hidden]);
        var (o1, h1, c1) = batchFirst.Forward(x, [3, 1], (h0, c0));
        var (o2, h2, c2) = timeMajor.Forward(x.Transpose(0, 1), [3, 1], (h0, c0));
        Assert.Equal(o1.ToArray(), o2.Transpose(0, 1).ToArray());
        Assert.Equal(h1.ToArray(), h2.ToArray());
        Assert.Equal(c1.ToArray(), c2.ToArray());
        // A sequence of length 1 in the reverse direction starts from h0 at its only step.
        var (hZero, _) = FusedLstmCell.Forward(x.Narrow(0, 1, 1).Narrow(1, 0, 1).Reshape(1, Input),
            h0.Narrow(0, 1, 1).Narrow(1, 1, 1).Reshape(1, Hidden), c0.Narrow(0, 1, 1).Narrow(1, 1, 1).Reshape(1, Hidden),
            batchFirst.NamedParameters().First(p => p.Name == "weight_ih_l0_reverse").Tensor, batchFirst.NamedParameters().First(p => p.Name == "weight_hh_l0_reverse").Tensor,
            batchFirst.NamedParameters().First(p => p.Name == "bias_ih_l0_reverse").Tensor, batchFirst.NamedParameters().First(p => p.Name == "bias_hh_l0_reverse").Tensor);
        GradCheck.AssertClose(hZero.ToArray(), h1.Narrow(0, 1, 1).Narrow(1, 1, 1).ToArray(), 1e-6f, 0f);
    }

    [Fact]
    public void Dropout_applies_between_layers_only_in_training()
    {
        var layer = new GRU(new RecurrentOptions(Input, Hidden, NumLayers: 2, Dropout: 0.5f), new Generator(51));
        var x = Tensor.Randn(new Generator(52), [Batch, Steps, Input]);
        layer.Eval();
        var (e1, _) = layer.Forward(x); var (e2, _) = layer.Forward(x);
        Assert.Equal(e1.ToArray(), e2.ToArray());
        layer.Train();
        var (t1, _) = layer.Forward(x);
        Assert.NotEqual(e1.ToArray(), t1.ToArray());
    }

    [Fact]
    public void Invalid_arguments_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrentOptions(3, 4, NumLayers: 0).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrentOptions(3, 4, Dropout: 1f).Validate());
        var lstm = new LSTM(new RecurrentOptions(Input, Hidden), new Generator(1));
        Assert.Throws<ShapeMismatchException>(() => lstm.Forward(Tensor.Zeros(Batch, Steps, Input + 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => lstm.Forward(Tensor.Zeros(Batch, Steps, Input), [4, 1]));
    }
}
