// Base of every first-order optimizer: parameter groups (each with its own learning rate and weight
// decay), the NoGrad in-place update loop, and exact save/restore of the per-parameter state so that
// training can resume bit-exactly (same state buffers, same step counters, same learning rates).
//
// Memory: state buffers (momentum, moments) are created once, on the first step that sees a gradient
// for a parameter; two scratch arrays sized to the largest parameter are reused by every update, so
// a step allocates nothing after the first.
//
// Shape key: every state buffer has the shape of its parameter.
using System.Globalization;
using Pipeline.Models.Autograd;
using Pipeline.Models.Tensors;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Pipeline.Models.Optim;

/// <summary>A set of parameters sharing a learning rate and weight decay.</summary>
public sealed class ParameterGroup
{
    /// <summary>Creates a group; the learning rate and weight decay must be finite and non-negative.</summary>
    public ParameterGroup(IEnumerable<Tensor> parameters, double learningRate, double weightDecay = 0)
    {
        Parameters = parameters.ToArray();
        if (!double.IsFinite(learningRate) || learningRate < 0) throw new ArgumentOutOfRangeException(nameof(learningRate), $"learning rate must be finite and >= 0, got {learningRate}");
        if (!double.IsFinite(weightDecay) || weightDecay < 0) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"weight decay must be finite and >= 0, got {weightDecay}");
        LearningRate = learningRate;
        WeightDecay = weightDecay;
    }

    /// <summary>The tensors updated by this group.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>Current learning rate (schedules change it).</summary>
    public double LearningRate { get; set; }

    /// <summary>Weight-decay coefficient (its meaning — L2 or decoupled — depends on the optimizer).</summary>
    public double WeightDecay { get; }
}

/// <summary>Everything needed to resume an optimizer: named state tensors, step counters and group learning rates.</summary>
/// <param name="Kind">The optimizer type name; loading into another type is rejected.</param>
/// <param name="Tensors">State buffers named <c>{group}.{index}.{kind}</c> (e.g. <c>0.3.exp_avg</c>).</param>
/// <param name="Counters">Integer counters: <c>step</c> (total steps) and per-parameter <c>{group}.{index}.step</c>.</param>
/// <param name="LearningRates">Current learning rate of each group.</param>
public sealed record OptimizerState(
    string Kind,
    IReadOnlyDictionary<string, Tensor> Tensors,
    IReadOnlyDictionary<string, long> Counters,
    IReadOnlyList<double> LearningRates)
{
    /// <summary>Encodes the non-tensor part as string metadata (for a safetensors <c>__metadata__</c> block).</summary>
    public Dictionary<string, string> ToMetadata()
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal) { ["optimizer"] = Kind, ["groups"] = LearningRates.Count.ToString(CultureInfo.InvariantCulture) };
        for (int g = 0; g < LearningRates.Count; g++) meta[$"lr.{g}"] = LearningRates[g].ToString("R", CultureInfo.InvariantCulture);
        foreach (var (name, value) in Counters) meta[$"counter.{name}"] = value.ToString(CultureInfo.InvariantCulture);
        return meta;
    }

    /// <summary>Rebuilds a state from tensors plus metadata written by <see cref="ToMetadata"/>.</summary>
    public static OptimizerState FromMetadata(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata, string source)
    {
        string Get(string key) => metadata.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"{source}: optimizer metadata lacks '{key}'");
        var kind = Get("optimizer");
        if (!int.TryParse(Get("groups"), NumberStyles.None, CultureInfo.InvariantCulture, out int groups) || groups < 0)
            throw new InvalidDataException($"{source}: optimizer metadata 'groups' is not a non-negative integer");
        var rates = new double[groups];
        for (int g = 0; g < groups; g++)
            if (!double.TryParse(Get($"lr.{g}"), NumberStyles.Float, CultureInfo.InvariantCulture, out rates[g]))
                throw new InvalidDataException($"{source}: optimizer metadata 'lr.{g}' is not a number");
        var counters = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, value) in metadata)
        {
            if (!key.StartsWith("counter.", StringComparison.Ordinal)) continue;
            if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n))
                throw new InvalidDataException($"{source}: optimizer metadata '{key}' is not an integer");
            counters[key["counter.".Length..]] = n;
        }
        return new OptimizerState(kind, tensors, counters, rates);
    }
}

/// <summary>Base class of optimizers: groups, <see cref="Step"/>, <see cref="ZeroGrad"/> and exact state save/restore.</summary>
public abstract class Optimizer
{
    private readonly ParameterGroup[] groups;
    // Keyed by (group, index, kind) so that a lookup allocates nothing (kinds are string literals).
    private readonly Dictionary<(int Group, int Index, string Kind), Tensor> state = [];
    private readonly long[][] parameterSteps;
    private float[] scratchA = [], scratchB = [];

    /// <summary>Creates an optimizer over the given groups.</summary>
    protected Optimizer(IEnumerable<ParameterGroup> parameterGroups)
    {
        groups = parameterGroups.ToArray();
        if (groups.Length == 0) throw new ArgumentException("an optimizer needs at least one parameter group", nameof(parameterGroups));
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var g in groups)
            foreach (var p in g.Parameters)
                if (!seen.Add(p)) throw new ArgumentException($"parameter '{p.Name ?? "(unnamed)"}' appears in more than one group or twice in a group");
        parameterSteps = groups.Select(g => new long[g.Parameters.Count]).ToArray();
    }

    /// <summary>The parameter groups.</summary>
    public IReadOnlyList<ParameterGroup> Groups => groups;

    /// <summary>Number of completed <see cref="Step"/> calls.</summary>
    public long StepCount { get; private set; }

    /// <summary>Learning rate of the first group; setting it sets every group.</summary>
    public double LearningRate
    {
        get => groups[0].LearningRate;
        set
        {
            if (!double.IsFinite(value) || value < 0) throw new ArgumentOutOfRangeException(nameof(value), $"learning rate must be finite and >= 0, got {value}");
            foreach (var g in groups) g.LearningRate = value;
        }
    }

    /// <summary>Clears the gradient of every parameter (buffers are kept).</summary>
    public void ZeroGrad()
    {
        foreach (var g in groups)
            foreach (var p in g.Parameters) p.ZeroGrad();
    }

    /// <summary>Applies one update to every parameter that has a gradient.</summary>
    public void Step()
    {
        using var _ = GradMode.NoGrad();
        StepCount++;
        for (int gi = 0; gi < groups.Length; gi++)
        {
            var group = groups[gi];
            for (int pi = 0; pi < group.Parameters.Count; pi++)
            {
                var p = group.Parameters[pi];
                if (p.Grad is null) continue;
                if (p.Grad.Length != p.Length) throw new InvalidOperationException($"parameter '{p.Name}' has {p.Length} elements but its gradient has {p.Grad.Length}");
                long step = ++parameterSteps[gi][pi];
                Update(new ParameterSlot(this, gi, pi, p), group, step);
                p.MarkModified();
            }
        }
    }

    /// <summary>Updates one parameter in place. <paramref name="step"/> counts this parameter's updates, from 1.</summary>
    protected abstract void Update(ParameterSlot slot, ParameterGroup group, long step);

    /// <summary>Identifies one parameter during an update and gives access to its state and scratch space.</summary>
    protected readonly struct ParameterSlot
    {
        private readonly Optimizer owner;
        private readonly int group, index;

        internal ParameterSlot(Optimizer owner, int group, int index, Tensor parameter)
        {
            this.owner = owner; this.group = group; this.index = index; Parameter = parameter;
        }

        /// <summary>The parameter being updated.</summary>
        public Tensor Parameter { get; }

        /// <summary>The parameter's values (updated in place).</summary>
        public Span<float> Data => Parameter.Data;

        /// <summary>The parameter's gradient.</summary>
        public ReadOnlySpan<float> Grad => Parameter.Grad!.Data;

        /// <summary>
        /// The named state buffer of this parameter, created zero-filled on first use;
        /// <paramref name="created"/> tells the caller when it is new (e.g. momentum initialised from the gradient).
        /// </summary>
        public Span<float> State(string kind, out bool created)
        {
            var key = (group, index, kind);
            created = !owner.state.TryGetValue(key, out var t);
            if (created) { t = Tensor.Zeros(Parameter.ShapeArray()); owner.state[key] = t; }
            return t!.Data;
        }

        /// <summary>
        /// The gradient with coupled L2 weight decay, ∇ + λ·p (torch.optim's <c>weight_decay</c>): the gradient itself
        /// when λ is 0, else the sum written into <see cref="ScratchA"/>, which must not be reused while the result is read.
        /// </summary>
        public ReadOnlySpan<float> GradWithWeightDecay(float weightDecay)
        {
            if (weightDecay == 0)
                return Grad;
            var decayed = ScratchA;
            TP.MultiplyAdd(Data, weightDecay, Grad, decayed);   // ∇ + λ·p
            return decayed;
        }

        /// <summary>First reusable scratch span with the parameter's length (contents undefined).</summary>
        public Span<float> ScratchA => Scratch(ref owner.scratchA, Parameter.Length);

        /// <summary>Second reusable scratch span with the parameter's length (contents undefined).</summary>
        public Span<float> ScratchB => Scratch(ref owner.scratchB, Parameter.Length);

        private static Span<float> Scratch(ref float[] buffer, int length)
        {
            if (buffer.Length < length) buffer = new float[length];
            return buffer.AsSpan(0, length);
        }
    }

    /// <summary>
    /// A snapshot (deep copies) of the state: buffers, step counters and group learning rates. As in PyTorch,
    /// state is keyed by position (group, index), so restore it into an optimizer built over the same
    /// parameters in the same order; shapes are checked on load.
    /// </summary>
    public OptimizerState GetState()
    {
        var tensors = state.ToDictionary(kv => $"{kv.Key.Group}.{kv.Key.Index}.{kv.Key.Kind}", kv => kv.Value.Clone(), StringComparer.Ordinal);
        var counters = new Dictionary<string, long>(StringComparer.Ordinal) { ["step"] = StepCount };
        for (int g = 0; g < groups.Length; g++)
            for (int p = 0; p < parameterSteps[g].Length; p++)
                if (parameterSteps[g][p] != 0) counters[$"{g}.{p}.step"] = parameterSteps[g][p];
        return new OptimizerState(GetType().Name, tensors, counters, groups.Select(g => g.LearningRate).ToArray());
    }

    /// <summary>
    /// Restores a state captured by <see cref="GetState"/>. Everything is validated first (optimizer type, group
    /// count, names, shapes, counters); on any mismatch nothing is changed and one exception lists the problems.
    /// </summary>
    public void LoadState(OptimizerState saved)
    {
        ArgumentNullException.ThrowIfNull(saved);
        var problems = new List<string>();
        if (saved.Kind != GetType().Name) problems.Add($"state was saved by {saved.Kind}, this optimizer is {GetType().Name}");
        if (saved.LearningRates.Count != groups.Length) problems.Add($"state has {saved.LearningRates.Count} groups, optimizer has {groups.Length}");
        foreach (var rate in saved.LearningRates)
            if (!double.IsFinite(rate) || rate < 0) problems.Add($"learning rate {rate} is not finite and >= 0");
        var parsed = new List<((int, int, string) Key, Tensor Tensor)>();
        var steps = groups.Select(g => new long[g.Parameters.Count]).ToArray();
        long total = 0;
        foreach (var (name, value) in saved.Counters)
        {
            if (value < 0) { problems.Add($"counter '{name}' is negative"); continue; }
            if (name == "step") { total = value; continue; }
            if (TryParseSlot(name, "step", out int g, out int p)) steps[g][p] = value;
            else problems.Add($"unexpected counter '{name}'");
        }
        foreach (var (name, tensor) in saved.Tensors)
        {
            int dot = name.LastIndexOf('.');
            if (dot < 0 || !TryParseSlot(name, name[(dot + 1)..], out int g, out int p)) { problems.Add($"unexpected state tensor '{name}'"); continue; }
            parsed.Add(((g, p, name[(dot + 1)..]), tensor));
            var param = groups[g].Parameters[p];
            if (!TensorShape.SameShape(tensor.Shape, param.Shape))
                problems.Add($"state tensor '{name}' has shape {TensorShape.Format(tensor.Shape)}, parameter has {TensorShape.Format(param.Shape)}");
        }
        if (problems.Count > 0) throw new InvalidDataException($"cannot load optimizer state into {GetType().Name}: " + string.Join("; ", problems));

        state.Clear();
        foreach (var (key, tensor) in parsed) state[key] = tensor.Clone();
        for (int g = 0; g < groups.Length; g++)
        {
            steps[g].CopyTo(parameterSteps[g], 0);
            groups[g].LearningRate = saved.LearningRates[g];
        }
        StepCount = total;
    }

    // Parses "{group}.{index}.{suffix}" and checks the slot exists.
    private bool TryParseSlot(string name, string suffix, out int group, out int index)
    {
        group = index = -1;
        var parts = name.Split('.');
        if (parts.Length != 3 || parts[2] != suffix || suffix.Length == 0) return false;
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out group) ||
            !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out index)) return false;
        return group < groups.Length && index < groups[group].Parameters.Count;
    }
}
