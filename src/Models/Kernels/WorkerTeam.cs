// A team of dedicated kernel threads that stay hot between parallel regions (the OpenMP model).
//
// Why not the .NET thread pool: a training step issues hundreds of short parallel regions back to
// back (each SGEMM alone has several). Pool workers park after each one and must be woken for the
// next; a wake-up costs microseconds at best and, on this project's 2-vCPU benchmark machine, often
// far more (a halted virtual CPU), and with dynamic claiming a late helper simply finds no work: the
// SGEMM benchmark on the pool showed streaks of calls at exactly single-thread speed (9.2 ms instead
// of 4.7 ms at 1024³). Team threads instead spin for a short while after each region, so the next
// region starts on threads that are already running; only after SpinMicroseconds without work do
// they block (and then cost nothing). 250 µs bridges the gaps inside and between kernel calls of a
// step; 1 ms measured no better.
//
// Protocol: the caller claims the team (one region at a time; a busy team, e.g. a nested region or
// a second thread calling in, makes the caller fall back to the thread pool), stores the region
// and the number of helpers wanted, and bumps the generation counter. Each team thread that sees a
// new generation and whose index is below the helper count runs the region's items; the region's
// own counters (see Parallelism) tell the caller when every item is done. A thread that wants to
// block first announces it in its sleeping flag and re-checks the generation, and the caller wakes
// exactly the announced sleepers, so no wake-up is lost and no idle thread is signalled.

using System.Diagnostics;

namespace Pipeline.Models.Kernels;

/// <summary>A region of parallel work the team can help with.</summary>
internal interface ITeamWork
{
    /// <summary>Claims and runs items until none are left; safe to call from any number of threads.</summary>
    void RunItems();
}

/// <summary>Dedicated, spinning helper threads for <see cref="Parallelism"/>.</summary>
internal sealed class WorkerTeam
{
    /// <summary>How long an idle team thread keeps spinning before it blocks.</summary>
    internal const int SpinMicroseconds = 250;

    private static readonly long SpinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
    private static WorkerTeam? s_shared;
    private static readonly Lock s_create = new();

    private readonly Member[] _members;
    private int _busy;
    private long _generation;
    private ITeamWork? _work;
    private int _helpers;

    private WorkerTeam(int size)
    {
        _members = new Member[size];
        for (int i = 0; i < size; i++)
        {
            _members[i] = new Member();
            int index = i;
            var thread = new Thread(() => Loop(index)) { IsBackground = true, Name = $"Pipeline kernel worker {i + 1}" };
            thread.Start();
        }
    }

    /// <summary>The process-wide team with at least <paramref name="helpers"/> threads (replaced by a larger one when needed).</summary>
    public static WorkerTeam Get(int helpers)
    {
        var team = Volatile.Read(ref s_shared);
        if (team is not null && team._members.Length >= helpers)
            return team;
        lock (s_create)
        {
            team = s_shared;
            if (team is null || team._members.Length < helpers)
            {
                // The old team's threads simply stay blocked; this happens once per larger thread count.
                team = new WorkerTeam(helpers);
                Volatile.Write(ref s_shared, team);
            }
            return team;
        }
    }

    /// <summary>
    /// Starts <paramref name="helpers"/> team threads on <paramref name="work"/> and returns at once (the
    /// caller runs items too and waits for completion itself). False when the team is already running
    /// a region; the caller must then find other helpers.
    /// </summary>
    public bool TryStart(ITeamWork work, int helpers)
    {
        Debug.Assert(helpers >= 1 && helpers <= _members.Length);
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
            return false;
        _work = work;
        _helpers = helpers;
        Interlocked.Increment(ref _generation);
        for (int i = 0; i < helpers; i++)
        {
            var member = _members[i];
            if (Interlocked.Exchange(ref member.Sleeping, 0) == 1)
                member.Wake.Release();
        }
        return true;
    }

    /// <summary>Ends the region started by <see cref="TryStart"/>; call after every item has completed.</summary>
    public void Finish()
    {
        // Helpers may still be leaving RunItems (they found no item left); they hold their own
        // reference to the region and touch nothing else, so the team can take the next region now.
        _work = null;
        Volatile.Write(ref _busy, 0);
    }

    // Optimised from the start: a tier-0 spin loop (and its on-stack replacement) delays every region.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Loop(int index)
    {
        var member = _members[index];
        long seen = Volatile.Read(ref _generation);
        while (true)
        {
            long generation = WaitForNewGeneration(member, seen);
            seen = generation;
            // A region that did not ask for this thread, or one already finished, is skipped.
            var work = Volatile.Read(ref _work);
            if (work is not null && index < Volatile.Read(ref _helpers) && Volatile.Read(ref _generation) == generation)
                work.RunItems();
        }
    }

    // Optimised from the start: a tier-0 spin loop (and its on-stack replacement) delays every region.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private long WaitForNewGeneration(Member member, long seen)
    {
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            long generation = Volatile.Read(ref _generation);
            if (generation != seen)
                return generation;
            if (Stopwatch.GetTimestamp() - start < SpinTicks)
            {
                // Pause instructions only, no yield: a yield hands the core to any other runnable process
                // for a whole scheduler slice (milliseconds), and the next region would start without us.
                Thread.SpinWait(16);
                continue;
            }

            Interlocked.Exchange(ref member.Sleeping, 1);
            if (Volatile.Read(ref _generation) != seen && Interlocked.CompareExchange(ref member.Sleeping, 0, 1) == 1)
                continue;   // work arrived while announcing; nobody will release us, so do not wait
            member.Wake.Wait();
            start = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>Per-thread wake-up state.</summary>
    private sealed class Member
    {
        public int Sleeping;
        public readonly SemaphoreSlim Wake = new(0);
    }
}
