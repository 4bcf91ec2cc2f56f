// Reference-counted float storage. Views (reshape, leading-axis slices) share one storage; the buffer
// goes back to the pool only when the last tensor that sees it is disposed.
namespace Pipeline.Models.Tensors;

internal sealed class Storage
{
    public float[] Data;
    private int refCount = 1;
    private readonly bool pooled;

    public Storage(float[] data, bool pooled) { Data = data; this.pooled = pooled; }

    public void AddRef() => Interlocked.Increment(ref refCount);

    public void Release()
    {
        if (Interlocked.Decrement(ref refCount) == 0 && pooled)
        {
            BufferPool.Return(Data);
            Data = [];
        }
    }
}
