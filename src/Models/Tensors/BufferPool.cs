// Recycles float buffers so that a training or inference loop stops allocating after its first steps.
//
// Size classes: a request is rounded up to the next size class — multiples of 16 floats up to 64, then
// four classes per power of two (2^k · {1, 1.25, 1.5, 1.75}), so a buffer is at most 25% larger than asked
// for. Training on real data has variable shapes (a batch's longest caption sets T in (N, T, V)); with
// exact sizes every distinct T kept its own idle buffers, and the pool filled with sizes the next step
// never asked for. With classes, neighbouring shapes share buffers. Tensors never look past their own
// Length, so a longer buffer is invisible to them.
//
// Budget relative to the working set: a step is what happens between the end of one outermost
// TensorScope and the end of the next (a training batch, a decoding batch). The pool measures each step's
// transient working set — the peak of rented floats above what was rented when the step began — and keeps
// idle buffers up to the largest such step (at least 64 MiB, at most MaxPooledElements): one step's worth,
// exactly what the next step reuses. Long-lived tensors (parameters, optimizer state) and tensors left to
// the GC instead of disposed do not inflate the budget, since they raise a step's start and peak alike.
// The budget is that working set plus a quarter (a step touches a few more distinct buffers than it holds
// at its peak). When a returned buffer would exceed it, idle buffers of classes the current step has not
// used are released to the GC, least recently used first — shapes the loop stopped using go; if that is
// not enough, the returned buffer itself goes. A request that
// misses its class takes the smallest idle buffer that fits (up to 4× larger) before allocating, so after
// a few steps the buffers of the larger shapes serve the smaller ones too and the loop stops allocating.
//
// Allocation limits: LimitAllocations caps what one thread may rent inside a scope, so building a model
// from an untrusted configuration can be stopped before it allocates more than its weights file holds.
namespace Pipeline.Models.Tensors;

/// <summary>Process-wide pool of <c>float[]</c> buffers in size classes, with an idle budget tied to one step's working set.</summary>
public static class BufferPool
{
    private sealed class SizeClassStack
    {
        public readonly Stack<float[]> Buffers = new();
        public long LastUsed;
    }

    private static readonly Dictionary<int, SizeClassStack> Free = new();
    private static readonly List<int> Stocked = new();   // classes with at least one idle buffer, ascending (few dozen)
    private static readonly Lock Gate = new();
    private static long idleElements, inUseElements, peakInUseElements, clock;
    private static long stepStart, stepPeak, workingSetElements, stepStartClock;
    private static bool stepSeen;

    [ThreadStatic] private static AllocationLimit? limit;

    /// <summary>Upper bound on the number of floats kept idle in the pool, whatever the working set (default 512 Mi floats = 2 GiB).</summary>
    public static long MaxPooledElements { get; set; } = 512L * 1024 * 1024;

    /// <summary>Idle floats the pool may always keep, however small the working set (16 Mi floats = 64 MiB).</summary>
    public const long MinimumIdleBudget = 16L * 1024 * 1024;

    /// <summary>Buffers handed out since process start that had to be freshly allocated.</summary>
    public static long Allocations => Interlocked.Read(ref allocations);
    private static long allocations;

    /// <summary>Floats held idle in the pool now.</summary>
    public static long IdleElements { get { lock (Gate) return idleElements; } }

    /// <summary>Floats rented and not yet returned (the live working set, long-lived tensors included).</summary>
    public static long InUseElements { get { lock (Gate) return inUseElements; } }

    /// <summary>Largest <see cref="InUseElements"/> seen since start (or the last <see cref="Trim"/>).</summary>
    public static long PeakInUseElements { get { lock (Gate) return peakInUseElements; } }

    /// <summary>The largest transient working set of one step seen so far (floats rented during a step above its start).</summary>
    public static long WorkingSetElements { get { lock (Gate) return workingSetElements; } }

    /// <summary>Idle floats the pool keeps at most now: the largest step's working set, within [<see cref="MinimumIdleBudget"/>, <see cref="MaxPooledElements"/>].</summary>
    public static long IdleBudget { get { lock (Gate) return IdleBudgetLocked(); } }

    /// <summary>The size class of a request: the length of the buffer <see cref="Rent"/> returns for it.</summary>
    public static int SizeClass(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length <= 64) return (length + 15) & ~15;
        // length > 64: the top bit and the two below it pick the class; round up when lower bits are set.
        int shift = 31 - int.LeadingZeroCount(length) - 2;
        long step = 1L << shift;
        long rounded = (length + step - 1) & ~(step - 1);
        return rounded > Array.MaxLength ? length : (int)rounded;
    }

    /// <summary>Rents a buffer of at least <paramref name="length"/> floats (its size class); contents are unspecified.</summary>
    /// <exception cref="InsufficientMemoryException">An active <see cref="LimitAllocations"/> scope on this thread would be exceeded.</exception>
    public static float[] Rent(int length)
    {
        if (length == 0) return [];
        int size = SizeClass(length);
        limit?.Take(size);
        lock (Gate)
        {
            // The smallest idle class that fits, up to MaxOversize times the request: an idle buffer beats a fresh one.
            int at = Stocked.BinarySearch(size);
            if (at < 0) at = ~at;
            if (at < Stocked.Count && Stocked[at] <= (long)size * MaxOversize)
            {
                int candidate = Stocked[at];
                var stack = Free[candidate];
                var buffer = stack.Buffers.Pop();
                if (stack.Buffers.Count == 0) Stocked.RemoveAt(at);
                idleElements -= candidate;
                stack.LastUsed = ++clock;
                CountRented(candidate);
                return buffer;
            }
            CountRented(size);
        }
        Interlocked.Increment(ref allocations);
        return GC.AllocateUninitializedArray<float>(size);
    }

    /// <summary>Returns a buffer obtained from <see cref="Rent"/>; it must not be used afterwards.</summary>
    public static void Return(float[] buffer)
    {
        int size = buffer.Length;
        if (size == 0) return;
        lock (Gate)
        {
            inUseElements = Math.Max(0, inUseElements - size);
            if (SizeClass(size) != size) return;   // not one of ours: let the GC have it
            long budget = IdleBudgetLocked();
            if (size > budget) return;
            // Make room by releasing classes this step has not used, least recently used first: shapes the loop no
            // longer asks for. Buffers of classes the step uses are kept; if that is not enough, this one goes.
            while (idleElements + size > budget && EvictStale()) { }
            if (idleElements + size > budget) return;
            if (!Free.TryGetValue(size, out var stack)) Free[size] = stack = new SizeClassStack();
            stack.Buffers.Push(buffer);
            if (stack.Buffers.Count == 1)
            {
                int at = Stocked.BinarySearch(size);
                if (at < 0) Stocked.Insert(~at, size);
            }
            stack.LastUsed = ++clock;
            idleElements += size;
        }
    }

    /// <summary>Drops every idle buffer and restarts the working-set measurements (e.g. after a phase with unusual shapes).</summary>
    public static void Trim()
    {
        lock (Gate)
        {
            Free.Clear();
            Stocked.Clear();
            idleElements = 0;
            peakInUseElements = stepStart = stepPeak = inUseElements;
            workingSetElements = 0;
            stepSeen = false;
        }
    }

    /// <summary>Marks the end of a step (called when a thread's outermost <see cref="TensorScope"/> ends).</summary>
    internal static void EndOfStep()
    {
        lock (Gate)
        {
            // The step's transient set: its peak above where it started (or above where it ended, if it returned more).
            long transient = stepPeak - Math.Min(stepStart, inUseElements);
            if (transient > workingSetElements) workingSetElements = transient;
            stepStart = stepPeak = inUseElements;
            stepStartClock = clock;
            stepSeen = true;
            // The first measurement may leave more idle than the budget now allows.
            long budget = IdleBudgetLocked();
            while (idleElements > budget && EvictStale()) { }
        }
    }

    // A request may be served by an idle buffer up to this many times larger (the rest of it goes unused for one step).
    private const int MaxOversize = 4;

    private static void CountRented(long size)
    {
        inUseElements += size;
        if (inUseElements > peakInUseElements) peakInUseElements = inUseElements;
        if (inUseElements > stepPeak) stepPeak = inUseElements;
    }

    /// <summary>
    /// Limits what the current thread may rent to <paramref name="maxElements"/> floats (counted in size classes) until the
    /// returned scope is disposed; a rent beyond it throws the exception made by <paramref name="onExceeded"/> (given the
    /// floats asked for in total) before anything is allocated.
    /// </summary>
    public static IDisposable LimitAllocations(long maxElements, Func<long, InsufficientMemoryException> onExceeded)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxElements);
        ArgumentNullException.ThrowIfNull(onExceeded);
        var scope = new AllocationLimit(maxElements, onExceeded, limit);
        limit = scope;
        return scope;
    }

    // One step's working set plus a quarter: a step touches a few more distinct buffers than it holds at its peak
    // (a buffer returned mid-step cannot serve a larger request later in the step).
    // Before the first step has ended the working set is unknown, and whatever that step returns is what the next one needs.
    private static long IdleBudgetLocked() => !stepSeen ? MaxPooledElements
        : Math.Min(MaxPooledElements, Math.Max(workingSetElements + workingSetElements / 4, MinimumIdleBudget));

    private static bool EvictStale()
    {
        int oldest = -1;
        foreach (int size in Stocked)
            if (Free[size].LastUsed <= stepStartClock && (oldest < 0 || Free[size].LastUsed < Free[oldest].LastUsed)) oldest = size;
        if (oldest < 0) return false;
        var stack = Free[oldest];
        idleElements -= stack.Buffers.Pop().Length;
        if (stack.Buffers.Count == 0) Stocked.Remove(oldest);   // a few dozen entries: linear is fine
        return true;
    }

    private sealed class AllocationLimit(long maxElements, Func<long, InsufficientMemoryException> onExceeded, AllocationLimit? outer) : IDisposable
    {
        private long taken;

        public void Take(long elements)
        {
            taken += elements;
            if (taken > maxElements) throw onExceeded(taken);
        }

        public void Dispose()
        {
            if (limit == this) limit = outer;
        }
    }
}
