// The time loop shared by the multi-step LSTM and GRU: layers × directions × steps, variable lengths,
// inter-layer dropout, and PyTorch's parameter naming (weight_ih_l{k}[_reverse], ...).
//
// Length masking (why padding never leaks): at step t, row b is "valid" when t < lengths[b]. For invalid
// rows the new state is discarded (SelectRows keeps the old one bit-for-bit) and the output is 0. The forward
// direction therefore ends each sequence with the state of its last valid step, and the reverse
// direction, which walks t = T−1 … 0, keeps its initial state through the padding and so starts at
// each sequence's own last valid step. Outputs and final states of a sequence are then independent of
// how much padding follows it.
// Shape key: B = batch, T = time, I = input features, H = hidden size, D = directions, L = layers,
// S = state tensors per cell (1 for GRU: h; 2 for LSTM: h, c).
using Pipeline.Models.Init;
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn.Recurrent;

/// <summary>Base of <see cref="LSTM"/> and <see cref="GRU"/>: runs a cell over time, layers and directions.</summary>
public abstract class RecurrentLayer : Module
{
    private readonly Generator dropoutGenerator;
    private readonly Tensor[][] layerParameters;   // [l·D + d] → (W_ih, W_hh, b_ih, b_hh)

    /// <summary>Registers parameters for every layer and direction; <paramref name="gateCount"/> is 4 for LSTM, 3 for GRU.</summary>
    private protected RecurrentLayer(RecurrentOptions options, int gateCount, Generator generator)
    {
        Options = options.Validate();
        // Draw dropout masks from the caller's generator (not a private one) so a trainer that saves that
        // generator's state resumes with exactly the same masks.
        dropoutGenerator = generator;
        int hidden = options.HiddenSize, directions = options.Directions;
        layerParameters = new Tensor[options.NumLayers * directions][];
        for (int layer = 0; layer < options.NumLayers; layer++)
        {
            int inputSize = layer == 0 ? options.InputSize : directions * hidden;
            for (int d = 0; d < directions; d++)
            {
                string suffix = $"_l{layer}" + (d == 1 ? "_reverse" : "");
                layerParameters[layer * directions + d] =
                [
                    RegisterParameter("weight_ih" + suffix, Initializers.DefaultUniform(generator, [gateCount * hidden, inputSize], hidden)),   // (G·H, I)
                    RegisterParameter("weight_hh" + suffix, Initializers.DefaultUniform(generator, [gateCount * hidden, hidden], hidden)),      // (G·H, H)
                    RegisterParameter("bias_ih" + suffix, Initializers.DefaultUniform(generator, [gateCount * hidden], hidden)),                // (G·H)
                    RegisterParameter("bias_hh" + suffix, Initializers.DefaultUniform(generator, [gateCount * hidden], hidden)),                // (G·H)
                ];
            }
        }
    }

    /// <summary>The layer's configuration.</summary>
    public RecurrentOptions Options { get; }

    /// <summary>Number of state tensors per cell S (LSTM: h and c; GRU: h).</summary>
    private protected abstract int StateCount { get; }

    /// <summary>
    /// One cell step from the precomputed input gates x·W_ihᵀ + b_ih (B, G·H) and the S states (B, H) → the new S
    /// states; element 0 is the output h.
    /// </summary>
    private protected abstract Tensor[] Step(Tensor inputGates, Tensor[] state, Tensor weightHh, Tensor biasHh);

    /// <summary>
    /// Runs the stack. <paramref name="input"/> is (B, T, I) (or (T, B, I) without BatchFirst); <paramref name="lengths"/>
    /// (B) gives each sequence's valid prefix (null: all T); <paramref name="initialState"/> holds S tensors of
    /// shape (L·D, B, H) (null: zeros). Returns the output (B, T, D·H) (zero past each length) and the final
    /// states, S tensors of shape (L·D, B, H) ordered like PyTorch (layer-major, forward before reverse).
    /// </summary>
    private protected (Tensor Output, Tensor[] Final) Run(Tensor input, int[]? lengths, Tensor[]? initialState)
    {
        string op = GetType().Name.ToLowerInvariant();
        if (input.Rank != 3 || input.Size(2) != Options.InputSize)
            throw new ShapeMismatchException(op, $"input {TensorShape.Format(input.Shape)} is not {(Options.BatchFirst ? "(B, T, " : "(T, B, ")}{Options.InputSize})");
        var timeMajor = Options.BatchFirst ? input.Transpose(0, 1) : input;     // (T, B, I)
        int steps = timeMajor.Size(0), batch = timeMajor.Size(1), hidden = Options.HiddenSize, directions = Options.Directions;
        int layersTimesDirections = Options.NumLayers * directions;
        if (steps == 0 || batch == 0) throw new ShapeMismatchException(op, $"input {TensorShape.Format(input.Shape)} has no time steps or no sequences");

        lengths ??= Enumerable.Repeat(steps, batch).ToArray();
        if (lengths.Length != batch) throw new ArgumentException($"{op}: {lengths.Length} lengths for a batch of {batch}.", nameof(lengths));
        foreach (var len in lengths)
            if (len < 0 || len > steps) throw new ArgumentOutOfRangeException(nameof(lengths), $"{op}: length {len} outside [0, {steps}].");
        if (initialState is not null)
        {
            if (initialState.Length != StateCount) throw new ArgumentException($"{op}: expected {StateCount} initial state tensors, got {initialState.Length}.", nameof(initialState));
            foreach (var s in initialState)
                if (s.Rank != 3 || s.Size(0) != layersTimesDirections || s.Size(1) != batch || s.Size(2) != hidden)
                    throw new ShapeMismatchException(op, $"initial state {TensorShape.Format(s.Shape)} is not ({layersTimesDirections}, {batch}, {hidden})");
        }

        // valid[t][b]: row b is still inside its sequence at step t.
        var valid = new bool[steps][];
        for (int t = 0; t < steps; t++)
        {
            valid[t] = new bool[batch];
            for (int b = 0; b < batch; b++) valid[t][b] = t < lengths[b];
        }
        // Scope-owned (pooled and returned with the step's other results): a factory Zeros here cost a fresh buffer every call.
        var zeroOutput = Tensor.ZerosTracked([batch, hidden]);                   // (B, H)

        var finals = new Tensor[StateCount][];
        for (int s = 0; s < StateCount; s++) finals[s] = new Tensor[layersTimesDirections];
        var layerInput = timeMajor;                                               // (T, B, I) then (T, B, D·H)
        for (int layer = 0; layer < Options.NumLayers; layer++)
        {
            var directionOutputs = new Tensor[directions];
            for (int d = 0; d < directions; d++)
            {
                int index = layer * directions + d;
                var p = layerParameters[index];
                var state = new Tensor[StateCount];
                for (int s = 0; s < StateCount; s++)
                    state[s] = initialState is null ? zeroOutput : initialState[s].Narrow(0, index, 1).Reshape(batch, hidden);
                // The input half of every gate for all T steps in one GEMM; only h·W_hhᵀ stays in the loop.
                var projected = Tensor.MatMul(layerInput, p[0], transposeB: true) + p[2];          // (T, B, G·H)
                int gateWidth = projected.Size(2);
                var outputs = new Tensor[steps];
                for (int k = 0; k < steps; k++)
                {
                    int t = d == 0 ? k : steps - 1 - k;
                    var gates = projected.Narrow(0, t, 1).Reshape(batch, gateWidth);                 // (B, G·H)
                    var next = Step(gates, state, p[1], p[3]);
                    bool allValid = Array.TrueForAll(valid[t], v => v);
                    for (int s = 0; s < StateCount; s++) state[s] = allValid ? next[s] : SelectRows(valid[t], next[s], state[s]);
                    outputs[t] = allValid ? next[0] : SelectRows(valid[t], next[0], zeroOutput);   // (B, H)
                }
                for (int s = 0; s < StateCount; s++) finals[s][index] = state[s];
                directionOutputs[d] = Tensor.Stack(outputs, 0);                                  // (T, B, H)
            }
            layerInput = directions == 1 ? directionOutputs[0] : Tensor.Concat(directionOutputs, 2);   // (T, B, D·H)
            if (layer < Options.NumLayers - 1 && IsTraining && Options.Dropout > 0f) layerInput = ApplyDropout(layerInput);
        }

        var output = Options.BatchFirst ? layerInput.Transpose(0, 1) : layerInput;  // (B, T, D·H)
        var final = new Tensor[StateCount];
        for (int s = 0; s < StateCount; s++) final[s] = Tensor.Stack(finals[s], 0);  // (L·D, B, H)
        return (output, final);
    }

    /// <summary>Inverted dropout: zero each element with probability p and scale survivors by 1/(1 − p).</summary>
    private Tensor ApplyDropout(Tensor x)
    {
        float keep = 1f - Options.Dropout;
        var mask = new float[x.Length];
        for (int i = 0; i < mask.Length; i++) mask[i] = dropoutGenerator.NextFloat() < keep ? 1f / keep : 0f;
        return x * Tensor.FromArray(mask, x.ShapeArray());
    }

    /// <summary>
    /// Row-wise select: row b of the result is row b of <paramref name="chosen"/> where <paramref name="rows"/>[b], else of
    /// <paramref name="otherwise"/> (both (B, H)); the gradient goes to the row's source. A lean Where for the length mask.
    /// </summary>
    private static Tensor SelectRows(bool[] rows, Tensor chosen, Tensor otherwise)
    {
        int batch = rows.Length, width = chosen.Size(1);
        var y = Tensor.Uninitialized([batch, width]);                       // (B, H)
        var yd = y.Data; var cd = chosen.Data; var od = otherwise.Data;
        for (int b = 0; b < batch; b++)
            (rows[b] ? cd : od).Slice(b * width, width).CopyTo(yd.Slice(b * width, width));
        return y.Record("select_rows", [chosen, otherwise], g =>
        {
            var gd = g.Data;
            for (int b = 0; b < batch; b++)
            {
                var source = rows[b] ? chosen : otherwise;
                if (!source.RequiresGrad) continue;
                var dst = source.GradBuffer().Slice(b * width, width);
                System.Numerics.Tensors.TensorPrimitives.Add(dst, gd.Slice(b * width, width), dst);
            }
        });
    }
}
