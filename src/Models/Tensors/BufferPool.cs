// Recycles float buffers by exact length. Training loops allocate the same shapes every step, so an
// exact-size pool turns steady-state allocation into a lock + stack pop and keeps the GC quiet.
namespace Pipeline.Models.Tensors;

/// <summary>Process-wide pool of <c>float[]</c> buffers keyed by exact length.</summary>
public static class BufferPool
{
    private static readonly Dictionary<int, Stack<float[]>> Free = new();
    private static readonly Lock Gate = new();
    private static long pooledElements;

    /// <summary>Upper bound on the number of floats kept idle in the pool (default 512 Mi floats = 2 GiB).</summary>
    public static long MaxPooledElements { get; set; } = 512L * 1024 * 1024;

    /// <summary>Buffers handed out since process start that had to be freshly allocated.</summary>
    public static long Allocations => Interlocked.Read(ref allocations);
    private static long allocations;

    /// <summary>Rents a buffer of exactly <paramref name="length"/> floats; contents are unspecified.</summary>
    public static float[] Rent(int length)
    {
        if (length == 0) return [];
        lock (Gate)
        {
            if (Free.TryGetValue(length, out var stack) && stack.Count > 0)
            {
                pooledElements -= length;
                return stack.Pop();
            }
        }
        Interlocked.Increment(ref allocations);
        return GC.AllocateUninitializedArray<float>(length);
    }

    /// <summary>Returns a buffer; it must not be used afterwards.</summary>
    public static void Return(float[] buffer)
    {
        if (buffer.Length == 0) return;
        lock (Gate)
        {
            if (pooledElements + buffer.Length > MaxPooledElements) return; // let the GC have it
            if (!Free.TryGetValue(buffer.Length, out var stack)) Free[buffer.Length] = stack = new Stack<float[]>();
            stack.Push(buffer);
            pooledElements += buffer.Length;
        }
    }

    /// <summary>Drops every idle buffer (e.g. after a phase with unusual shapes).</summary>
    public static void Trim()
    {
        lock (Gate) { Free.Clear(); pooledElements = 0; }
    }
}
