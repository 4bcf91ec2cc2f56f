// The lifetime of a loaded model inside ImageCaptioner and TextClassifier: its parameter and buffer tensors
// are rented from the engine's BufferPool, and Dispose hands them back. Both classes are shared by concurrent
// callers, so a Dispose that races a running forward pass must not pull the weights from under it: every call
// holds a use (a counter), Dispose only marks the lease, and whoever ends last — the disposer or the last call
// in flight — releases the tensors, exactly once. A call that starts after Dispose throws ObjectDisposedException.
// Ordering: Use increments before it reads the flag, Dispose sets the flag before it reads the counter
// (Interlocked, so both are full fences): at least one of the two sees the other.
using Pipeline.Models.Nn;

namespace Pipeline.ModelFiles;

/// <summary>Counts the calls using a loaded model and releases its tensors after disposal, when the last call ends.</summary>
internal sealed class ModelLease(Module model) : IDisposable
{
    private int uses, disposed, released;

    /// <summary>True once <see cref="Dispose"/> was called (the weights may still be in use by calls in flight).</summary>
    public bool IsDisposed => Volatile.Read(ref disposed) != 0;

    /// <summary>True once the tensors have been returned to the pool.</summary>
    public bool IsReleased => Volatile.Read(ref released) != 0;

    /// <summary>Marks one call as using the model until the returned scope is disposed.</summary>
    /// <exception cref="ObjectDisposedException">The lease was disposed.</exception>
    public Scope Use(object owner)
    {
        Interlocked.Increment(ref uses);
        if (Volatile.Read(ref disposed) != 0)
        {
            End();
            throw new ObjectDisposedException(owner.GetType().Name);
        }
        return new Scope(this);
    }

    /// <summary>Marks the lease disposed; the tensors go back to the pool now or when the last call in flight ends.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        if (Volatile.Read(ref uses) == 0) Release();
    }

    private void End()
    {
        if (Interlocked.Decrement(ref uses) == 0 && Volatile.Read(ref disposed) != 0) Release();
    }

    private void Release()
    {
        if (Interlocked.Exchange(ref released, 1) != 0) return;
        // Tied or shared tensors may appear twice; Tensor.Dispose is idempotent.
        foreach (var (_, tensor) in model.NamedParameters()) tensor.Dispose();
        foreach (var (_, tensor) in model.NamedBuffers()) tensor.Dispose();
    }

    /// <summary>One call's use of the model.</summary>
    public readonly struct Scope(ModelLease lease) : IDisposable
    {
        /// <summary>Ends the use.</summary>
        public void Dispose() => lease.End();
    }
}
