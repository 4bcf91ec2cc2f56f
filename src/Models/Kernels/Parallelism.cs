// Process-wide degree of parallelism for the engine's kernels, and a minimal fork/join helper.
//
// Algorithm: a call to For(count, body) runs `count` independent work items on at most
// DegreeOfParallelism workers. The calling thread is always one of the workers (so a
// single-worker run never touches another thread); the others come from the WorkerTeam
// (dedicated threads that stay hot between regions), or from the thread pool when the team
// is already busy with another region (nested or concurrent calls). Workers claim item indices from a shared counter with Interlocked.Increment, which
// balances uneven items without any up-front partitioning. After it runs out of items the
// caller waits until every claimed item has completed, and rethrows the first exception.
//
// The struct-body overload lets hot kernels pass their arguments in a value type instead of
// allocating a closure per call; the only per-call allocation left is the small join object
// when more than one worker actually runs.

using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Pipeline.Models.Kernels;

/// <summary>A unit of parallel work whose state is carried in a struct (no closure allocation).</summary>
public interface IParallelBody
{
    /// <summary>Runs work item <paramref name="index"/>; items are independent of each other.</summary>
    void Invoke(int index);
}

/// <summary>
/// Process-wide parallelism setting honoured by every kernel in <see cref="Pipeline.Models.Kernels"/>,
/// plus the fork/join helper the kernels use.
/// </summary>
public static class Parallelism
{
    private static int s_degree = Math.Max(1, Environment.ProcessorCount);

    // The calling thread's override from Scope (0: none), and how many regions this thread forked (tests read it).
    [ThreadStatic] private static int t_scopedDegree;
    [ThreadStatic] private static long t_forkedRegions;

    /// <summary>
    /// Maximum number of threads a single kernel call made on this thread may use: the innermost <see cref="Scope"/>
    /// open on this thread, otherwise the process default (initially <see cref="Environment.ProcessorCount"/>).
    /// Setting it changes the process default. Must be at least 1; 1 makes every kernel run on the calling thread only.
    /// </summary>
    public static int DegreeOfParallelism
    {
        get => t_scopedDegree > 0 ? t_scopedDegree : Volatile.Read(ref s_degree);
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(value), value, $"{nameof(DegreeOfParallelism)} must be at least 1, got {value}.");
            Volatile.Write(ref s_degree, value);
        }
    }

    /// <summary>
    /// Sets <see cref="DegreeOfParallelism"/> to <paramref name="degree"/> for kernels called on the current thread
    /// until the returned scope is disposed; other threads keep their own setting, so concurrent callers (and tests
    /// running side by side) do not see each other's. Scopes nest and must be disposed in reverse order.
    /// Nested kernel calls made from inside a parallel region's work items run on worker threads and use the process default.
    /// </summary>
    public static DegreeScope Scope(int degree)
    {
        if (degree < 1)
            throw new ArgumentOutOfRangeException(nameof(degree), degree, $"parallelism scope: degree must be at least 1, got {degree}.");
        var scope = new DegreeScope(t_scopedDegree);
        t_scopedDegree = degree;
        return scope;
    }

    /// <summary>Restores the calling thread's previous degree of parallelism when disposed.</summary>
    public readonly struct DegreeScope : IDisposable
    {
        private readonly int previous;

        internal DegreeScope(int previous) => this.previous = previous;

        /// <inheritdoc />
        public void Dispose() => t_scopedDegree = previous;
    }

    /// <summary>Parallel regions (more than one worker) started from the current thread since it began; lets tests prove a parallel path ran.</summary>
    internal static long ForkedRegionsOnCurrentThread => t_forkedRegions;

    /// <summary>Runs <paramref name="body"/> for every index in [0, <paramref name="count"/>) on at most <see cref="DegreeOfParallelism"/> workers.</summary>
    public static void For(int count, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var wrapper = new ActionBody(body);
        For(count, ref wrapper);
    }

    /// <summary>
    /// Runs <c>body.Invoke(i)</c> for every i in [0, <paramref name="count"/>) on at most
    /// <see cref="DegreeOfParallelism"/> workers. Runs inline when only one worker is useful.
    /// Each worker gets its own copy of <paramref name="body"/>, so the struct must not rely on mutation.
    /// </summary>
    public static void For<TBody>(int count, ref TBody body) where TBody : struct, IParallelBody
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int workers = Math.Min(DegreeOfParallelism, count);
        if (workers <= 1)
        {
            for (int i = 0; i < count; i++)
                body.Invoke(i);
            return;
        }

        t_forkedRegions++;
        var job = new Job<TBody>(body, count);
        var team = WorkerTeam.Get(workers - 1);
        if (team.TryStart(job, workers - 1))
        {
            try
            {
                job.RunItems();
                job.WaitForCompletion();
            }
            finally
            {
                team.Finish();
            }
            return;
        }

        // The team is busy (a nested region, or another thread's region): borrow pool threads instead.
        for (int w = 1; w < workers; w++)
            ThreadPool.UnsafeQueueUserWorkItem(job, preferLocal: false);
        job.RunItems();
        job.WaitForCompletion();
    }

    /// <summary>Adapts a delegate to <see cref="IParallelBody"/> for the convenience overload.</summary>
    private readonly struct ActionBody(Action<int> action) : IParallelBody
    {
        public void Invoke(int index) => action(index);
    }

    /// <summary>Shared state of one fork/join: the item counter, the completion count and the first failure.</summary>
    /// <remarks>
    /// The caller waits for all items to COMPLETE, not for the helpers to run: a helper the thread
    /// pool starts late (e.g. the pool is saturated) finds no item left and exits without touching
    /// the caller's data, so a busy pool can never stall a kernel.
    /// </remarks>
    private sealed class Job<TBody>(TBody body, int count) : IThreadPoolWorkItem, ITeamWork
        where TBody : struct, IParallelBody
    {
        private readonly TBody _body = body;
        private int _next = -1;
        private int _completed;
        private readonly ManualResetEventSlim _done = new(false);
        private ExceptionDispatchInfo? _failure;

        public void Execute() => RunItems();

        // Optimised from the start: a tier-0 spin loop (and its on-stack replacement) delays every region.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public void RunItems()
        {
            TBody local = _body;
            int i;
            while ((i = Interlocked.Increment(ref _next)) < count)
            {
                // After a failure the remaining items are claimed but skipped, so completion still counts up.
                if (Volatile.Read(ref _failure) is null)
                {
                    try
                    {
                        local.Invoke(i);
                    }
                    catch (Exception ex)
                    {
                        Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(ex), null);
                    }
                }
                if (Interlocked.Increment(ref _completed) == count)
                    _done.Set();
            }
        }

        public void WaitForCompletion()
        {
            if (Volatile.Read(ref _completed) != count)
                _done.Wait();
            Debug.Assert(Volatile.Read(ref _completed) == count);
            _failure?.Throw();
        }
    }
}
