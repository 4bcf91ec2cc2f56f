// Deterministic memory for training and inference loops: every op result created while a scope is
// active on this thread is disposed (its buffer pooled) when the scope ends, so a steady-state step
// allocates nothing. Results that must outlive the scope call Keep(). The end of an outermost scope marks
// a step for the BufferPool, which keeps about one step's worth of idle buffers.
namespace Pipeline.Models.Tensors;

/// <summary>Collects op results created on this thread and disposes them at the end of a <c>using</c> block.</summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? current;
    private readonly TensorScope? parent;
    private readonly List<Tensor> owned = new(256);
    private bool ended;

    /// <summary>Opens a scope nested in the current one.</summary>
    public TensorScope()
    {
        parent = current;
        current = this;
    }

    internal static void Track(Tensor t)
    {
        var scope = current;
        if (scope is null) return;
        t.Owner = scope;
        scope.owned.Add(t);
    }

    /// <summary>Hands <paramref name="tensor"/> to the enclosing scope (or to nobody) so it survives this one.</summary>
    public Tensor MoveToParent(Tensor tensor)
    {
        if (tensor.Owner == this)
        {
            tensor.Owner = parent;
            parent?.owned.Add(tensor);
        }
        return tensor;
    }

    /// <summary>Disposes every tensor still owned by this scope.</summary>
    public void Dispose()
    {
        if (ended) return;
        ended = true;
        if (current != this) throw new InvalidOperationException("TensorScope disposed out of order (scopes must nest on one thread).");
        current = parent;
        foreach (var t in owned)
            if (t.Owner == this) t.Dispose();
        owned.Clear();
        // An outermost scope is one step of a loop: the pool sizes its idle budget from such steps.
        if (parent is null) BufferPool.EndOfStep();
    }
}
