// Base class of every layer and model, after TorchSharp's Module: parameters and buffers are
// registered by name, sub-modules compose, and the dotted names ("encoder.stage1.conv.weight") are
// the stable keys of checkpoints. Forward is an ordinary method on each concrete module.
using Pipeline.Models.Tensors;

namespace Pipeline.Models.Nn;

/// <summary>A neural-network component with named parameters, buffers and sub-modules.</summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor Tensor)> parameters = [];
    private readonly List<(string Name, Tensor Tensor)> buffers = [];
    private readonly List<(string Name, Module Module)> children = [];

    /// <summary>True in training mode (dropout active, batch-norm uses batch statistics).</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>
    /// Whether this module's parameters and buffers belong in checkpoints (default true). A frozen pretrained
    /// part whose weights are loaded from their own checksummed file sets it to false, so
    /// <see cref="StateDict"/> (what is saved and strictly loaded) leaves it out.
    /// </summary>
    public bool InCheckpoint { get; set; } = true;

    /// <summary>Registers a trainable tensor under <paramref name="name"/> and marks it as requiring grad.</summary>
    protected Tensor RegisterParameter(string name, Tensor tensor)
    {
        CheckName(name);
        tensor.RequiresGrad = true;
        tensor.Name ??= name;
        parameters.Add((name, tensor));
        return tensor;
    }

    /// <summary>Registers saved, non-trainable state (e.g. running statistics).</summary>
    protected Tensor RegisterBuffer(string name, Tensor tensor)
    {
        CheckName(name);
        buffers.Add((name, tensor));
        return tensor;
    }

    /// <summary>Registers a sub-module; its entries appear as <c>name.child</c>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        children.Add((name, module));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('.'))
            throw new ArgumentException($"'{name}' is not a valid module entry name (non-empty, no dots).");
        if (parameters.Any(p => p.Name == name) || buffers.Any(b => b.Name == name) || children.Any(c => c.Name == name))
            throw new ArgumentException($"'{name}' is already registered in {GetType().Name}.");
    }

    /// <summary>Every trainable parameter with its dotted name, in registration order.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedParameters(string prefix = "")
    {
        foreach (var (name, t) in parameters) yield return (prefix + name, t);
        foreach (var (name, m) in children)
            foreach (var entry in m.NamedParameters(prefix + name + ".")) yield return entry;
    }

    /// <summary>Every buffer with its dotted name.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedBuffers(string prefix = "")
    {
        foreach (var (name, t) in buffers) yield return (prefix + name, t);
        foreach (var (name, m) in children)
            foreach (var entry in m.NamedBuffers(prefix + name + ".")) yield return entry;
    }

    /// <summary>Direct sub-modules.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => children;

    /// <summary>Trainable parameters (frozen ones, with RequiresGrad cleared, are skipped).</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Tensor).Where(t => t.RequiresGrad);

    /// <summary>Parameters followed by buffers of every module in the checkpoint (see <see cref="InCheckpoint"/>): everything a checkpoint stores.</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in CheckpointEntries("", buffers: false)) state[name] = t;
        foreach (var (name, t) in CheckpointEntries("", buffers: true)) state[name] = t;
        return state;
    }

    private IEnumerable<(string Name, Tensor Tensor)> CheckpointEntries(string prefix, bool buffers)
    {
        if (!InCheckpoint) yield break;
        foreach (var (name, t) in buffers ? this.buffers : parameters) yield return (prefix + name, t);
        foreach (var (name, m) in children)
            foreach (var entry in m.CheckpointEntries(prefix + name + ".", buffers)) yield return entry;
    }

    /// <summary>
    /// Copies values into this module's parameters and buffers. Strict loading requires exactly the same
    /// names; every missing, unexpected or mis-shaped entry is listed in one exception.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        var own = StateDict();
        var problems = new List<string>();
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out var source)) { if (strict) problems.Add($"missing '{name}' (expected shape {TensorShape.Format(target.Shape)})"); continue; }
            if (!TensorShape.SameShape(source.Shape, target.Shape)) problems.Add($"'{name}': checkpoint shape {TensorShape.Format(source.Shape)}, model shape {TensorShape.Format(target.Shape)}");
        }
        if (strict)
            foreach (var name in state.Keys.Where(k => !own.ContainsKey(k))) problems.Add($"unexpected '{name}'");
        if (problems.Count > 0)
            throw new InvalidDataException($"state dict does not match {GetType().Name}: " + string.Join("; ", problems));
        foreach (var (name, target) in own)
            if (state.TryGetValue(name, out var source)) { source.Data.CopyTo(target.Data); target.MarkModified(); }
    }

    /// <summary>Switches this module and its children to training mode (a module may keep parts in evaluation mode, e.g. frozen batch-norm statistics).</summary>
    public virtual void Train(bool training = true)
    {
        IsTraining = training;
        foreach (var (_, m) in children) m.Train(training);
    }

    /// <summary>Switches to evaluation mode.</summary>
    public void Eval() => Train(false);

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, t) in NamedParameters()) t.ZeroGrad();
    }

    /// <summary>Total number of parameter elements.</summary>
    public long ParameterCount() => NamedParameters().Sum(p => (long)p.Tensor.Length);
}
